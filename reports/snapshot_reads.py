"""The read side of the snapshot tables: a stored figure is used only while it is as new
as the pool's books (its ledger version), so an entry makes the old snapshot unreachable."""

from __future__ import annotations

from datetime import date

from backend.platform.db import Database
from backend.platform.unit_of_work import ReadView
from reports.models import PoolSnapshot
from reports.schemas import PoolPerformance


def stored_pool_performance(
    db: Database, pool_id: int, as_of: date, ledger_version: int
) -> PoolPerformance | None:
    with ReadView(db) as view:
        stored = view.session.get(PoolSnapshot, (pool_id, as_of))
        if stored is None or stored.ledger_version != ledger_version or stored.performance == "null":
            return None
        return PoolPerformance.model_validate_json(stored.performance)
