"""Benchmark indices: the register of benchmarks a pool's performance is compared with,
their levels by date (loaded as JSON rows or `date,level` CSV), and which benchmark each
pool is measured against. The tables are the report service's own (reports.models).

Who may change what: admins and managers maintain benchmarks; a benchmark an admin creates
is shared reference data only an admin changes, one a manager creates is theirs alone to
load and attach (its levels move the reported performance of every pool it is on). Who may
read one: anyone, if it is shared; otherwise its creator, an admin, and whoever may read a
pool it is attached to (it is part of that pool's reported performance). Which pools those
are, and whether the actor may manage or read the *pool*, is the report service's check,
made before it calls the register.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from datetime import date
from decimal import Decimal

from pydantic import ValidationError
from sqlalchemy import ColumnElement, delete, false, func, insert, or_, select
from sqlalchemy.orm import Session

from backend.finance.money import get_currency
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from reports.models import Benchmark, BenchmarkLevel, PoolBenchmark
from reports.money_weighted import Levels
from reports.schemas import (
    BenchmarkCreate,
    BenchmarkLevelOut,
    BenchmarkLevelsIn,
    BenchmarkOut,
    LevelsLoaded,
    PoolBenchmarkOut,
)
from reports.schemas import BenchmarkLevel as BenchmarkLevelIn

LEVEL_PLACES = 6
MAX_LEVEL = Decimal(10) ** 12
"""Above any index level there is; the column (a BIGINT at 6 places) holds up to 9.2e12."""
_CHUNK = 500


def _readable_by(actor: Actor, pools: Collection[int] | None) -> ColumnElement[bool]:
    """The benchmarks `actor` may read, given the pools they may read (None: every pool, an
    admin). A private benchmark's name and levels are its manager's: another manager sees it
    neither in the list nor by id."""
    if pools is None:
        return Benchmark.id.is_not(None)
    attached = select(PoolBenchmark.benchmark_id).where(PoolBenchmark.pool_id.in_(list(pools)))
    mine = Benchmark.created_by_user_id == actor.user_id if actor.user_id is not None else false()
    return or_(Benchmark.shared.is_(True), mine, Benchmark.id.in_(attached))


def levels_from_csv(text: str) -> list[BenchmarkLevelIn]:
    """Parse `date,level` CSV (header required, ISO dates, decimal levels, no thousands separators)."""
    try:
        return _levels(text)
    except csv.Error as exc:  # a stray carriage return, an unclosed quote: the file, not us
        raise ValidationFailed(f"csv: not readable as CSV: {exc}", field="csv") from None


def _levels(text: str) -> list[BenchmarkLevelIn]:
    # newline="": the csv module reads \r, \n and \r\n line ends itself, as its docs ask.
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
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


def _require_staff_writer(actor: Actor) -> None:
    """Admins and managers maintain benchmarks; every role may read them (reference data)."""
    if actor.role not in (Role.ADMIN, Role.MANAGER):
        raise PermissionDenied("only admins and managers maintain benchmarks")


class BenchmarkRegister:
    """The benchmark tables, read and written in their own units of work."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def create_benchmark(self, actor: Actor, request: BenchmarkCreate) -> BenchmarkOut:
        _require_staff_writer(actor)
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

    def list_benchmarks(self, actor: Actor, pools: Collection[int] | None) -> list[BenchmarkOut]:
        """The benchmarks the actor may read; `pools` are the pools they may read (None: all)."""
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
            rows = view.session.scalars(
                select(Benchmark).where(_readable_by(actor, pools)).order_by(Benchmark.id)
            ).all()
            return [_benchmark_out(r, *stats.get(r.id, (None, None, 0))) for r in rows]

    def get_benchmark(self, actor: Actor, benchmark_id: int, pools: Collection[int] | None) -> BenchmarkOut:
        for found in self.list_benchmarks(actor, pools):
            if found.id == benchmark_id:
                return found
        raise NotFound(f"benchmark {benchmark_id} not found", field="benchmark_id")

    def load_levels(self, actor: Actor, benchmark_id: int, request: BenchmarkLevelsIn) -> LevelsLoaded:
        """Store levels (JSON rows and/or CSV text); a date already stored is replaced."""
        _require_staff_writer(actor)
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
        self,
        actor: Actor,
        benchmark_id: int,
        pools: Collection[int] | None,
        *,
        start: date | None = None,
        end: date | None = None,
    ) -> list[BenchmarkLevelOut]:
        with ReadView(self._db, actor.reader_key) as view:
            readable = view.session.scalar(
                select(Benchmark.id).where(Benchmark.id == benchmark_id, _readable_by(actor, pools))
            )
            if readable is None:
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
        """Measure the pool against the benchmark; the caller has checked the actor manages the pool."""
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
        """A deleted pool's benchmark assignment goes with it, in the deleting transaction."""
        session.execute(delete(PoolBenchmark).where(PoolBenchmark.pool_id == pool_id))

    def pool_benchmark(self, actor: Actor, pool_id: int) -> PoolBenchmarkOut:
        """The pool's benchmark; the caller has checked the actor may read the pool."""
        with ReadView(self._db, actor.reader_key) as view:
            row = view.session.execute(
                select(PoolBenchmark.benchmark_id, Benchmark.name)
                .join(Benchmark, Benchmark.id == PoolBenchmark.benchmark_id)
                .where(PoolBenchmark.pool_id == pool_id)
            ).first()
        if row is None:
            raise NotFound(f"pool {pool_id} has no benchmark", field="pool_id")
        return PoolBenchmarkOut(pool_id=pool_id, benchmark_id=row[0], name=row[1])

    def benchmark_of(self, pool_id: int) -> Levels | None:
        """The levels of the benchmark the pool is measured against; None without one."""
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
