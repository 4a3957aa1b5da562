"""The figures behind the reports, computed from the books as they stood on a date: a pool's
performance, an investor's across their pools, and a capital account statement.

No authorisation here (the caller has decided): the report service's API methods check the
actor first, and a snapshot task runs these per pool/investor and date. The books are read
through the ledger service (never its tables), replayed by reports.history and turned into
figures by reports.performance and reports.statements; a report is served from the worker's
snapshot or the aggregate cache while the pool's ledger version has not moved.

:class:`ReportComputations` is the base of reports.service.DatabaseReportService (not a
service of its own): the reading and replaying steps are methods on the one instance, so a
caller (or a test counting replays) sees one object.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from backend.finance.investor_terms import InvestorTerms
from backend.finance.money import get_currency
from backend.investors.interface import InvestorService
from backend.platform.actors import Actor
from backend.platform.aggregate_cache import AggregateCache, aggregate_key
from backend.platform.db import Database
from backend.platform.errors import ValidationFailed
from backend.platform.orm import utcnow
from backend.pools.interface import PoolOut, PoolService
from ledger.interface import MAX_PAGE, LedgerService, PoolTerms, investor_terms, pool_terms
from reports.benchmarks import BenchmarkRegister
from reports.class_history import ClassTerms
from reports.history import PoolHistory, investor_history, pool_history
from reports.journal import BookEntry, Flow
from reports.money_weighted import Levels, money_weighted
from reports.performance import investor_pool_performance
from reports.performance import pool_performance as _pool_performance
from reports.schemas import (
    CapitalAccountStatement,
    CurrencyTotal,
    InvestorPerformance,
    InvestorPoolPerformance,
    PoolPerformance,
)
from reports.snapshot_reads import stored_pool_performance
from reports.statements import capital_account_statement

DEFINITIONS = "4"
"""Which definitions the cached reports were computed under, part of every cache key: 4 is
the unit price with distributions reinvested (but in a pool with share classes, its value
linked at every entry, and each class's own figures from the books after every entry, its
prices, returns and money-weighted figures, in the NAV history too), the GP's carry paid out of the pool in
the closed-ended index, and the LPs' figures net of accrued carry. A report cached under other
definitions is never served, even at the same ledger version (a stored snapshot from
before them lacks the new fields and is recomputed too)."""


def _today() -> date:
    return utcnow().date()


class _InvestorPoolFigures(BaseModel):
    """An investor's figures in one pool, as the aggregate cache keeps them."""

    performance: InvestorPoolPerformance | None
    flows: list[tuple[date, Decimal, Decimal, Decimal]]  # (day, paid in, received, carry paid)
    value: Decimal  # net of accrued carried interest
    accrued_carry: Decimal = Decimal(0)


_Report = TypeVar("_Report", bound=BaseModel)


def _benchmark_version(levels: Levels | None) -> str | None:
    """Levels can be loaded at any time: the key must change when they do."""
    if levels is None:
        return None
    return levels.fingerprint()


def class_terms(pool: PoolOut) -> list[ClassTerms]:
    """The pool's share classes as the class returns read them (none: no classes)."""
    return [
        ClassTerms(
            c.class_id,
            c.name,
            c.currency or pool.base_currency,
            c.initial_nav_per_unit or pool.initial_nav_per_unit,
        )
        for c in pool.share_classes
    ]


def _carry_terms(pool: PoolOut) -> PoolTerms | None:
    """The posting terms a hypothetical liquidation runs under (the ledger's own reading of the
    pool), for a closed-ended pool with a waterfall; None for any other pool: nothing accrues."""
    if pool.kind.value != "closed_ended" or pool.waterfall is None:
        return None
    return pool_terms(pool)


class ReportComputations:
    """The figures, from the services the books are read through, the benchmark register and
    the aggregate cache (the report service's constructor)."""

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
        self._benchmarks = BenchmarkRegister(db)

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
        benchmark = self._benchmarks.benchmark_of(pool.id)
        resolved = pool

        def compute() -> PoolPerformance:
            # Carried interest accrues at the report's end: the LPs' figures there are net of it.
            history = self._pool_history(resolved, as_of, actor, carry_on=(end,))
            first = start or history.track_start
            if first >= end:
                raise ValidationFailed(f"start: {first} is not before end {end}", field="start")
            return _pool_performance(
                history,
                kind=resolved.kind.value,
                start=first,
                end=end,
                benchmark=benchmark,
                classes=class_terms(resolved),
            )

        if fresh:
            return compute()
        letters_changed = self._side_letters_changed_at(pool)
        if start is None and end == as_of and benchmark is None:
            # The worker's snapshot, when it is at the pool's current ledger version.
            try:
                stored = stored_pool_performance(
                    self._db,
                    pool.id,
                    as_of,
                    self._ledger.ledger_version(pool.id),
                    terms_changed_at=letters_changed,
                )
            except ValidationError:
                stored = None  # stored under earlier definitions (fields it lacks): recompute
            if stored is not None:
                return stored
        params = {"as_of": as_of, "start": start, "end": end, "benchmark": _benchmark_version(benchmark)}
        letters = self._side_letters_key(pool)
        return self._cached("pool_performance", pool.id, params, compute, PoolPerformance, letters=letters)

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
            return self._figures_from(
                pool, entries, lambda: self._carry_history(pool, entries, as_of), investor_id, as_of
            )

        params = {"investor_id": investor_id, "as_of": as_of}
        return self._cached(
            "investor_pool",
            pool.id,
            params,
            compute,
            _InvestorPoolFigures,
            letters=self._side_letters_key(pool),
        )

    def warm_investor_figures(self, pool_id: int, as_of: date) -> int:
        """Every investor's part of the pool as of `as_of` into the aggregate cache (a snapshot
        task, off the request path): the pool's history is replayed once for them all, where a
        dashboard missing the cache replays it for its one investor (seconds at the large set).
        Keyed by the ledger version read before the entries, so a value is never filed under a
        version newer than the entries it was worked out from. Returns how many were cached."""
        if self._aggregates is None:
            return 0
        pool = self._pools.pool_terms(pool_id)
        version = self._ledger.ledger_version(pool.id)
        letters = self._side_letters_key(pool)
        entries = self._entries(pool.id, as_of, None)
        investors = sorted({inv for e in entries for _, inv, _ in e.lines if inv is not None})
        history: list[PoolHistory] = []

        def carry_history() -> PoolHistory:
            if not history:
                history.append(self._carry_history(pool, entries, as_of))
            return history[0]

        for investor_id in investors:
            figures = self._figures_from(pool, entries, carry_history, investor_id, as_of)
            params = {"investor_id": investor_id, "as_of": as_of}
            self._aggregates.get_or_compute(
                "investor_pool",
                _report_key("investor_pool", pool.id, version, params, letters),
                _already(figures),
                dump=lambda r: r.model_dump_json().encode(),
                load=_InvestorPoolFigures.model_validate_json,
            )
        return len(investors)

    def _carry_history(self, pool: PoolOut, entries: list[BookEntry], as_of: date) -> PoolHistory:
        # The pool's history marks the carried interest an investor's stake is net of.
        return self._history_from(pool, entries, as_of, carry_on=(as_of,))

    @staticmethod
    def _figures_from(
        pool: PoolOut,
        entries: list[BookEntry],
        pool_history: Callable[[], PoolHistory],
        investor_id: int,
        as_of: date,
    ) -> _InvestorPoolFigures:
        mine = investor_history(entries, investor_id=investor_id, pool_id=pool.id, as_of=as_of)
        if not mine.points:
            return _InvestorPoolFigures(performance=None, flows=[], value=Decimal(0))
        performance = investor_pool_performance(mine, pool_history(), kind=pool.kind.value, end=as_of)
        accrued = performance.accrued_carried_interest
        return _InvestorPoolFigures(
            performance=performance,
            flows=mine.flows(as_of),
            value=mine.value_on(as_of) - accrued,
            accrued_carry=accrued,
        )

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
            investor_terms=self._side_letters(pool),
            commitments=self._deal_commitments(pool),
        )

    # -- reading and replaying the books ---------------------------------------------------

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
    ) -> PoolHistory:
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
            investor_terms=self._side_letters(pool),
            share_classes=class_terms(pool),
            commitments=self._deal_commitments(pool),
        )

    def _side_letters_changed_at(self, pool: PoolOut) -> datetime | None:
        """When the pool's side letters last changed (a withdrawal too): they change the
        accrued carry without a ledger entry. None where no carry accrues (nothing to read)."""
        if _carry_terms(pool) is None:
            return None
        return self._investors.side_letters_changed_at(pool.id)

    def _side_letters_key(self, pool: PoolOut) -> str | None:
        """The pool's side letters in force, as a cache key part: what they say, not when they
        changed (two changes within a second, or a withdrawal, never reuse a stale figure).
        None where no carry accrues (nothing to read)."""
        if _carry_terms(pool) is None:
            return None
        letters = self._investors.side_letters_for_pool(pool.id)
        said = sorted(
            (investor, letter.model_dump_json(exclude={"updated_at", "reference"}))
            for investor, letter in letters.items()
        )
        return hashlib.sha256(repr(said).encode()).hexdigest()[:32]

    def _deal_commitments(self, pool: PoolOut) -> dict[int, Decimal]:
        """What funds an American pool's deals, as the ledger funds them (its clawback test
        caps the accrued carry); nothing to read for any other pool."""
        terms = _carry_terms(pool)
        if terms is None or not terms.deal_by_deal:
            return {}
        return dict(self._investors.commitments_for_pool(pool.id))

    def _side_letters(self, pool: PoolOut) -> dict[int, InvestorTerms]:
        """Side letters lower some investors' carry in the accrual as in a distribution."""
        if _carry_terms(pool) is None:
            return {}
        return investor_terms(self._investors.side_letters_for_pool(pool.id))

    def _pool_history(
        self, pool: PoolOut, as_of: date, actor: Actor | None, *, carry_on: tuple[date, ...] = ()
    ) -> PoolHistory:
        return self._history_from(pool, self._entries(pool.id, as_of, actor), as_of, carry_on=carry_on)

    def _cached(
        self,
        aggregate: str,
        pool_id: int,
        params: Mapping[str, object],
        compute: Callable[[], _Report],
        model: type[_Report],
        *,
        letters: str | None,
    ) -> _Report:
        """The report from the aggregate cache, keyed by the pool's ledger version (a new entry
        makes every cached report of the pool unreachable at once) and by the side letters in
        force (they change the accrued carry without an entry)."""
        if self._aggregates is None:
            return compute()
        key = _report_key(aggregate, pool_id, self._ledger.ledger_version(pool_id), params, letters)
        return self._aggregates.get_or_compute(
            aggregate,
            key,
            compute,
            dump=lambda r: r.model_dump_json().encode(),
            load=model.model_validate_json,
        )


def _report_key(
    aggregate: str, pool_id: int, version: int, params: Mapping[str, object], letters: str | None
) -> str:
    """A report's cache key: its parameters, the definitions it was computed under (a changed
    definition is never served from the cache) and the side letters in force."""
    return aggregate_key(
        aggregate, pool_id, version, {**params, "definitions": DEFINITIONS, "side_letters": letters}
    )


def _already(figures: _InvestorPoolFigures) -> Callable[[], _InvestorPoolFigures]:
    return lambda: figures
