"""The report service: performance of pools and investors, NAV history, capital account
statements and benchmark indices, all from the books as they stood on any date.

Authorisation is decided here, per object, the way the transaction service decides it for
positions and holdings: pool-level reports (performance, NAV history) for admins, the pool's
managers and analysts granted the pool; investor-level reports (performance, statements)
for admins, the investor themselves, and managers for the pools they manage. Anyone else
gets NotFound, as if the pool or investor did not exist.

The computations are the `compute_*` methods (no actor: the caller has decided), inherited
from reports.computations, so a snapshot task can run them per pool/investor and date; the
benchmark tables this service owns are reports.benchmarks', reached through the methods
here after the pool's own checks. FX reference rates and the quotes that convert figures into
a user's reporting currency are reports.fx's (shared reference data, no pool checks).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date

from sqlalchemy import delete
from sqlalchemy.orm import Session

from backend.audit.interface import AuditService
from backend.investors.interface import InvestorService
from backend.platform.actors import Actor, Role
from backend.platform.aggregate_cache import AggregateCache
from backend.platform.db import Database
from backend.platform.errors import NotFound, PermissionDenied, ValidationFailed
from backend.platform.fields import DATE_MAX, DATE_MIN
from backend.pools.interface import PoolOut, PoolService
from ledger.interface import LedgerService
from reports.computations import ReportComputations, class_terms
from reports.fx import FxRegister
from reports.models import PoolSnapshot, PositionSnapshot
from reports.performance import MAX_DAILY_POINTS
from reports.performance import nav_history as _nav_history
from reports.schemas import (
    BenchmarkCreate,
    BenchmarkLevelOut,
    BenchmarkLevelsIn,
    BenchmarkOut,
    CapitalAccountStatement,
    Frequency,
    FxQuotes,
    FxRateOut,
    FxRatesIn,
    FxRatesLoaded,
    InvestorPerformance,
    LevelsLoaded,
    NavHistory,
    PoolBenchmarkOut,
    PoolPerformance,
)
from reports.statements import parse_period, statement_xlsx, to_date


def _refuse_unsupported(**dates: date | None) -> None:
    """Reports step past the dates they are given (the next day, a month's end), and the
    calendar stops at 9999-12-31: a date outside what the service supports is refused."""
    for field, value in dates.items():
        if value is not None and not DATE_MIN <= value <= DATE_MAX:
            raise ValidationFailed(
                f"{field}: {value} is outside the dates reports cover, {DATE_MIN} to {DATE_MAX}", field=field
            )


class DatabaseReportService(ReportComputations):
    """The one implementation the container binds; constructed with the database, the ledger,
    pools and investors services (and optionally ``today`` and the aggregate cache), as
    reports.computations.ReportComputations takes them, plus the audit service that records
    FX rate loads and corrections)."""

    def __init__(
        self,
        db: Database,
        ledger: LedgerService,
        pools: PoolService,
        investors: InvestorService,
        *,
        today: Callable[[], date] | None = None,
        aggregates: AggregateCache | None = None,
        audit: AuditService | None = None,
    ) -> None:
        if today is None:
            super().__init__(db, ledger, pools, investors, aggregates=aggregates)
        else:
            super().__init__(db, ledger, pools, investors, today=today, aggregates=aggregates)
        self._fx = FxRegister(db, audit)

    # -- pool reports ----------------------------------------------------------------------

    def pool_performance(
        self,
        actor: Actor,
        pool_id: int,
        *,
        as_of: date | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> PoolPerformance:
        _refuse_unsupported(as_of=as_of, start=start, end=end)
        pool = self._readable_pool(actor, pool_id)
        return self.compute_pool_performance(pool, as_of=as_of, start=start, end=end, actor=actor)

    def nav_history(
        self,
        actor: Actor,
        pool_id: int,
        *,
        start: date | None = None,
        end: date | None = None,
        frequency: Frequency = Frequency.DAILY,
    ) -> NavHistory:
        _refuse_unsupported(start=start, end=end)
        pool = self._readable_pool(actor, pool_id)
        end = end or self._today()
        start = start or pool.inception_date
        if end < start:
            raise ValidationFailed(f"end: {end} is before start {start}", field="end")
        if frequency is Frequency.DAILY and (end - start).days >= MAX_DAILY_POINTS:
            raise ValidationFailed(
                f"start: at most {MAX_DAILY_POINTS} daily points; ask for monthly", field="start"
            )
        last = end

        def compute() -> NavHistory:
            history = self._pool_history(pool, last, actor)
            return _nav_history(
                history, start=start, end=last, frequency=frequency, classes=class_terms(pool)
            )

        params = {"start": start, "end": end, "frequency": frequency.value}
        # No carry is marked on a NAV history (no carry_on dates): side letters cannot move it.
        return self._cached("nav_history", pool.id, params, compute, NavHistory, letters=None)

    # -- investor reports ------------------------------------------------------------------

    def investor_performance(
        self, actor: Actor, investor_id: int, *, as_of: date | None = None
    ) -> InvestorPerformance:
        _refuse_unsupported(as_of=as_of)
        visible = self._investor_pools(actor, investor_id)
        on = as_of or self._today()
        return self.compute_investor_performance(investor_id, visible, as_of=on, actor=actor)

    def statement(
        self,
        actor: Actor,
        investor_id: int,
        pool_id: int,
        *,
        period: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> CapitalAccountStatement:
        _refuse_unsupported(start=start, end=end)
        outside = ValidationFailed(
            f"period: {period} is outside the dates reports cover, {DATE_MIN} to {DATE_MAX}", field="period"
        )
        try:
            label, first, last = parse_period(period, start, end)
        except (ValueError, OverflowError):
            # A year whose first or last day the calendar cannot make ("0000", "9999-Q4").
            raise outside from None
        if first < DATE_MIN or last > DATE_MAX:
            raise outside
        if pool_id not in self._investor_pools(actor, investor_id, pool_id=pool_id):
            raise NotFound(f"investor {investor_id} has no account in pool {pool_id}", field="pool_id")
        shown, last = to_date(label, first, last, self._today()) if period is not None else (label, last)
        statement = self.compute_statement(investor_id, pool_id, label, first, last, actor=actor)
        # Named as the reader sees them, so a statement read alone says whose and which pool;
        # `period` stays the one asked for (document references are made of it).
        names = self._investors.legal_names(actor, [investor_id])
        return statement.model_copy(
            update={
                "period_label": shown,
                "investor_name": names.get(investor_id, ""),
                "pool_name": self._pools.pool_terms(pool_id).name,
            }
        )

    def statement_xlsx(self, statement: CapitalAccountStatement) -> bytes:
        return statement_xlsx(statement)

    def recomputable_pools(self, actor: Actor) -> list[int]:
        """The pools whose snapshots the actor may recompute: every pool for an admin, the
        pools they manage for a manager; anyone else is refused."""
        if actor.is_admin:
            return self._pools.all_pool_ids()
        if actor.role is not Role.MANAGER or actor.user_id is None:
            raise PermissionDenied("only admins and managers recompute snapshots")
        return self._listed_pools(actor)  # a manager is listed on exactly the pools they manage

    def _listed_pools(self, actor: Actor) -> list[int]:
        found: list[int] = []
        cursor: int | None = None
        while True:
            page = self._pools.list_pools(actor, cursor=cursor, limit=200)
            found += [p.id for p in page.items]
            if page.next_cursor is None:
                return found
            cursor = page.next_cursor

    def recomputable(self, actor: Actor, pool_id: int) -> bool:
        """Whether the actor may (still) recompute this pool's snapshot."""
        return actor.role in (Role.ADMIN, Role.MANAGER) and self._pools.can_manage(actor, pool_id)

    # -- benchmarks (reports.benchmarks) ---------------------------------------------------

    def create_benchmark(self, actor: Actor, request: BenchmarkCreate) -> BenchmarkOut:
        return self._benchmarks.create_benchmark(actor, request)

    def list_benchmarks(self, actor: Actor) -> list[BenchmarkOut]:
        return self._benchmarks.list_benchmarks(actor, self._benchmark_pools(actor))

    def get_benchmark(self, actor: Actor, benchmark_id: int) -> BenchmarkOut:
        return self._benchmarks.get_benchmark(actor, benchmark_id, self._benchmark_pools(actor))

    def load_levels(self, actor: Actor, benchmark_id: int, request: BenchmarkLevelsIn) -> LevelsLoaded:
        """Store levels (JSON rows and/or CSV text); a date already stored is replaced."""
        return self._benchmarks.load_levels(actor, benchmark_id, request)

    def levels(
        self, actor: Actor, benchmark_id: int, *, start: date | None = None, end: date | None = None
    ) -> list[BenchmarkLevelOut]:
        pools = self._benchmark_pools(actor)
        return self._benchmarks.levels(actor, benchmark_id, pools, start=start, end=end)

    def set_pool_benchmark(self, actor: Actor, pool_id: int, benchmark_id: int) -> PoolBenchmarkOut:
        self._pools.require_manage(actor, pool_id)
        return self._benchmarks.set_pool_benchmark(actor, pool_id, benchmark_id)

    def forget_pool(self, session: Session, pool_id: int) -> None:
        """A deleted pool's benchmark assignment and snapshots go with it (called by the pool
        service inside the deleting transaction), so a later pool never inherits them."""
        self._benchmarks.forget_pool(session, pool_id)
        session.execute(delete(PoolSnapshot).where(PoolSnapshot.pool_id == pool_id))
        session.execute(delete(PositionSnapshot).where(PositionSnapshot.pool_id == pool_id))

    def pool_benchmark(self, actor: Actor, pool_id: int) -> PoolBenchmarkOut:
        self._readable_pool(actor, pool_id)
        return self._benchmarks.pool_benchmark(actor, pool_id)

    # -- FX rates and reporting currency (reports.fx) ---------------------------------------

    def load_fx_rates(self, actor: Actor, request: FxRatesIn | str) -> FxRatesLoaded:
        """Store FX rates (admins): JSON rows and/or the ECB's CSV, or CSV text alone. A stored
        (date, currency) given another value is replaced and the correction audited."""
        body = FxRatesIn(csv=request) if isinstance(request, str) else request
        return self._fx.load(actor, body)

    def list_fx_rates(
        self,
        actor: Actor,
        start: date | None = None,
        end: date | None = None,
        currencies: Collection[str] | None = None,
    ) -> list[FxRateOut]:
        _refuse_unsupported(start=start, end=end)
        return self._fx.list_rates(actor, start=start, end=end, currencies=currencies)

    def fx_rates_in_force(self, actor: Actor, on: date | None = None) -> list[FxRateOut]:
        on = on or self._today()
        _refuse_unsupported(on=on)
        return self._fx.rates_in_force(actor, on)

    def fx_quotes(self, actor: Actor, wanted: Collection[tuple[str, date]], to_currency: str) -> FxQuotes:
        for _, on in wanted:
            _refuse_unsupported(on=on)
        return self._fx.quotes(actor, wanted, to_currency)

    # -- who may see what ------------------------------------------------------------------

    def _benchmark_pools(self, actor: Actor) -> list[int] | None:
        """The pools whose benchmark the actor may read (None: all of them, an admin): the
        pools they are listed on, or for an investor the pools they hold."""
        if actor.is_admin:
            return None
        if actor.role is Role.INVESTOR:
            own = self._investors.investor_for_user(actor.user_id) if actor.user_id is not None else None
            return [] if own is None else list(self._ledger.pools_of_investor(own.id, actor=actor))
        return self._listed_pools(actor)

    def _readable_pool(self, actor: Actor, pool_id: int) -> PoolOut:
        if actor.role is Role.INVESTOR:
            raise NotFound(f"pool {pool_id} not found")  # investors read /investors/{id}/performance
        return self._pools.get_pool(actor, pool_id)

    def _investor_pools(self, actor: Actor, investor_id: int, *, pool_id: int | None = None) -> list[int]:
        """The pools of this investor whose figures the actor may see; NotFound if none may be."""
        if actor.role is Role.ANALYST:
            raise NotFound(f"investor {investor_id} not found")
        if actor.role is Role.INVESTOR:
            own = self._investors.investor_for_user(actor.user_id) if actor.user_id is not None else None
            if own is None or own.id != investor_id:
                raise NotFound(f"investor {investor_id} not found")
        self._investors.kyc_status(investor_id)  # NotFound for an unknown investor
        held = set(self._ledger.pools_of_investor(investor_id, actor=actor))
        if pool_id is not None and pool_id not in held and self._committed(investor_id, pool_id):
            held.add(pool_id)
        pools = sorted(held)
        if actor.role is Role.MANAGER:
            pools = [p for p in pools if self._pools.can_manage(actor, p)]
            if not pools:
                raise NotFound(f"investor {investor_id} not found")
        return pools

    def _committed(self, investor_id: int, pool_id: int) -> bool:
        try:
            return investor_id in dict(self._investors.commitments_for_pool(pool_id))
        except NotFound:
            return False
