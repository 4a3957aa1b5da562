"""The report service: performance of pools and investors, NAV history, capital account
statements and benchmark indices, all from the books as they stood on any date.

Authorisation is decided here, per object, the way the transaction service decides it for
positions and holdings: pool-level reports (performance, NAV history) for admins, the pool's
managers and analysts granted the pool; investor-level reports (performance, statements)
for admins, the investor themselves, and managers for the pools they manage. Anyone else
gets NotFound, as if the pool or investor did not exist.

The computations are the `compute_*` methods (no actor: the caller has decided), so a
snapshot task can run them per pool/investor and date; the rest is reading the books
through the ledger service (never its tables) and the benchmark tables this service owns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from backend.finance.money import get_currency
from backend.investors.service import InvestorService
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.platform.fields import DATE_MAX, DATE_MIN
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from backend.pools.schemas import PoolOut
from backend.pools.service import PoolService
from ledger.posting_rules import PoolTerms
from ledger.service import MAX_PAGE, LedgerService
from ledger.transactions import pool_terms
from reports.aggregate_cache import AggregateCache, aggregate_key
from reports.history import BookEntry, Flow, investor_history, pool_history
from reports.history import PoolHistory as _PoolHistory
from reports.models import Benchmark, BenchmarkLevel, PoolBenchmark, PoolSnapshot, PositionSnapshot
from reports.performance import MAX_DAILY_POINTS, Levels, investor_pool_performance, money_weighted
from reports.performance import nav_history as _nav_history
from reports.performance import pool_performance as _pool_performance
from reports.schemas import (
    BenchmarkCreate,
    BenchmarkLevelOut,
    BenchmarkLevelsIn,
    BenchmarkOut,
    CapitalAccountStatement,
    CurrencyTotal,
    Frequency,
    InvestorPerformance,
    InvestorPoolPerformance,
    LevelsLoaded,
    NavHistory,
    PoolBenchmarkOut,
    PoolPerformance,
)
from reports.schemas import BenchmarkLevel as BenchmarkLevelIn
from reports.snapshot_reads import stored_pool_performance
from reports.statements import capital_account_statement, parse_period, statement_xlsx

LEVEL_PLACES = 6
MAX_LEVEL = Decimal(10) ** 12
"""Above any index level there is; the column (a BIGINT at 6 places) holds up to 9.2e12."""
_CHUNK = 500
DEFINITIONS = "2"
"""Which definitions the cached reports were computed under, part of every cache key: 2 is
the unit price with distributions reinvested, the GP's carry paid out of the pool in the
closed-ended index, and the LPs' figures net of accrued carry. A report cached under other
definitions is never served, even at the same ledger version (a stored snapshot from
before them lacks the new fields and is recomputed too)."""


def _today() -> date:
    return utcnow().date()


def _refuse_unsupported(**dates: date | None) -> None:
    """Reports step past the dates they are given (the next day, a month's end), and the
    calendar stops at 9999-12-31: a date outside what the service supports is refused."""
    for field, value in dates.items():
        if value is not None and not DATE_MIN <= value <= DATE_MAX:
            raise ValidationFailed(
                f"{field}: {value} is outside the dates reports cover, {DATE_MIN} to {DATE_MAX}", field=field
            )


def levels_from_csv(text: str) -> list[BenchmarkLevelIn]:
    """Parse `date,level` CSV (header required, ISO dates, decimal levels, no thousands separators)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "date" not in fields or "level" not in fields:
        raise ValidationFailed("csv: the header must name the columns date and level", field="csv")
    out = []
    for number, row in enumerate(reader, start=2):
        clean = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        try:
            # The JSON rows' own type, so a CSV cell is read by the same rules as a JSON value.
            parsed = BenchmarkLevelIn.model_validate({"date": clean["date"], "level": clean["level"]})
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            reason = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
            raise ValidationFailed(f"csv: line {number}: {reason}", field="csv") from None
        out.append(parsed)
    return out


def _benchmark_out(row: Benchmark, first: date | None, last: date | None, count: int) -> BenchmarkOut:
    return BenchmarkOut(
        id=row.id,
        name=row.name,
        currency=row.currency,
        description=row.description,
        first_date=first,
        last_date=last,
        levels=count,
        created_at=row.created_at,
        shared=bool(row.shared),
        created_by_user_id=row.created_by_user_id,
    )


class _InvestorPoolFigures(BaseModel):
    """An investor's figures in one pool, as the aggregate cache keeps them."""

    performance: InvestorPoolPerformance | None
    flows: list[tuple[date, Decimal, Decimal, Decimal]]  # (day, paid in, received, carry paid)
    value: Decimal  # net of accrued carried interest
    accrued_carry: Decimal = Decimal(0)


_Report = TypeVar("_Report", bound=BaseModel)


def _require_benchmark_owner(actor: Actor, benchmark: Benchmark, what: str) -> None:
    """Only an admin, or the manager who created a benchmark that is not shared, changes or
    attaches it: a benchmark's levels move the reported performance of every pool it is on."""
    if actor.is_admin:
        return
    if (
        benchmark.shared
        or benchmark.created_by_user_id is None
        or benchmark.created_by_user_id != actor.user_id
    ):
        owner = "an admin (shared reference data)" if benchmark.shared else "the manager who created it"
        raise PermissionDenied(
            f"benchmark_id: only {owner} {what}; benchmark {benchmark.id} is not yours", field="benchmark_id"
        )


def _benchmark_version(levels: Levels | None) -> str | None:
    """Levels can be loaded at any time: the key must change when they do."""
    if levels is None:
        return None
    return levels.fingerprint()


def _carry_terms(pool: PoolOut) -> PoolTerms | None:
    """The posting terms a hypothetical liquidation runs under (the ledger's own reading of the
    pool), for a closed-ended pool with a waterfall; None for any other pool: nothing accrues."""
    if pool.kind.value != "closed_ended" or pool.waterfall is None:
        return None
    return pool_terms(pool)


class ReportService:
    def __init__(
        self,
        db: Database,
        ledger: LedgerService,
        pools: PoolService,
        investors: InvestorService,
        *,
        today: Callable[[], date] = _today,
        aggregates: AggregateCache | None = None,
    ) -> None:
        self._db = db
        self._ledger = ledger
        self._pools = pools
        self._investors = investors
        self._today = today
        self._aggregates = aggregates

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
            return _nav_history(history, start=start, end=last, frequency=frequency)

        params = {"start": start, "end": end, "frequency": frequency.value}
        return self._cached("nav_history", pool.id, params, compute, NavHistory)

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
        return self.compute_statement(investor_id, pool_id, label, first, last, actor=actor)

    def statement_xlsx(self, statement: CapitalAccountStatement) -> bytes:
        return statement_xlsx(statement)

    def recomputable_pools(self, actor: Actor) -> list[int]:
        """The pools whose snapshots the actor may recompute: every pool for an admin, the
        pools they manage for a manager; anyone else is refused."""
        if actor.is_admin:
            return self._pools.all_pool_ids()
        if actor.role is not Role.MANAGER or actor.user_id is None:
            raise PermissionDenied("only admins and managers recompute snapshots")
        found: list[int] = []
        cursor: int | None = None
        while True:
            page = self._pools.list_pools(actor, cursor=cursor, limit=200)
            found += [p.id for p in page.items]  # a manager sees exactly the pools they manage
            if page.next_cursor is None:
                return found
            cursor = page.next_cursor

    def recomputable(self, actor: Actor, pool_id: int) -> bool:
        """Whether the actor may (still) recompute this pool's snapshot."""
        return actor.role in (Role.ADMIN, Role.MANAGER) and self._pools.can_manage(actor, pool_id)

    # -- computations (no authorisation: for the API after the checks, and snapshot tasks) ---

    def compute_pool_performance(
        self,
        pool: PoolOut | int,
        *,
        as_of: date | None = None,
        start: date | None = None,
        end: date | None = None,
        actor: Actor | None = None,
        fresh: bool = False,
    ) -> PoolPerformance:
        """The pool's performance; `fresh` computes it from the books even when a current
        snapshot or cached report exists (a forced recompute)."""
        if isinstance(pool, int):
            pool = self._pools.pool_terms(pool)
        as_of = as_of or end or self._today()
        end = end or as_of
        if end > as_of:
            raise ValidationFailed(f"end: {end} is after as_of {as_of}", field="end")
        benchmark = self._benchmark_of(pool.id)
        resolved = pool

        def compute() -> PoolPerformance:
            # Carried interest accrues at the report's end: the LPs' figures there are net of it.
            history = self._pool_history(resolved, as_of, actor, carry_on=(end,))
            first = start or history.track_start
            if first >= end:
                raise ValidationFailed(f"start: {first} is not before end {end}", field="start")
            return _pool_performance(
                history, kind=resolved.kind.value, start=first, end=end, benchmark=benchmark
            )

        if fresh:
            return compute()
        if start is None and end == as_of and benchmark is None:
            # The worker's snapshot, when it is at the pool's current ledger version.
            try:
                stored = stored_pool_performance(
                    self._db, pool.id, as_of, self._ledger.ledger_version(pool.id)
                )
            except ValidationError:
                stored = None  # stored under earlier definitions (fields it lacks): recompute
            if stored is not None:
                return stored
        params = {"as_of": as_of, "start": start, "end": end, "benchmark": _benchmark_version(benchmark)}
        return self._cached("pool_performance", pool.id, params, compute, PoolPerformance)

    def compute_investor_performance(
        self, investor_id: int, pool_ids: list[int], *, as_of: date, actor: Actor | None = None
    ) -> InvestorPerformance:
        pools = []
        by_currency: dict[str, list[Flow]] = {}
        values: dict[str, Decimal] = {}
        accrued: dict[str, Decimal] = {}
        for pool_id in pool_ids:
            pool = self._pools.pool_terms(pool_id)
            figures = self._investor_pool_figures(pool, investor_id, as_of, actor)
            if figures.performance is None:
                continue
            pools.append(figures.performance)
            code = pool.base_currency
            by_currency.setdefault(code, []).extend(figures.flows)
            values[code] = values.get(code, Decimal(0)) + figures.value
            accrued[code] = accrued.get(code, Decimal(0)) + figures.accrued_carry
        totals = [
            CurrencyTotal(
                currency=code,
                money_weighted=money_weighted(
                    sorted(flows), values[code], as_of, accrued_carry=accrued[code]
                ),
            )
            for code, flows in sorted(by_currency.items())
        ]
        return InvestorPerformance(investor_id=investor_id, as_of=as_of, pools=pools, totals=totals)

    def _investor_pool_figures(
        self, pool: PoolOut, investor_id: int, as_of: date, actor: Actor | None
    ) -> _InvestorPoolFigures:
        """One pool's part of an investor's performance, cached under the pool's ledger version:
        it is worked out from every entry of the pool (the NAV history the investor's units are
        valued at), too much to read again on every dashboard refresh."""

        def compute() -> _InvestorPoolFigures:
            entries = self._entries(pool.id, as_of, actor)
            mine = investor_history(entries, investor_id=investor_id, pool_id=pool.id, as_of=as_of)
            if not mine.points:
                return _InvestorPoolFigures(performance=None, flows=[], value=Decimal(0))
            # The pool's history marks the carried interest the investor's stake is net of.
            history = self._history_from(pool, entries, as_of, carry_on=(as_of,))
            performance = investor_pool_performance(mine, history, kind=pool.kind.value, end=as_of)
            accrued = performance.accrued_carried_interest
            return _InvestorPoolFigures(
                performance=performance,
                flows=mine.flows(as_of),
                value=mine.value_on(as_of) - accrued,
                accrued_carry=accrued,
            )

        params = {"investor_id": investor_id, "as_of": as_of}
        return self._cached("investor_pool", pool.id, params, compute, _InvestorPoolFigures)

    def compute_statement(
        self,
        investor_id: int,
        pool_id: int,
        period: str,
        start: date,
        end: date,
        *,
        actor: Actor | None = None,
    ) -> CapitalAccountStatement:
        pool = self._pools.pool_terms(pool_id)
        committed = dict(self._investors.commitments_for_pool(pool_id)).get(investor_id, Decimal(0))
        return capital_account_statement(
            self._entries(pool_id, end, actor),
            investor_id=investor_id,
            pool_id=pool_id,
            open_ended=pool.kind.value == "open_ended",
            currency=get_currency(pool.base_currency),
            inception=pool.inception_date,
            initial_nav_per_unit=pool.initial_nav_per_unit,
            period=period,
            start=start,
            end=end,
            committed=committed.quantize(get_currency(pool.base_currency).quantum),
            terms=_carry_terms(pool),
        )

    # -- benchmarks --------------------------------------------------------------------------

    def create_benchmark(self, actor: Actor, request: BenchmarkCreate) -> BenchmarkOut:
        self._require_staff_writer(actor)
        get_currency(request.currency)
        with UnitOfWork(self._db, actor.reader_key) as uow:
            taken = uow.session.scalar(select(Benchmark.id).where(Benchmark.name == request.name))
            if taken is not None:
                raise Conflict(f"name: a benchmark named {request.name!r} exists", field="name")
            row = Benchmark(
                name=request.name,
                currency=request.currency,
                description=request.description,
                created_by_user_id=actor.user_id,
                shared=actor.is_admin,
            )
            uow.session.add(row)
            uow.session.flush()
            uow.session.refresh(row)
            out = _benchmark_out(row, None, None, 0)
            uow.commit()
            return out

    def list_benchmarks(self, actor: Actor) -> list[BenchmarkOut]:
        with ReadView(self._db, actor.reader_key) as view:
            stats = {
                bid: (first, last, count)
                for bid, first, last, count in view.session.execute(
                    select(
                        BenchmarkLevel.benchmark_id,
                        func.min(BenchmarkLevel.level_date),
                        func.max(BenchmarkLevel.level_date),
                        func.count(),
                    ).group_by(BenchmarkLevel.benchmark_id)
                )
            }
            rows = view.session.scalars(select(Benchmark).order_by(Benchmark.id)).all()
            return [_benchmark_out(r, *stats.get(r.id, (None, None, 0))) for r in rows]

    def get_benchmark(self, actor: Actor, benchmark_id: int) -> BenchmarkOut:
        for found in self.list_benchmarks(actor):
            if found.id == benchmark_id:
                return found
        raise NotFound(f"benchmark {benchmark_id} not found", field="benchmark_id")

    def load_levels(self, actor: Actor, benchmark_id: int, request: BenchmarkLevelsIn) -> LevelsLoaded:
        """Store levels (JSON rows and/or CSV text); a date already stored is replaced."""
        self._require_staff_writer(actor)
        rows = list(request.levels) + (levels_from_csv(request.csv) if request.csv else [])
        if not rows:
            raise ValidationFailed("levels: nothing to load", field="levels")
        by_date: dict[date, Decimal] = {}
        for i, row in enumerate(rows):
            level = row.level
            if not 0 < level <= MAX_LEVEL or -level.as_tuple().exponent > LEVEL_PLACES:  # type: ignore[operator]
                raise ValidationFailed(
                    f"levels[{i}].level: must be above 0 and at most {MAX_LEVEL:,f} with at most "
                    f"{LEVEL_PLACES} decimal places, got {level}",
                    field=f"levels[{i}].level",
                )
            by_date[row.date] = level.quantize(Decimal(1).scaleb(-LEVEL_PLACES))
        with UnitOfWork(self._db, actor.reader_key) as uow:
            benchmark = uow.session.get(Benchmark, benchmark_id)
            if benchmark is None:
                raise NotFound(f"benchmark {benchmark_id} not found", field="benchmark_id")
            _require_benchmark_owner(actor, benchmark, "loads its levels")
            days = sorted(by_date)
            for i in range(0, len(days), _CHUNK):
                chunk = days[i : i + _CHUNK]
                uow.session.execute(
                    delete(BenchmarkLevel).where(
                        BenchmarkLevel.benchmark_id == benchmark_id, BenchmarkLevel.level_date.in_(chunk)
                    )
                )
                uow.session.execute(
                    insert(BenchmarkLevel),
                    [{"benchmark_id": benchmark_id, "level_date": d, "level": by_date[d]} for d in chunk],
                )
            uow.commit()
        return LevelsLoaded(
            benchmark_id=benchmark_id, loaded=len(by_date), first_date=days[0], last_date=days[-1]
        )

    def levels(
        self, actor: Actor, benchmark_id: int, *, start: date | None = None, end: date | None = None
    ) -> list[BenchmarkLevelOut]:
        with ReadView(self._db, actor.reader_key) as view:
            if view.session.get(Benchmark, benchmark_id) is None:
                raise NotFound(f"benchmark {benchmark_id} not found", field="benchmark_id")
            stmt = select(BenchmarkLevel.level_date, BenchmarkLevel.level).where(
                BenchmarkLevel.benchmark_id == benchmark_id
            )
            if start is not None:
                stmt = stmt.where(BenchmarkLevel.level_date >= start)
            if end is not None:
                stmt = stmt.where(BenchmarkLevel.level_date <= end)
            rows = view.session.execute(stmt.order_by(BenchmarkLevel.level_date)).all()
            return [BenchmarkLevelOut(date=d, level=level) for d, level in rows]

    def set_pool_benchmark(self, actor: Actor, pool_id: int, benchmark_id: int) -> PoolBenchmarkOut:
        self._pools.require_manage(actor, pool_id)
        with UnitOfWork(self._db, actor.reader_key) as uow:
            benchmark = uow.session.get(Benchmark, benchmark_id)
            if benchmark is None:
                raise ValidationFailed(f"benchmark_id: no benchmark {benchmark_id}", field="benchmark_id")
            if not benchmark.shared:
                _require_benchmark_owner(actor, benchmark, "attaches it to a pool")
            row = uow.session.get(PoolBenchmark, pool_id)
            if row is None:
                row = PoolBenchmark(pool_id=pool_id, benchmark_id=benchmark_id)
                row.updated_by_user_id = actor.user_id
                uow.session.add(row)
            else:
                row.benchmark_id = benchmark_id
                row.updated_at = utcnow()
                row.updated_by_user_id = actor.user_id
            out = PoolBenchmarkOut(pool_id=pool_id, benchmark_id=benchmark_id, name=benchmark.name)
            uow.commit()
            return out

    def forget_pool(self, session: Session, pool_id: int) -> None:
        """A deleted pool's benchmark assignment and snapshots go with it (called by the pool
        service inside the deleting transaction), so a later pool never inherits them."""
        session.execute(delete(PoolBenchmark).where(PoolBenchmark.pool_id == pool_id))
        session.execute(delete(PoolSnapshot).where(PoolSnapshot.pool_id == pool_id))
        session.execute(delete(PositionSnapshot).where(PositionSnapshot.pool_id == pool_id))

    def pool_benchmark(self, actor: Actor, pool_id: int) -> PoolBenchmarkOut:
        self._readable_pool(actor, pool_id)
        with ReadView(self._db, actor.reader_key) as view:
            row = view.session.execute(
                select(PoolBenchmark.benchmark_id, Benchmark.name)
                .join(Benchmark, Benchmark.id == PoolBenchmark.benchmark_id)
                .where(PoolBenchmark.pool_id == pool_id)
            ).first()
        if row is None:
            raise NotFound(f"pool {pool_id} has no benchmark", field="pool_id")
        return PoolBenchmarkOut(pool_id=pool_id, benchmark_id=row[0], name=row[1])

    # -- helpers -------------------------------------------------------------------------

    def _benchmark_of(self, pool_id: int) -> Levels | None:
        with ReadView(self._db) as view:
            row = view.session.execute(
                select(Benchmark.id, Benchmark.name)
                .join(PoolBenchmark, PoolBenchmark.benchmark_id == Benchmark.id)
                .where(PoolBenchmark.pool_id == pool_id)
            ).first()
            if row is None:
                return None
            levels = view.session.execute(
                select(BenchmarkLevel.level_date, BenchmarkLevel.level).where(
                    BenchmarkLevel.benchmark_id == row[0]
                )
            ).all()
            return Levels(row[0], row[1], [(d, v) for d, v in levels])

    def _entries(self, pool_id: int, until: date, actor: Actor | None) -> list[BookEntry]:
        """Every entry of the pool dated up to ``until``, through the ledger service."""
        out: list[BookEntry] = []
        cursor: str | None = None
        while True:
            page = self._ledger.list_entries(
                pool_id, cursor=cursor, limit=MAX_PAGE, date_to=until, actor=actor
            )
            out += [BookEntry.from_out(e) for e in page.entries]
            if page.next_cursor is None:
                return out
            cursor = page.next_cursor

    def _history_from(
        self, pool: PoolOut, entries: list[BookEntry], as_of: date, *, carry_on: tuple[date, ...] = ()
    ) -> _PoolHistory:
        return pool_history(
            pool_id=pool.id,
            open_ended=pool.kind.value == "open_ended",
            currency=get_currency(pool.base_currency),
            inception=pool.inception_date,
            initial_nav_per_unit=pool.initial_nav_per_unit,
            entries=entries,
            as_of=as_of,
            terms=_carry_terms(pool),
            carry_on=carry_on,
        )

    def _pool_history(
        self, pool: PoolOut, as_of: date, actor: Actor | None, *, carry_on: tuple[date, ...] = ()
    ) -> _PoolHistory:
        return self._history_from(pool, self._entries(pool.id, as_of, actor), as_of, carry_on=carry_on)

    def _cached(
        self,
        aggregate: str,
        pool_id: int,
        params: Mapping[str, object],
        compute: Callable[[], _Report],
        model: type[_Report],
    ) -> _Report:
        """The report from the aggregate cache, keyed by the pool's ledger version: a new entry
        makes every cached report of the pool unreachable at once."""
        if self._aggregates is None:
            return compute()
        params = {**params, "definitions": DEFINITIONS}
        key = aggregate_key(aggregate, pool_id, self._ledger.ledger_version(pool_id), params)
        return self._aggregates.get_or_compute(
            aggregate,
            key,
            compute,
            dump=lambda r: r.model_dump_json().encode(),
            load=model.model_validate_json,
        )

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

    @staticmethod
    def _require_staff_writer(actor: Actor) -> None:
        if actor.role not in (Role.ADMIN, Role.MANAGER):
            raise PermissionDenied("only admins and managers maintain benchmarks")
