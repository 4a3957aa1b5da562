"""The analyst explorer's datasets: the same columns and rows as the streamed exports.

The grid shows the first GRID_ROWS rows of the filtered view; the download links point at
the export endpoints with exactly the same filters, so the file is the whole filtered view.
"Prepare large export" writes that same file in a background job (portal/analyst/jobs.py),
with progress, for views too big to wait for in one request.
Every read is the services' as the signed-in analyst: only pools they were granted answer.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from backend.platform.actors import Actor
from ledger.interface import EntryType
from portal.context import services
from reports.interface import Column, Frequency, Kind, datasets

GRID_ROWS = 2000
DATASETS = {
    "transactions": "Transactions (postings)",
    "positions": "Positions",
    "nav-history": "NAV history",
    "performance": "Performance (period returns)",
}
_NUMERIC = {Kind.INTEGER, Kind.MONEY, Kind.UNITS, Kind.PRICE, Kind.PERCENT}


def dataset_columns(dataset: str) -> Sequence[Column]:
    return {
        "transactions": datasets.TRANSACTION_COLUMNS,
        "positions": datasets.POSITION_COLUMNS,
        "nav-history": datasets.NAV_HISTORY_COLUMNS,
        "performance": datasets.PERFORMANCE_COLUMNS,
    }[dataset]


def column_defs(dataset: str) -> list[dict[str, Any]]:
    defs = []
    for col in dataset_columns(dataset):
        numeric = col.kind in _NUMERIC
        defs.append(
            {
                "field": col.name,
                "headerName": col.name.replace("_", " "),
                "filter": "agNumberColumnFilter" if numeric else "agTextColumnFilter",
                **({"type": "rightAligned"} if numeric else {}),
            }
        )
    return defs


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # the grid sorts and filters numbers; the export keeps exact decimals
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def filters(dataset: str, pool_id: int, raw: dict[str, Any]) -> dict[str, str]:
    """The export endpoint's query for the dataset: only the filters that dataset takes."""
    query: dict[str, str] = {"pool_id": str(pool_id)}
    if dataset == "transactions":
        if raw.get("type") in {t.value for t in EntryType}:
            query["type"] = str(raw["type"])
        if str(raw.get("investor_id") or "").isdigit() and int(raw["investor_id"]) > 0:
            query["investor_id"] = str(int(raw["investor_id"]))
        for name in ("date_from", "date_to"):
            if (day := _parse_date(raw.get(name))) is not None:
                query[name] = day.isoformat()
    elif dataset == "nav-history":
        for ours, theirs in (("date_from", "start"), ("date_to", "end")):
            if (day := _parse_date(raw.get(ours))) is not None:
                query[theirs] = day.isoformat()
        query["frequency"] = (
            raw["frequency"]
            if raw.get("frequency") in {f.value for f in Frequency}
            else Frequency.MONTHLY.value
        )
    elif dataset == "performance" and (day := _parse_date(raw.get("date_to"))) is not None:
        query["as_of"] = day.isoformat()
    return query


def export_url(dataset: str, fmt: str, query: dict[str, str]) -> str:
    return f"/api/v1/exports/{dataset}.{fmt}?{urlencode(query)}"


def rows(actor: Actor, dataset: str, query: dict[str, str]) -> Iterator[Sequence[Any]]:
    """The dataset's rows under `query`, read as `actor` (NotFound for a pool not granted)."""
    c = services()
    pool_id = int(query["pool_id"])
    if dataset == "transactions":
        return datasets.transaction_rows(
            c.transactions,
            actor,
            pool_id,
            entry_type=EntryType(query["type"]) if "type" in query else None,
            investor_id=int(query["investor_id"]) if "investor_id" in query else None,
            date_from=_parse_date(query.get("date_from")),
            date_to=_parse_date(query.get("date_to")),
        )
    if dataset == "positions":
        return datasets.position_rows(c.transactions, actor, pool_id)
    if dataset == "nav-history":
        return datasets.nav_history_rows(
            c.reports,
            actor,
            pool_id,
            start=_parse_date(query.get("start")),
            end=_parse_date(query.get("end")),
            frequency=Frequency(query["frequency"]),
        )
    return datasets.performance_rows(c.reports, actor, pool_id, as_of=_parse_date(query.get("as_of")))


def grid_rows(actor: Actor, dataset: str, query: dict[str, str]) -> tuple[list[dict[str, Any]], bool]:
    """(rows as dicts for the grid, whether there were more than GRID_ROWS)."""
    names = [c.name for c in dataset_columns(dataset)]
    found = list(itertools.islice(rows(actor, dataset, query), GRID_ROWS + 1))
    return [dict(zip(names, map(_cell, r), strict=True)) for r in found[:GRID_ROWS]], len(found) > GRID_ROWS
