"""The report service as its callers see it: performance, NAV history, statements, benchmarks
and snapshots (Protocols), the types that go in and out, and the export writers (CSV, XLSX)
with the datasets they stream.

Callers import this module only. The container binds the implementations (service.py,
snapshots.py), or for ReportService its gRPC client (rpc.py), which implements the same
Protocol."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from typing import Protocol

from backend.platform.actors import Actor
from backend.pools.interface import PoolOut
from reports import datasets
from reports.export_fx import ReportingCurrency
from reports.exports import Column, Kind, Sheet, csv_stream, write_xlsx, xlsx_stream
from reports.fx import convert
from reports.schemas import (
    Amount,
    BenchmarkComparison,
    BenchmarkCreate,
    BenchmarkLevel,
    BenchmarkLevelOut,
    BenchmarkLevelsIn,
    BenchmarkOut,
    CapitalAccountStatement,
    ClassLabel,
    ClassPerformance,
    ClassPricePoint,
    CurrencyTotal,
    Drawdown,
    Frequency,
    FxQuote,
    FxQuotes,
    FxRateIn,
    FxRateOut,
    FxRatesIn,
    FxRatesLoaded,
    HeldClass,
    InvestorPerformance,
    InvestorPoolPerformance,
    LevelsLoaded,
    MoneyWeighted,
    NavHistory,
    NavPoint,
    PeriodReturn,
    PoolBenchmarkIn,
    PoolBenchmarkOut,
    PoolPerformance,
    Recomputed,
    Refreshed,
    Risk,
    StatementFormat,
)
from reports.statements import parse_period, statements_workbook

__all__ = [
    "Amount",
    "BenchmarkComparison",
    "BenchmarkCreate",
    "BenchmarkLevel",
    "BenchmarkLevelOut",
    "BenchmarkLevelsIn",
    "BenchmarkOut",
    "CapitalAccountStatement",
    "ClassLabel",
    "ClassPerformance",
    "ClassPricePoint",
    "Column",
    "CurrencyTotal",
    "Drawdown",
    "Frequency",
    "FxQuote",
    "FxQuotes",
    "FxRateIn",
    "FxRateOut",
    "FxRatesIn",
    "FxRatesLoaded",
    "HeldClass",
    "InvestorPerformance",
    "InvestorPoolPerformance",
    "Kind",
    "LevelsLoaded",
    "MoneyWeighted",
    "NavHistory",
    "NavPoint",
    "PeriodReturn",
    "PoolBenchmarkIn",
    "PoolBenchmarkOut",
    "PoolOut",
    "PoolPerformance",
    "Recomputed",
    "Refreshed",
    "ReportService",
    "ReportingCurrency",
    "Risk",
    "Sheet",
    "SnapshotStore",
    "StatementFormat",
    "convert",
    "csv_stream",
    "datasets",
    "parse_period",
    "statements_workbook",
    "write_xlsx",
    "xlsx_stream",
]


class ReportService(Protocol):
    def pool_performance(
        self,
        actor: Actor,
        pool_id: int,
        *,
        as_of: date | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> PoolPerformance: ...

    def nav_history(
        self,
        actor: Actor,
        pool_id: int,
        *,
        start: date | None = None,
        end: date | None = None,
        frequency: Frequency = Frequency.DAILY,
    ) -> NavHistory: ...

    def investor_performance(
        self, actor: Actor, investor_id: int, *, as_of: date | None = None
    ) -> InvestorPerformance: ...

    def statement(
        self,
        actor: Actor,
        investor_id: int,
        pool_id: int,
        *,
        period: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> CapitalAccountStatement: ...

    def statement_xlsx(self, statement: CapitalAccountStatement) -> bytes: ...

    def recomputable_pools(self, actor: Actor) -> list[int]:
        """The pools whose snapshots the actor may recompute: every pool for an admin, the pools
        they manage for a manager; anyone else is refused."""

    def recomputable(self, actor: Actor, pool_id: int) -> bool:
        """Whether the actor may (still) recompute this pool's snapshot."""

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
        """The pool's performance; `fresh` computes it from the books even when a current snapshot
        or cached report exists (a forced recompute)."""

    def compute_investor_performance(
        self, investor_id: int, pool_ids: list[int], *, as_of: date, actor: Actor | None = None
    ) -> InvestorPerformance: ...

    def compute_statement(
        self,
        investor_id: int,
        pool_id: int,
        period: str,
        start: date,
        end: date,
        *,
        actor: Actor | None = None,
    ) -> CapitalAccountStatement: ...

    def create_benchmark(self, actor: Actor, request: BenchmarkCreate) -> BenchmarkOut: ...

    def list_benchmarks(self, actor: Actor) -> list[BenchmarkOut]: ...

    def get_benchmark(self, actor: Actor, benchmark_id: int) -> BenchmarkOut: ...

    def load_levels(self, actor: Actor, benchmark_id: int, request: BenchmarkLevelsIn) -> LevelsLoaded:
        """Store levels (JSON rows and/or CSV text); a date already stored is replaced."""

    def levels(
        self, actor: Actor, benchmark_id: int, *, start: date | None = None, end: date | None = None
    ) -> list[BenchmarkLevelOut]: ...

    def set_pool_benchmark(self, actor: Actor, pool_id: int, benchmark_id: int) -> PoolBenchmarkOut: ...

    def pool_benchmark(self, actor: Actor, pool_id: int) -> PoolBenchmarkOut: ...

    # FX rates (units of a currency per 1 EUR, as the ECB publishes them) and the quotes that
    # convert figures into a user's reporting currency: docs/business-logic.md, "Reporting
    # currency and FX rates". Convert an amount with a quote by `convert(amount, quote)`.

    def load_fx_rates(self, actor: Actor, request: FxRatesIn | str) -> FxRatesLoaded:
        """Store FX rates (admins only): JSON rows and/or the ECB's CSV (eurofxref-hist.csv or
        eurofxref.csv), or CSV text alone, in one transaction. A stored (date, currency) given
        another value is replaced and the correction audited with both values."""

    def list_fx_rates(
        self,
        actor: Actor,
        start: date | None = None,
        end: date | None = None,
        currencies: Collection[str] | None = None,
    ) -> list[FxRateOut]:
        """The stored rates between start and end inclusive (any actor), by date then currency."""

    def fx_rates_in_force(self, actor: Actor, on: date | None = None) -> list[FxRateOut]:
        """Each currency's rate in force on `on` (default today) by the lookup rule, dated as
        published; currencies with no rate in force are left out."""

    def fx_quotes(self, actor: Actor, wanted: Collection[tuple[str, date]], to_currency: str) -> FxQuotes:
        """For each (from_currency, date) in `wanted`: the cross rate into `to_currency` in force
        on that date (the latest rate on or before it, at most 7 days old, through EUR), the
        per-euro rates used and their dates; rate None when missing (never 0, never another
        date's). Any actor (reference data)."""


class SnapshotStore(Protocol):
    def refresh_pool(self, pool_id: int, as_of: date, *, force: bool = False) -> Refreshed:
        """Compute and store the pool's snapshot for `as_of`, unless the stored one is at the pool's
        current ledger version; `force` recomputes it from the books regardless."""

    def recompute(
        self,
        actor: Actor,
        as_of: date,
        *,
        force: bool = True,
        on_pool: Callable[[int, int], None] | None = None,
    ) -> Recomputed:
        """A full recompute on a user's behalf: the snapshot of every pool the actor may recompute
        (ReportService.recomputable_pools: all for an admin, their own for a manager), one pool at a
        time. `on_pool(done, total)` is called before each pool and once at the end; an exception it
        raises (a cancelled job) stops the run between pools, the snapshots already written staying
        written (each is complete on its own)."""

    def pool_performance(self, pool_id: int, as_of: date) -> PoolPerformance | None:
        """The stored performance if it is at the pool's current ledger version, else None."""
