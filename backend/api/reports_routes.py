"""Reports over REST: pool and investor performance, NAV history, capital account statements,
benchmark indices, FX reference rates. Authorisation is the report service's (reports/service.py)."""

from __future__ import annotations

from flask import Response
from pydantic import BaseModel, ConfigDict, Field

from backend.api.routing import ApiRouter
from backend.platform.actors import Actor
from backend.platform.fields import IsoDate, RecordId
from backend.service_directory import Services
from reports.interface import (
    BenchmarkCreate,
    BenchmarkLevelOut,
    BenchmarkLevelsIn,
    BenchmarkOut,
    CapitalAccountStatement,
    Frequency,
    FxRateOut,
    FxRatesIn,
    FxRatesLoaded,
    InvestorPerformance,
    LevelsLoaded,
    NavHistory,
    PoolBenchmarkIn,
    PoolBenchmarkOut,
    PoolPerformance,
    StatementFormat,
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PerformanceQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: IsoDate | None = Field(default=None, description="the books as they stood at this date's close")
    start: IsoDate | None = Field(default=None, description="base date of the period; default: inception")
    end: IsoDate | None = Field(default=None, description="default: as_of")


class InvestorPerformanceQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: IsoDate | None = None


class NavHistoryQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: IsoDate | None = Field(default=None, description="default: inception")
    end: IsoDate | None = Field(default=None, description="default: today")
    frequency: Frequency = Frequency.DAILY


class StatementQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_id: RecordId
    period: str | None = Field(default=None, description="2025-Q4, 2025 or 2025-11; or give start and end")
    start: IsoDate | None = None
    end: IsoDate | None = None
    format: StatementFormat = Field(default=StatementFormat.JSON, description="json or xlsx (PDF: not yet)")


class LevelsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: IsoDate | None = None
    end: IsoDate | None = None


class FxRatesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: IsoDate | None = None
    end: IsoDate | None = None
    currency: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{3}(,[A-Z]{3})*$",
        description="one code or several, comma separated (USD,GBP); default: every currency",
    )


def register(router: ApiRouter, container: Services) -> None:
    @router.operation(
        "GET",
        "/pools/{pool_id}/performance",
        summary="Time-weighted and money-weighted performance, risk and period returns as of a date",
        tag="reports",
        query=PerformanceQuery,
        response=PoolPerformance,
        errors=(404,),
    )
    def get_pool_performance(actor: Actor, pool_id: int, query: PerformanceQuery) -> PoolPerformance:
        return container.reports.pool_performance(
            actor, pool_id, as_of=query.as_of, start=query.start, end=query.end
        )

    @router.operation(
        "GET",
        "/pools/{pool_id}/nav-history",
        summary="NAV, NAV per unit, time-weighted index and flows, daily or at month ends",
        tag="reports",
        query=NavHistoryQuery,
        response=NavHistory,
        errors=(404,),
    )
    def get_nav_history(actor: Actor, pool_id: int, query: NavHistoryQuery) -> NavHistory:
        return container.reports.nav_history(
            actor, pool_id, start=query.start, end=query.end, frequency=query.frequency
        )

    @router.operation(
        "GET",
        "/investors/{investor_id}/performance",
        summary="An investor's XIRR, multiples and TWR per pool, as of a date",
        tag="reports",
        query=InvestorPerformanceQuery,
        response=InvestorPerformance,
        errors=(404,),
    )
    def get_investor_performance(
        actor: Actor, investor_id: int, query: InvestorPerformanceQuery
    ) -> InvestorPerformance:
        return container.reports.investor_performance(actor, investor_id, as_of=query.as_of)

    @router.operation(
        "GET",
        "/investors/{investor_id}/statements",
        summary="Capital account statement for one pool and period (JSON or XLSX)",
        tag="reports",
        query=StatementQuery,
        response=CapitalAccountStatement,
        errors=(404,),
    )
    def get_statement(
        actor: Actor, investor_id: int, query: StatementQuery
    ) -> CapitalAccountStatement | Response:
        statement = container.reports.statement(
            actor, investor_id, query.pool_id, period=query.period, start=query.start, end=query.end
        )
        if query.format is StatementFormat.XLSX:
            name = f"statement-{investor_id}-{query.pool_id}-{statement.period.replace('..', '_')}.xlsx"
            return Response(
                container.reports.statement_xlsx(statement),
                mimetype=XLSX_MIME,
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        return statement

    @router.operation(
        "POST",
        "/benchmarks",
        summary="Create a benchmark index (admins and managers)",
        tag="reports",
        body=BenchmarkCreate,
        response=BenchmarkOut,
        status=201,
        errors=(403, 409),
    )
    def post_benchmark(actor: Actor, body: BenchmarkCreate) -> BenchmarkOut:
        return container.reports.create_benchmark(actor, body)

    @router.operation(
        "GET", "/benchmarks", summary="Benchmark indices", tag="reports", response=list[BenchmarkOut]
    )
    def list_benchmarks(actor: Actor) -> list[BenchmarkOut]:
        return container.reports.list_benchmarks(actor)

    @router.operation(
        "GET",
        "/benchmarks/{benchmark_id}",
        summary="One benchmark index",
        tag="reports",
        response=BenchmarkOut,
        errors=(404,),
    )
    def get_benchmark(actor: Actor, benchmark_id: int) -> BenchmarkOut:
        return container.reports.get_benchmark(actor, benchmark_id)

    @router.operation(
        "POST",
        "/benchmarks/{benchmark_id}/levels",
        summary="Load index levels as JSON rows or CSV text (date,level); a stored date is replaced",
        tag="reports",
        body=BenchmarkLevelsIn,
        response=LevelsLoaded,
        status=201,
        errors=(403, 404),
    )
    def post_levels(actor: Actor, benchmark_id: int, body: BenchmarkLevelsIn) -> LevelsLoaded:
        return container.reports.load_levels(actor, benchmark_id, body)

    @router.operation(
        "GET",
        "/benchmarks/{benchmark_id}/levels",
        summary="Index levels by date",
        tag="reports",
        query=LevelsQuery,
        response=list[BenchmarkLevelOut],
        errors=(404,),
    )
    def get_levels(actor: Actor, benchmark_id: int, query: LevelsQuery) -> list[BenchmarkLevelOut]:
        return container.reports.levels(actor, benchmark_id, start=query.start, end=query.end)

    @router.operation(
        "PUT",
        "/pools/{pool_id}/benchmark",
        summary="Measure the pool against this benchmark (the pool's managers)",
        tag="reports",
        body=PoolBenchmarkIn,
        response=PoolBenchmarkOut,
        errors=(403, 404),
    )
    def put_pool_benchmark(actor: Actor, pool_id: int, body: PoolBenchmarkIn) -> PoolBenchmarkOut:
        return container.reports.set_pool_benchmark(actor, pool_id, body.benchmark_id)

    @router.operation(
        "GET",
        "/pools/{pool_id}/benchmark",
        summary="The benchmark the pool is measured against",
        tag="reports",
        response=PoolBenchmarkOut,
        errors=(404,),
    )
    def get_pool_benchmark(actor: Actor, pool_id: int) -> PoolBenchmarkOut:
        return container.reports.pool_benchmark(actor, pool_id)

    @router.operation(
        "POST",
        "/fx-rates",
        summary="Load FX reference rates (admins): JSON rows and/or the ECB's CSV; a stored date "
        "and currency given another value is replaced (audited)",
        tag="reports",
        body=FxRatesIn,
        response=FxRatesLoaded,
        status=201,
        errors=(403,),
    )
    def post_fx_rates(actor: Actor, body: FxRatesIn) -> FxRatesLoaded:
        return container.reports.load_fx_rates(actor, body)

    @router.operation(
        "GET",
        "/fx-rates",
        summary="FX reference rates by date: units of each currency per 1 EUR",
        tag="reports",
        query=FxRatesQuery,
        response=list[FxRateOut],
    )
    def get_fx_rates(actor: Actor, query: FxRatesQuery) -> list[FxRateOut]:
        codes = query.currency.split(",") if query.currency else None
        return container.reports.list_fx_rates(actor, query.start, query.end, codes)
