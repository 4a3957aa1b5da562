"""The record of each verification run (ledger_verify_runs): written after the run, read by
/metrics (ledger.verify_metrics) from whichever process answers the scrape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from backend.platform.db import Database
from backend.platform.unit_of_work import ReadView, UnitOfWork
from ledger.models import VerifyRun
from ledger.schemas import VerifyReport


@dataclass(frozen=True, slots=True)
class LastVerifyRun:
    finished_at: datetime
    ok: bool
    entries: int
    breaks: int


def record_run(db: Database, pool_id: int | None, report: VerifyReport, finished_at: datetime) -> None:
    """Keep one run's outcome, in a transaction of its own on the primary."""
    with UnitOfWork(db) as uow:
        uow.session.add(
            VerifyRun(
                finished_at=finished_at,
                pool_id=pool_id,
                ok=report.ok,
                pools=report.pools,
                entries=report.entries,
                breaks=report.breaks,
                duration_ms=round(report.seconds * 1000),
            )
        )
        uow.commit()


def last_full_run(db: Database) -> LastVerifyRun | None:
    """The latest run over the whole books (not one pool's), or None if there has been none.
    From a reader: a replica a few seconds behind changes nothing at a scale of days."""
    with ReadView(db) as view:
        row = view.session.execute(
            select(VerifyRun.finished_at, VerifyRun.ok, VerifyRun.entries, VerifyRun.breaks)
            .where(VerifyRun.pool_id.is_(None))
            .order_by(VerifyRun.finished_at.desc(), VerifyRun.id.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    return LastVerifyRun(row.finished_at, bool(row.ok), int(row.entries), int(row.breaks))
