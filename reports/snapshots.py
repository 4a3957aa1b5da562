"""Performance snapshots: what the workers compute so page views never replay a history.

A snapshot is keyed by (pool, date) and stamped with the ledger version it was computed
from. Refreshing is idempotent: a snapshot already at the pool's current version is left
alone, so a task that runs twice (a redelivery after a worker died, or two events for one
pool) does the work once. Computing one also leaves the pool's NAV histories (what its
pages chart) and each investor's part of the pool (their dashboard) in the aggregate cache
at that version.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import DomainError
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from ledger.interface import LedgerService, PoolPositions, TransactionService
from reports.models import PoolSnapshot, PositionSnapshot
from reports.schemas import Frequency, PoolPerformance, Recomputed, Refreshed
from reports.service import DatabaseReportService
from reports.snapshot_reads import stored_pool_performance

WORKER = Actor.operator("snapshots")
"""Snapshots are the system's own reads: every pool, no user's view of it."""


class DatabaseSnapshotStore:
    def __init__(
        self,
        db: Database,
        ledger: LedgerService,
        reports: DatabaseReportService,
        transactions: TransactionService,
    ) -> None:
        self._db = db
        self._ledger = ledger
        self._reports = reports
        self._transactions = transactions

    def refresh_pool(self, pool_id: int, as_of: date, *, force: bool = False) -> Refreshed:
        """Compute and store the pool's snapshot for `as_of`, unless the stored one is at the
        pool's current ledger version; `force` recomputes it from the books regardless."""
        version = self._ledger.ledger_version(pool_id)
        if not force:
            with ReadView(self._db) as view:
                stored = view.session.get(PoolSnapshot, (pool_id, as_of))
                if stored is not None and stored.ledger_version == version:
                    return Refreshed(pool_id, as_of, version, computed=False)
        try:
            performance = self._reports.compute_pool_performance(pool_id, as_of=as_of, fresh=force)
        except DomainError:
            performance = None  # no track record yet (nothing posted): positions only
        positions = self._transactions.pool_positions(WORKER, pool_id)
        self._warm_histories(pool_id, as_of)
        self._reports.warm_investor_figures(pool_id, as_of)
        try:
            self._store(pool_id, as_of, version, performance, positions)
        except IntegrityError:
            # Two triggers of one burst computed the same pool and day at once and the other
            # stored first: keep the newer of the two (once; a third writer is the next one's).
            with ReadView(self._db, primary=True) as view:
                stored = view.session.get(PoolSnapshot, (pool_id, as_of))
                if stored is not None and stored.ledger_version >= version:
                    return Refreshed(pool_id, as_of, version, computed=False)
            self._store(pool_id, as_of, version, performance, positions)
        return Refreshed(pool_id, as_of, version, computed=True)

    def _store(
        self,
        pool_id: int,
        as_of: date,
        version: int,
        performance: PoolPerformance | None,
        positions: PoolPositions,
    ) -> None:
        """The pool's snapshot for the day, and its positions', in place of any stored."""
        with UnitOfWork(self._db) as uow:
            session = uow.session
            session.execute(
                delete(PoolSnapshot).where(PoolSnapshot.pool_id == pool_id, PoolSnapshot.as_of == as_of)
            )
            session.execute(
                delete(PositionSnapshot).where(
                    PositionSnapshot.pool_id == pool_id, PositionSnapshot.as_of == as_of
                )
            )
            now = utcnow()
            session.add(
                PoolSnapshot(
                    pool_id=pool_id,
                    as_of=as_of,
                    ledger_version=version,
                    net_asset_value=positions.net_asset_value,
                    performance=performance.model_dump_json() if performance else "null",
                    computed_at=now,
                )
            )
            session.add_all(
                PositionSnapshot(
                    pool_id=pool_id,
                    investor_id=p.investor_id,
                    as_of=as_of,
                    ledger_version=version,
                    units=p.units,
                    value=p.value,
                    contributed=p.contributed,
                    distributed=p.distributed,
                    fees=p.fees,
                    computed_at=now,
                )
                for p in positions.positions
            )
            uow.commit()

    def _warm_histories(self, pool_id: int, as_of: date) -> None:
        """The NAV histories the pool's pages chart (since inception to `as_of`, monthly and
        daily), computed into the aggregate cache at this ledger version: after an entry the
        first page view found none and replayed the pool's whole history (1-2 s a pool at the
        large set) while its reader waited. A daily history too long to serve is skipped."""
        for frequency in (Frequency.MONTHLY, Frequency.DAILY):
            with contextlib.suppress(DomainError):
                self._reports.nav_history(WORKER, pool_id, end=as_of, frequency=frequency)

    def recompute(
        self,
        actor: Actor,
        as_of: date,
        *,
        force: bool = True,
        on_pool: Callable[[int, int], None] | None = None,
    ) -> Recomputed:
        """A full recompute on a user's behalf: the snapshot of every pool the actor may
        recompute (ReportService.recomputable_pools: all for an admin, their own for a
        manager), one pool at a time. `on_pool(done, total)` is called before each pool and
        once at the end; an exception it raises (a cancelled job) stops the run between
        pools, the snapshots already written staying written (each is complete on its own)."""
        pool_ids = self._reports.recomputable_pools(actor)
        started = time.perf_counter()
        computed = 0
        for done, pool_id in enumerate(pool_ids):
            if on_pool is not None:
                on_pool(done, len(pool_ids))
            if self._reports.recomputable(actor, pool_id):
                computed += self.refresh_pool(pool_id, as_of, force=force).computed
        if on_pool is not None:
            on_pool(len(pool_ids), len(pool_ids))
        return Recomputed(len(pool_ids), computed, as_of, time.perf_counter() - started)

    def pool_performance(self, pool_id: int, as_of: date) -> PoolPerformance | None:
        """The stored performance if it is at the pool's current ledger version, else None."""
        return stored_pool_performance(self._db, pool_id, as_of, self._ledger.ledger_version(pool_id))
