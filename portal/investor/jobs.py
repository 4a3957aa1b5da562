"""The investor's background job: every pool's capital account statement for one period, in
one workbook ("Generate statements" on the dashboard; the machinery is portal/jobs/)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qs

from backend.platform.actors import Actor
from backend.platform.errors import NotFound, ValidationFailed
from portal.context import services
from portal.jobs.files import Prepared, download_url, downloads_dir, pending_file, sweep
from portal.jobs.job import Job
from portal.shared.pools import visible_pools
from reports.interface import CapitalAccountStatement, parse_period, statements_workbook


def period_arguments(query: str) -> dict[str, Any]:
    """The statement service's period arguments from a statement_periods query
    ("period=2025-Q4" or "start=...&end=..."); ValidationFailed for anything else."""
    values = {k: v[0] for k, v in parse_qs(query or "").items() if v}
    try:
        if set(values) == {"period"}:
            return {"period": values["period"]}
        if set(values) == {"start", "end"}:
            return {"start": date.fromisoformat(values["start"]), "end": date.fromisoformat(values["end"])}
    except ValueError:
        pass
    raise ValidationFailed("period: choose one of the periods offered", field="period")


def generate_statements(job: Job, actor: Actor, query: str) -> Prepared | None:
    """The signed-in investor's capital account statements for the period `query` names, one
    sheet per pool they are in (pools that had not started by the period's end are left
    out), in one XLSX file; progress is pools done of pools. None when the investor has no
    profile or no pool. Every statement is the report service's, as `actor`."""
    c = services()
    profile = c.investors.investor_for_user(actor.user_id) if actor.user_id is not None else None
    if profile is None or actor.user_id is None:
        return None
    arguments = period_arguments(query)
    _, _, last = parse_period(arguments.get("period"), arguments.get("start"), arguments.get("end"))
    pools = [p for p in sorted(visible_pools(actor).values(), key=lambda p: p.id) if p.inception_date <= last]
    if not pools:
        return None
    directory = downloads_dir()
    sweep(directory)
    sheets: list[tuple[str, CapitalAccountStatement]] = []
    for done, pool in enumerate(pools):
        job.report(done, len(pools), f"{done} of {len(pools)} pools")
        try:
            sheets.append((pool.name, c.reports.statement(actor, profile.id, pool.id, **arguments)))
        except NotFound:  # in the pool's list, but no account in it (yet)
            continue
    job.report(len(pools), len(pools), f"{len(pools)} of {len(pools)} pools")
    if not sheets:
        return None
    label = sheets[0][1].period.replace("..", "_to_")
    name = f"statements-{label}.xlsx"
    with pending_file(directory, "xlsx") as part:
        statements_workbook(part, sheets)
        job.check()
    final = part.with_name(part.name.removesuffix(".part"))
    return Prepared(download_url(actor.user_id, part, name), name, final.stat().st_size, len(sheets))
