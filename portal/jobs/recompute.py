"""The "Recompute analytics" job of the manager overview and the admin system page.

The same body for both: the snapshot store decides which pools the signed-in user may
recompute (a manager their own pools, an admin every pool); the page only says who it is for.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import dash_bootstrap_components as dbc

from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from portal.components.progress import refused
from portal.context import services
from portal.jobs.job import Job
from reports.interface import Recomputed


def recompute_snapshots(job: Job, actor: Actor, as_of: date) -> Recomputed:
    """Recompute, from the books, the snapshot of every pool the actor may recompute (a
    manager their own, an admin all: the snapshot store asks the report service), one pool
    at a time with progress; a cancel stops the run between pools."""
    return services().snapshots.recompute(
        actor,
        as_of,
        force=True,
        on_pool=lambda done, total: job.report(done, total, f"{done} of {total} pools"),
    )


def recompute_summary(result: Recomputed) -> str:
    pools = f"{result.pools} pool{'s' if result.pools != 1 else ''}"
    took = f"{result.seconds:.2f}" if result.seconds < 10 else f"{result.seconds:.0f}"
    return f"Recomputed {result.computed} of {pools} as of {result.as_of.isoformat()} in {took} s."


def recompute_job(job: Job, role: Role, prefix: str) -> Any:
    """The job's result: what was recomputed and how long it took, or why nothing was."""
    actor = job.actor
    if actor is None or actor.role is not role:
        return refused(
            f"Not permitted: sign in as {'an admin' if role is Role.ADMIN else 'a manager'}.",
            f"{prefix}-refused",
        )
    try:
        result = recompute_snapshots(job, actor, datetime.now(UTC).date())
    except DomainError as exc:
        return refused(f"Nothing recomputed: {exc}", f"{prefix}-refused")
    if result.pools == 0:
        return refused("There is no pool to recompute.", f"{prefix}-refused")
    return dbc.Alert(recompute_summary(result), color="success", id=f"{prefix}-done", className="mb-0 py-2")


def recompute_panel_note(role: Role) -> str:
    scope = "every pool" if role is Role.ADMIN else "your pools"
    return f"recompute the performance snapshots of {scope} from the books, one pool at a time"
