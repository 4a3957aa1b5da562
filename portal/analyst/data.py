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

from backend.finance.money import get_currency
from backend.platform.actors import Actor
from ledger.interface import EntryType
from portal.context import services
from portal.formatting import money, number, percent
from reports.interface import Column, Frequency, Kind, datasets

GRID_ROWS = 2000
DEFAULT_DATASET = "entries"
DATASETS = {
    "entries": "Transactions",
    "transactions": "Postings (double entry)",
    "positions": "Positions",
    "nav-history": "NAV history",
    "performance": "Performance (period returns)",
}
"""Dataset key (the export endpoint's name) -> its label. The business view comes first and
is the default; the double-entry postings behind it are one choice away."""
_NUMERIC = {Kind.INTEGER, Kind.MONEY, Kind.UNITS, Kind.PRICE, Kind.PERCENT}
_FORMATTED = {Kind.MONEY, Kind.UNITS, Kind.PRICE, Kind.PERCENT}
"""Kinds shown as server-formatted text (currency and minor unit, percentages) over the
number the grid sorts and filters by."""
_REPORTING = {"reporting_currency", "fx_rate", "fx_rate_date", "amount_reporting", "value_reporting"}
_HIDDEN = {"entries": {"type", "currency", "seq", *_REPORTING}, "positions": _REPORTING}
"""Columns a view carries (and exports) but the grid starts with hidden: the raw type
behind the words, the currency each amount already shows, and the reporting-currency
columns only the downloads fill (at the ECB rate of each row's date)."""
_HEADERS = {"type_label": "Type", "nav_per_unit": "NAV per unit", "entry_id": "Entry id"}


def dataset_columns(dataset: str) -> Sequence[Column]:
    return {
        "entries": datasets.ENTRY_COLUMNS,
        "transactions": datasets.TRANSACTION_COLUMNS,
        "positions": datasets.POSITION_COLUMNS,
        "nav-history": datasets.NAV_HISTORY_COLUMNS,
        "performance": datasets.PERFORMANCE_COLUMNS,
    }[dataset]


def header(name: str) -> str:
    return _HEADERS.get(name, name.replace("_", " ").capitalize())


def column_defs(dataset: str) -> list[dict[str, Any]]:
    defs = []
    hidden = _HIDDEN.get(dataset, set())
    for col in dataset_columns(dataset):
        numeric = col.kind in _NUMERIC
        defs.append(
            {
                "field": col.name,
                "headerName": header(col.name),
                "filter": "agNumberColumnFilter" if numeric else "agTextColumnFilter",
                **({"type": "rightAligned"} if numeric else {}),
                **(
                    {"cellRenderer": "Formatted", "cellRendererParams": {"textField": f"{col.name}_text"}}
                    if col.kind in _FORMATTED
                    else {}
                ),
                **({"hide": True} if col.name in hidden else {}),
            }
        )
    return defs


def _is_currency(code: object) -> bool:
    try:
        return isinstance(code, str) and bool(code) and get_currency(code) is not None
    except Exception:  # the unit register's commodity, not a currency
        return False


def cell_text(kind: Kind, value: Any, currency: str | None) -> str:
    """How the grid writes one figure: money at its currency's minor unit with the currency,
    units and prices to 6 places, returns as percentages."""
    if kind is Kind.MONEY or (kind is Kind.UNITS and currency is not None):
        return money(value, currency) if currency else number(value, 2)
    if kind is Kind.PERCENT:
        return percent(value)
    return number(value, 6)


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
    if dataset in ("entries", "transactions"):
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
    if dataset == "entries":
        return datasets.entry_rows(
            c.transactions,
            c.pools,
            c.investors,
            actor,
            pool_id,
            entry_type=EntryType(query["type"]) if "type" in query else None,
            investor_id=int(query["investor_id"]) if "investor_id" in query else None,
            date_from=_parse_date(query.get("date_from")),
            date_to=_parse_date(query.get("date_to")),
        )
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
        return datasets.position_rows(c.transactions, c.pools, c.investors, actor, pool_id)
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


def grid_row(columns: Sequence[Column], row: Sequence[Any], currency: str) -> dict[str, Any]:
    """One row for the grid: numbers as numbers (it sorts and filters them) and, beside each
    figure, its text ("$1,234.50", "¥1,000", "9.07%"). An amount is in the row's own
    currency or commodity when it names one (a posting in units is a number of units), else
    in the pool's."""
    out = {c.name: _cell(v) for c, v in zip(columns, row, strict=True)}
    own = out.get("currency") or out.get("commodity")
    in_currency = own if _is_currency(own) else currency if "commodity" not in out else None
    for c, value in zip(columns, row, strict=True):
        if c.kind in _FORMATTED:
            amount_currency = in_currency if c.kind is Kind.MONEY or c.name == "amount" else None
            out[f"{c.name}_text"] = cell_text(c.kind, value, amount_currency)
    return out


def grid_rows(actor: Actor, dataset: str, query: dict[str, str]) -> tuple[list[dict[str, Any]], bool]:
    """(rows as dicts for the grid, whether there were more than GRID_ROWS)."""
    columns = dataset_columns(dataset)
    found = list(itertools.islice(rows(actor, dataset, query), GRID_ROWS + 1))
    currency = services().pools.get_pool(actor, int(query["pool_id"])).base_currency
    return [grid_row(columns, r, currency) for r in found[:GRID_ROWS]], len(found) > GRID_ROWS
