"""The "Recompute analytics" job of the manager overview and the admin system page.

The same body for both: the snapshot store decides which pools the signed-in user may
recompute (a manager their own pools, an admin every pool); the page only says who it is for.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash_bootstrap_components as dbc

from backend.platform.actors import Role
from backend.platform.errors import DomainError
from portal.background import Job
from portal.components.progress import refused
from portal.manager_data import recompute_snapshots, recompute_summary


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
