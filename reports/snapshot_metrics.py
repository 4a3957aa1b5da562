"""How fresh the pools' performance snapshots are, as Prometheus gauges read when /metrics is
scraped: the age of the stalest pool's newest snapshot, and how many pools' snapshots are
stale (older than STALE_AFTER, or missing while the pool has journal entries).

The nightly beat job (01:30 UTC, backend/tasks/snapshots.py) snapshots every pool as of
that day, and the ledger relay has a pool snapshotted again seconds after its entries are
published; so every pool's newest snapshot should be under 24 hours old, give or take the
night's fan-out. A pool's newest snapshot is its row with the latest `as_of`, and its age is
counted from that row's `computed_at` (when it was written), not from `as_of` (a date:
midnight, 90 minutes before the nightly run even starts).

Read at scrape time like the outbox's backlog (ledger/outbox_metrics.py). A scrape costs: the
pools' ids (the pool service, what the nightly job snapshots), one read of the snapshot
table (the newest `as_of` of each pool from its primary key, then that row: one short probe
per pool, however many days of snapshots the table holds), and for each pool with no
snapshot at all, whether it has journal entries (the ledger; at most UNSNAPSHOTTED_CHECKED
of them per scrape: past that many the snapshots have plainly never run, and the count says
so already). The embedded default (no broker, no beat) computes reports on demand and
stores no snapshots: these gauges mean something where the worker and beat run.

If anything cannot be read the gauges are left out of that scrape (the scrape itself still
answers). No label: never a pool id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import datetime, timedelta

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import and_, func, select

from backend.platform.db import Database
from backend.platform.unit_of_work import ReadView
from reports.models import PoolSnapshot

log = logging.getLogger(__name__)

OLDEST_AGE = "reports_snapshot_oldest_age_seconds"
STALE_POOLS = "reports_stale_snapshot_pools"
STALE_AFTER = timedelta(hours=26)
"""A day between nightly runs, and two hours for the night's fan-out to reach every pool."""
UNSNAPSHOTTED_CHECKED = 100
"""Pools with no snapshot at all asked about their journal entries per scrape, at most."""


def newest_snapshots(db: Database) -> dict[int, datetime]:
    """{pool id: when its newest snapshot (by as_of) was computed}, for every pool with one,
    from a reader (a replica fit to serve, else the primary)."""
    newest = (
        select(PoolSnapshot.pool_id, func.max(PoolSnapshot.as_of).label("as_of"))
        .group_by(PoolSnapshot.pool_id)
        .subquery()
    )
    stmt = select(PoolSnapshot.pool_id, PoolSnapshot.computed_at).join(
        newest, and_(PoolSnapshot.pool_id == newest.c.pool_id, PoolSnapshot.as_of == newest.c.as_of)
    )
    with ReadView(db) as view:
        return {int(pool_id): computed_at for pool_id, computed_at in view.session.execute(stmt)}


class SnapshotMetrics(Collector):
    """`newest()`: newest_snapshots bound to the database; `pool_ids()`: every pool the nightly
    job snapshots; `has_entries(pool_id)`: whether its journal has any entry; `clock`: now."""

    def __init__(
        self,
        newest: Callable[[], Mapping[int, datetime]],
        pool_ids: Callable[[], Collection[int]],
        has_entries: Callable[[int], bool],
        clock: Callable[[], datetime],
    ) -> None:
        self._newest = newest
        self._pool_ids = pool_ids
        self._has_entries = has_entries
        self._clock = clock

    def describe(self) -> list[GaugeMetricFamily]:
        # Registering a collector asks what it exposes; answering with collect() would read
        # the database while the app is being built.
        return [_oldest_age(), _stale_pools()]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            oldest, stale = self._read()
        except Exception:  # the scrape still answers; the gauges are missing from it
            log.warning("performance snapshots not readable for /metrics", exc_info=True)
            return
        age = _oldest_age()
        age.add_metric([], oldest)
        count = _stale_pools()
        count.add_metric([], stale)
        yield age
        yield count

    def _read(self) -> tuple[float, int]:
        now = self._clock()
        pools = sorted(set(self._pool_ids()))
        newest = self._newest()
        ages = [max((now - newest[p]).total_seconds(), 0.0) for p in pools if p in newest]
        stale = sum(1 for a in ages if a > STALE_AFTER.total_seconds())
        never = [p for p in pools if p not in newest][:UNSNAPSHOTTED_CHECKED]
        stale += sum(1 for p in never if self._has_entries(p))
        return max(ages, default=0.0), stale


def _oldest_age() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        OLDEST_AGE,
        "Seconds since the stalest pool's newest performance snapshot was computed (0 when no pool has one).",
    )


def _stale_pools() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        STALE_POOLS,
        "Pools whose newest performance snapshot is over 26 hours old, or that have journal entries "
        "and no snapshot.",
    )
