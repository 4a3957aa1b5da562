"""The figures behind the reports, computed from the books as they stood on a date: a pool's
performance, an investor's across their pools, and a capital account statement.

No authorisation here (the caller has decided): the report service's API methods check the
actor first, and a snapshot task runs these per pool/investor and date. The books are read
through the ledger service (never its tables), replayed by reports.history and turned into
figures by reports.performance and reports.statements; a report is served from the worker's
snapshot or the aggregate cache while the pool's ledger version has not moved.

:class:`ReportComputations` is the base of reports.service.DatabaseReportService (not a
service of its own): the reading and replaying steps are methods on the one instance, so a
caller (or a test counting replays) sees one object. Those steps, and the aggregate cache's
keys, are its own base class reports.book_replays.BookReplays.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ValidationError

from backend.finance.money import get_currency
from backend.investors.interface import InvestorService
from backend.platform.actors import Actor
from backend.platform.aggregate_cache import AggregateCache
from backend.platform.db import Database
from backend.platform.errors import ValidationFailed
from backend.platform.orm import utcnow
from backend.pools.interface import PoolOut, PoolService
from ledger.interface import LedgerService
from reports.benchmarks import BenchmarkRegister
from reports.book_replays import DEFINITIONS, BookReplays, _carry_terms, _report_key, class_terms
from reports.history import PoolHistory, investor_history
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

# The cache's definitions and the pool's share classes are reports.book_replays'; named here as before.
__all__ = ["DEFINITIONS", "ReportComputations", "class_terms"]


def _today() -> date:
    return utcnow().date()


class _InvestorPoolFigures(BaseModel):
    """An investor's figures in one pool, as the aggregate cache keeps them."""

    performance: InvestorPoolPerformance | None
    flows: list[tuple[date, Decimal, Decimal, Decimal]]  # (day, paid in, received, carry paid)
    value: Decimal  # net of accrued carried interest
    accrued_carry: Decimal = Decimal(0)


def _benchmark_version(levels: Levels | None) -> str | None:
    """Levels can be loaded at any time: the key must change when they do."""
    if levels is None:
        return None
    return levels.fingerprint()


class ReportComputations(BookReplays):
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
        terms = self._pools.terms_of_pools(pool_ids)
        versions = self._ledger.ledger_versions(pool_ids, actor=actor) if self._aggregates is not None else {}
        for pool_id in pool_ids:
            pool = terms[pool_id]
            figures = self._investor_pool_figures(pool, investor_id, as_of, actor, versions.get(pool_id))
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
        self, pool: PoolOut, investor_id: int, as_of: date, actor: Actor | None, version: int | None = None
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
            version=version,
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


def _already(figures: _InvestorPoolFigures) -> Callable[[], _InvestorPoolFigures]:
    return lambda: figures
