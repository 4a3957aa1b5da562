"""Exports for analysts: GET /exports/{dataset}.csv|.xlsx, streamed, authorised as the API.

The filters are the list endpoints' own. The response streams from the services' cursors
(CSV) or from a constant-memory workbook on disk (XLSX), so no export is held in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response, stream_with_context
from pydantic import BaseModel, ConfigDict, Field

from backend.api.routing import ApiRouter
from backend.finance.money import CURRENCIES
from backend.platform.actors import Actor
from backend.platform.errors import ValidationFailed
from backend.platform.fields import IsoDate, RecordId
from backend.service_directory import Services
from ledger.interface import EntryType
from reports.interface import Column, Frequency, ReportingCurrency, Sheet, csv_stream, datasets, xlsx_stream

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TransactionExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_id: RecordId
    type: EntryType | None = None
    investor_id: RecordId | None = None
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None


class EntryExportQuery(TransactionExportQuery):
    reporting_currency: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{3}$",
        description="the currency of the amount_reporting column; default: the caller's reporting currency",
    )


class NavHistoryExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_id: RecordId
    start: IsoDate | None = None
    end: IsoDate | None = None
    frequency: Frequency = Frequency.DAILY


class PerformanceExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_id: RecordId
    as_of: IsoDate | None = None


class StatementExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    investor_id: RecordId
    pool_id: RecordId | None = Field(
        default=None, description="one pool; default: every pool of the investor"
    )
    period: str | None = Field(default=None, description="2025-Q4, 2025, or give start and end")
    start: IsoDate | None = None
    end: IsoDate | None = None


class PositionExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pool_id: RecordId
    reporting_currency: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{3}$",
        description="the currency of the value_reporting column; default: the caller's reporting currency",
    )


def _reporting(container: Services, actor: Actor, chosen: str | None) -> ReportingCurrency:
    """The export's reporting currency: the one asked for, else the caller's own. Checked
    here, before the first byte: a stream cannot turn into a 422 half-way."""
    if chosen is None and actor.user_id is not None:
        chosen = container.users.get_user(actor, actor.user_id).reporting_currency
    code = chosen or "EUR"
    if code not in CURRENCIES:
        raise ValidationFailed(
            f"reporting_currency: {code!r} is not a currency the platform knows", field="reporting_currency"
        )
    return ReportingCurrency(container.reports, code)


def _download(name: str, fmt: str, columns: Sequence[Column], rows: Iterator[Sequence[Any]]) -> Response:
    if fmt == "csv":
        body, mimetype = csv_stream(columns, rows), CSV
    else:
        body, mimetype = xlsx_stream([Sheet(name, columns, rows)]), XLSX
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True)
class Dataset:
    """One exportable dataset: its query, its columns, and how its rows and file are named."""

    name: str
    summary: str
    query: type[BaseModel]
    columns: Sequence[Column]
    filename: Callable[[Any], str]
    rows: Callable[[Services, Actor, Any], Iterator[Sequence[Any]]]


def _statement_rows(container: Services, actor: Actor, q: StatementExportQuery) -> Iterator[Sequence[Any]]:
    pool_ids = (
        [q.pool_id]
        if q.pool_id is not None
        else [h.pool_id for h in container.transactions.holdings(actor, q.investor_id)]
    )
    return datasets.statement_rows(
        container.reports, actor, q.investor_id, pool_ids=pool_ids, period=q.period, start=q.start, end=q.end
    )


DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "entries",
        "A pool's transactions, one row each, with the pool's and investors' names and each amount "
        "also in a reporting currency at the ECB rate of its date",
        EntryExportQuery,
        datasets.ENTRY_COLUMNS,
        lambda q: f"entries-pool-{q.pool_id}",
        lambda c, actor, q: datasets.entry_rows(
            c.transactions,
            c.pools,
            c.investors,
            actor,
            q.pool_id,
            entry_type=q.type,
            investor_id=q.investor_id,
            date_from=q.date_from,
            date_to=q.date_to,
            reporting=_reporting(c, actor, q.reporting_currency),
        ),
    ),
    Dataset(
        "transactions",
        "A pool's postings",
        TransactionExportQuery,
        datasets.TRANSACTION_COLUMNS,
        lambda q: f"transactions-pool-{q.pool_id}",
        lambda c, actor, q: datasets.transaction_rows(
            c.transactions,
            actor,
            q.pool_id,
            entry_type=q.type,
            investor_id=q.investor_id,
            date_from=q.date_from,
            date_to=q.date_to,
        ),
    ),
    Dataset(
        "positions",
        "A pool's positions, each value also in a reporting currency at today's ECB rate",
        PositionExportQuery,
        datasets.POSITION_COLUMNS,
        lambda q: f"positions-pool-{q.pool_id}",
        lambda c, actor, q: datasets.position_rows(
            c.transactions,
            c.pools,
            c.investors,
            actor,
            q.pool_id,
            reporting=_reporting(c, actor, q.reporting_currency),
        ),
    ),
    Dataset(
        "nav-history",
        "A pool's NAV history",
        NavHistoryExportQuery,
        datasets.NAV_HISTORY_COLUMNS,
        lambda q: f"nav-history-pool-{q.pool_id}",
        lambda c, actor, q: datasets.nav_history_rows(
            c.reports, actor, q.pool_id, start=q.start, end=q.end, frequency=q.frequency
        ),
    ),
    Dataset(
        "performance",
        "A pool's period returns",
        PerformanceExportQuery,
        datasets.PERFORMANCE_COLUMNS,
        lambda q: f"performance-pool-{q.pool_id}",
        lambda c, actor, q: datasets.performance_rows(c.reports, actor, q.pool_id, as_of=q.as_of),
    ),
    Dataset(
        "statements",
        "Capital account statements",
        StatementExportQuery,
        datasets.STATEMENT_COLUMNS,
        lambda q: f"statements-investor-{q.investor_id}",
        _statement_rows,
    ),
)


def register(router: ApiRouter, container: Services) -> None:
    def export_view(dataset: Dataset, fmt: str) -> Callable[..., Response]:
        def export(actor: Actor, query: Any) -> Response:
            # The rows' first page is read here, before any byte goes out: a refusal is a 404.
            rows = dataset.rows(container, actor, query)
            return _download(dataset.filename(query), fmt, dataset.columns, rows)

        export.__name__ = f"export_{dataset.name.replace('-', '_')}_{fmt}"
        return export

    for dataset in DATASETS:
        for fmt, media in (("csv", CSV), ("xlsx", XLSX)):
            router.operation(
                "GET",
                f"/exports/{dataset.name}.{fmt}",
                summary=f"{dataset.summary} as {fmt.upper()} ({media})",
                tag="exports",
                query=dataset.query,
                errors=(404, 422),
            )(export_view(dataset, fmt))
