"""The report service's Celery tasks: performance snapshots.

* ``snapshot_pool(pool_id, as_of)``: triggered by the ledger relay for every pool a batch
  of committed events touched (a few seconds' countdown folds bursts together), and by the
  nightly full recompute. Idempotent: a snapshot already at the pool's ledger version is
  left alone.
* ``snapshot_all_pools(as_of)``: the nightly beat job; fans out one task per pool.

Both retry with exponential backoff on database errors; with late acks a worker killed
mid-task leaves the message queued and another worker runs it again.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import OperationalError

from backend.celery_app import celery, services
from backend.orm import utcnow

_RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 8,
}


def _day(as_of: str | None) -> date:
    return date.fromisoformat(as_of) if as_of else utcnow().date()


@celery.task(name="reports.tasks.snapshot_pool", **_RETRY)
def snapshot_pool(pool_id: int, as_of: str | None = None) -> dict[str, object]:
    refreshed = services().snapshots.refresh_pool(pool_id, _day(as_of))
    return {
        "pool_id": refreshed.pool_id,
        "ledger_version": refreshed.ledger_version,
        "computed": refreshed.computed,
    }


@celery.task(name="reports.tasks.snapshot_all_pools", **_RETRY)
def snapshot_all_pools(as_of: str | None = None) -> int:
    day = _day(as_of).isoformat()
    pool_ids = services().pools.all_pool_ids()
    for pool_id in pool_ids:
        snapshot_pool.delay(pool_id, day)
    return len(pool_ids)
