"""Shard by pool, the services' side of the simulation (ledger/shards.py is the directory and
the move; docs/scaling.md the design): each shard database gets its own ledger, transaction,
report and snapshot services, and a router sends a pool's calls to its shard's services.

What is where follows docs/scaling.md's keyspaces. A pool's books (`ledger_*`) are on its
shard: the shard's ledger service reads and writes them. Everything else the report side
touches stays in the global keyspace, the database of `platform` (a Container over it): the
pools and investors services (pools, terms, commitments, side letters, investors), and the
report service's own tables (snapshots, benchmarks, FX rates), because a snapshot is keyed
by pool and stamped with the ledger version it was computed at, and a move keeps that
version, so a snapshot stays right wherever the books went and cross-pool pages read all
pools' snapshots from one table. The production container is not rewired: this module
builds the per-shard services beside it, for the simulation and `app.py shards`.

The router's services run without the aggregate cache unless given one, so every figure
they answer is read from the shard's books (or a snapshot stamped with their version).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from backend.composition.container import Container
from backend.platform.actors import Actor
from backend.platform.aggregate_cache import AggregateCache
from backend.platform.errors import NotFound
from ledger.service import DatabaseLedgerService
from ledger.shards import MOVING, PoolMoving, ShardDirectory
from ledger.transactions import DatabaseTransactionService
from reports.schemas import PoolPerformance, Refreshed
from reports.service import DatabaseReportService
from reports.snapshots import DatabaseSnapshotStore


@dataclass(frozen=True)
class ShardServices:
    """One shard's services: the books on the shard, everything else global."""

    shard: str
    ledger: DatabaseLedgerService
    transactions: DatabaseTransactionService
    reports: DatabaseReportService
    snapshots: DatabaseSnapshotStore


@dataclass(frozen=True)
class PoolNav:
    """One pool's line in the cross-shard list, as its shard's report service answered."""

    pool_id: int
    shard: str
    currency: str
    net_asset_value: Decimal
    nav_per_unit: Decimal | None
    units_outstanding: Decimal
    entries: int


class ShardRouter:
    def __init__(
        self, platform: Container, directory: ShardDirectory, *, aggregates: AggregateCache | None = None
    ) -> None:
        self.platform = platform
        self.directory = directory
        self._aggregates = aggregates
        self._built: dict[str, ShardServices] = {}

    def services(self, shard: str) -> ShardServices:
        """The shard's services, built on first use from the directory's database for it."""
        if shard not in self._built:
            p = self.platform
            ledger = DatabaseLedgerService(self.directory.database(shard), aggregates=self._aggregates)
            transactions = DatabaseTransactionService(ledger, p.pools, p.investors, p.audit)
            reports = DatabaseReportService(
                p.db, ledger, p.pools, p.investors, aggregates=self._aggregates, audit=p.audit
            )
            snapshots = DatabaseSnapshotStore(p.db, ledger, reports, transactions)
            self._built[shard] = ShardServices(shard, ledger, transactions, reports, snapshots)
        return self._built[shard]

    def for_read(self, pool_id: int) -> ShardServices:
        """The services of the shard holding the pool's books (the source while it moves)."""
        return self.services(self.directory.placement(pool_id).shard)

    def for_write(self, pool_id: int) -> ShardServices:
        """As for_read; PoolMoving while the pool's books are being copied to another shard."""
        placement = self.directory.placement(pool_id)
        if placement.state == MOVING:
            raise PoolMoving(pool_id, placement.target)
        return self.services(placement.shard)

    # -- a pool's reports, on its shard ---------------------------------------------------

    def pool_performance(self, actor: Actor, pool_id: int, *, as_of: date) -> PoolPerformance:
        """The report service's answer for the actor (snapshot if current, else computed)."""
        return self.for_read(pool_id).reports.pool_performance(actor, pool_id, as_of=as_of)

    def compute_pool_performance(self, pool_id: int, *, as_of: date) -> PoolPerformance:
        """Computed from the books on the pool's shard, whatever snapshot exists."""
        return self.for_read(pool_id).reports.compute_pool_performance(pool_id, as_of=as_of, fresh=True)

    def refresh_snapshot(self, pool_id: int, as_of: date) -> Refreshed:
        return self.for_read(pool_id).snapshots.refresh_pool(pool_id, as_of)

    def stored_snapshot(self, pool_id: int, as_of: date) -> PoolPerformance | None:
        """The pool's snapshot if it is at the ledger version of the books on its shard."""
        return self.for_read(pool_id).snapshots.pool_performance(pool_id, as_of)

    # -- across shards ----------------------------------------------------------------------

    def net_asset_values(self, actor: Actor, *, as_of: date) -> list[PoolNav]:
        """Every placed pool the actor may read: each shard asked for its own pools, the
        answers merged by pool id. No query spans two shards."""
        by_shard: dict[str, list[int]] = defaultdict(list)
        for placement in self.directory.placements():
            by_shard[placement.shard].append(placement.pool_id)
        found: list[PoolNav] = []
        for shard, pool_ids in sorted(by_shard.items()):
            found += self._shard_navs(shard, actor, pool_ids, as_of)
        return sorted(found, key=lambda nav: nav.pool_id)

    def _shard_navs(self, shard: str, actor: Actor, pool_ids: list[int], as_of: date) -> list[PoolNav]:
        reports = self.services(shard).reports
        navs: list[PoolNav] = []
        for pool_id in pool_ids:
            try:
                performance = reports.pool_performance(actor, pool_id, as_of=as_of)
            except NotFound:
                continue  # not a pool this actor may see
            navs.append(
                PoolNav(
                    pool_id=pool_id,
                    shard=shard,
                    currency=performance.currency,
                    net_asset_value=performance.net_asset_value,
                    nav_per_unit=performance.nav_per_unit,
                    units_outstanding=performance.units_outstanding,
                    entries=performance.entries,
                )
            )
        return navs
