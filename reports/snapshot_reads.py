"""The read side of the snapshot tables: a stored figure is used only while it is as new
as the pool's books (its ledger version), so an entry makes the old snapshot unreachable."""

from __future__ import annotations

from datetime import date, datetime

from backend.platform.db import Database
from backend.platform.unit_of_work import ReadView
from reports.models import PoolSnapshot
from reports.schemas import PoolPerformance

NEWEST_FIELD = "share_classes"
"""The field added last to PoolPerformance: a snapshot stored without it predates it."""


def stored_pool_performance(
    db: Database, pool_id: int, as_of: date, ledger_version: int, *, terms_changed_at: datetime | None = None
) -> PoolPerformance | None:
    """The worker's snapshot, if it is at ``ledger_version`` and was computed after the
    investors' own terms (side letters) last changed: they change the accrued carry."""
    with ReadView(db) as view:
        stored = view.session.get(PoolSnapshot, (pool_id, as_of))
        if stored is None or stored.ledger_version != ledger_version or stored.performance == "null":
            return None
        if terms_changed_at is not None and stored.computed_at <= terms_changed_at:
            return None
        if f'"{NEWEST_FIELD}"' not in stored.performance:
            return None  # computed before that figure existed: recompute rather than show it blank

        return PoolPerformance.model_validate_json(stored.performance)
