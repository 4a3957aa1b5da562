"""Exports for analysts: GET /exports/{dataset}.csv|.xlsx, streamed, authorised as the API.

The filters are the list endpoints' own. The response streams from the services' cursors
(CSV) or from a constant-memory workbook on disk (XLSX), so no export is held in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from flask import Response, stream_with_context
from pydantic import BaseModel, ConfigDict, Field

from backend.actors import Actor
from backend.api.routing import ApiRouter
from backend.container import Container
from ledger.schemas import EntryType
from reports import datasets
from reports.exports import Column, Sheet, csv_stream, xlsx_stream
from reports.schemas import Frequency

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TransactionExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_id: int = Field(gt=0)
    type: EntryType | None = None
    investor_id: int | None = Field(default=None, gt=0)
    date_from: date | None = None
    date_to: date | None = None


class NavHistoryExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_id: int = Field(gt=0)
    start: date | None = None
    end: date | None = None
    frequency: Frequency = Frequency.DAILY


class PerformanceExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_id: int = Field(gt=0)
    as_of: date | None = None


class StatementExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    investor_id: int = Field(gt=0)
    pool_id: int | None = Field(
        default=None, gt=0, description="one pool; default: every pool of the investor"
    )
    period: str | None = Field(default=None, description="2025-Q4, 2025, or give start and end")
    start: date | None = None
    end: date | None = None


class PositionExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_id: int = Field(gt=0)


def _download(name: str, fmt: str, columns: Sequence[Column], rows: Iterator[Sequence[Any]]) -> Response:
    if fmt == "csv":
        body, mimetype = csv_stream(columns, rows), CSV
    else:
        body, mimetype = xlsx_stream([Sheet(name, columns, rows)]), XLSX
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def register(router: ApiRouter, container: Container) -> None:
    def transactions(fmt: str) -> Callable[..., Response]:
        def export(actor: Actor, query: TransactionExportQuery) -> Response:
            rows = datasets.transaction_rows(
                container.transactions,
                actor,
                query.pool_id,
                entry_type=query.type,
                investor_id=query.investor_id,
                date_from=query.date_from,
                date_to=query.date_to,
            )
            return _download(f"transactions-pool-{query.pool_id}", fmt, datasets.TRANSACTION_COLUMNS, rows)

        export.__name__ = f"export_transactions_{fmt}"
        return export

    def positions(fmt: str) -> Callable[..., Response]:
        def export(actor: Actor, query: PositionExportQuery) -> Response:
            rows = datasets.position_rows(container.transactions, actor, query.pool_id)
            return _download(f"positions-pool-{query.pool_id}", fmt, datasets.POSITION_COLUMNS, rows)

        export.__name__ = f"export_positions_{fmt}"
        return export

    def nav_history(fmt: str) -> Callable[..., Response]:
        def export(actor: Actor, query: NavHistoryExportQuery) -> Response:
            rows = datasets.nav_history_rows(
                container.reports,
                actor,
                query.pool_id,
                start=query.start,
                end=query.end,
                frequency=query.frequency,
            )
            return _download(f"nav-history-pool-{query.pool_id}", fmt, datasets.NAV_HISTORY_COLUMNS, rows)

        export.__name__ = f"export_nav_history_{fmt}"
        return export

    def performance(fmt: str) -> Callable[..., Response]:
        def export(actor: Actor, query: PerformanceExportQuery) -> Response:
            rows = datasets.performance_rows(container.reports, actor, query.pool_id, as_of=query.as_of)
            return _download(f"performance-pool-{query.pool_id}", fmt, datasets.PERFORMANCE_COLUMNS, rows)

        export.__name__ = f"export_performance_{fmt}"
        return export

    def statements(fmt: str) -> Callable[..., Response]:
        def export(actor: Actor, query: StatementExportQuery) -> Response:
            pool_ids = (
                [query.pool_id]
                if query.pool_id is not None
                else [h.pool_id for h in container.transactions.holdings(actor, query.investor_id)]
            )
            rows = datasets.statement_rows(
                container.reports,
                actor,
                query.investor_id,
                pool_ids=pool_ids,
                period=query.period,
                start=query.start,
                end=query.end,
            )
            return _download(
                f"statements-investor-{query.investor_id}", fmt, datasets.STATEMENT_COLUMNS, rows
            )

        export.__name__ = f"export_statements_{fmt}"
        return export

    for fmt, media in (("csv", CSV), ("xlsx", XLSX)):
        router.operation(
            "GET",
            f"/exports/statements.{fmt}",
            summary=f"Capital account statements as {fmt.upper()} ({media})",
            tag="exports",
            query=StatementExportQuery,
            errors=(404, 422),
        )(statements(fmt))
        router.operation(
            "GET",
            f"/exports/nav-history.{fmt}",
            summary=f"A pool's NAV history as {fmt.upper()} ({media})",
            tag="exports",
            query=NavHistoryExportQuery,
            errors=(404, 422),
        )(nav_history(fmt))
        router.operation(
            "GET",
            f"/exports/performance.{fmt}",
            summary=f"A pool's period returns as {fmt.upper()} ({media})",
            tag="exports",
            query=PerformanceExportQuery,
            errors=(404, 422),
        )(performance(fmt))
        router.operation(
            "GET",
            f"/exports/transactions.{fmt}",
            summary=f"A pool's postings as {fmt.upper()} ({media})",
            tag="exports",
            query=TransactionExportQuery,
            errors=(404,),
        )(transactions(fmt))
        router.operation(
            "GET",
            f"/exports/positions.{fmt}",
            summary=f"A pool's positions as {fmt.upper()} ({media})",
            tag="exports",
            query=PositionExportQuery,
            errors=(404,),
        )(positions(fmt))
