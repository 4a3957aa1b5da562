"""Performance snapshots, computed off the request path.

* ``snapshot_pool``: triggered by the ledger relay for every pool a batch of committed
  events touched (a few seconds' countdown folds bursts together), and by the nightly full
  recompute. Idempotent: a snapshot already at the pool's ledger version is left alone.
* ``snapshot_all_pools``: the nightly beat job; fans out one snapshot per pool.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from backend.platform.orm import utcnow
from backend.pools.interface import PoolService
from reports.interface import SnapshotStore


def snapshot_day(as_of: str | None) -> date:
    return date.fromisoformat(as_of) if as_of else utcnow().date()


def snapshot_pool(snapshots: SnapshotStore, pool_id: int, as_of: str | None) -> dict[str, object]:
    refreshed = snapshots.refresh_pool(pool_id, snapshot_day(as_of))
    return {
        "pool_id": refreshed.pool_id,
        "ledger_version": refreshed.ledger_version,
        "computed": refreshed.computed,
    }


def snapshot_all_pools(pools: PoolService, fan_out: Callable[[int, str], object], as_of: str | None) -> int:
    """Queue one snapshot per pool through ``fan_out(pool_id, day)``; returns how many."""
    day = snapshot_day(as_of).isoformat()
    pool_ids = pools.all_pool_ids()
    for pool_id in pool_ids:
        fan_out(pool_id, day)
    return len(pool_ids)
