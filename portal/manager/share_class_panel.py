"""The pool page's share classes: each class's units, net assets and own NAV per unit, its fee
rates and high-water mark, as the books stand. A pool with classes has no one NAV per unit,
so this table is where its prices are read."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from portal.formatting import DASH, money, multiple, number, pct, percent
from portal.manager.data import PoolDetail
from reports.interface import ClassPerformance

CLASS_HEADERS = (
    "Class",
    "Name",
    "Units",
    "Net assets",
    "NAV per unit",
    "Holders",
    "Management fee",
    "Performance fee",
    "High-water mark",
)


def _in_other_currencies(d: PoolDetail) -> bool:
    return any(k.currency != d.positions.currency for k in d.positions.share_classes)


def _currency_text(currency: str, hedged: bool, rate: Any, base: str) -> str:
    """ "EUR, hedged, 0.800000 per USD 1"; the pool's own currency alone."""
    if currency == base:
        return currency
    rated = f", {number(rate, 6)} per {base} 1" if rate is not None else ""
    return f"{currency}, {'hedged' if hedged else 'unhedged'}{rated}"


def class_table_rows(d: PoolDetail) -> list[tuple[str, ...]]:
    """A row per class; a pool with a class in another currency gets a currency column, and
    each price is in its class's currency (the net assets are the books', the pool's)."""
    c = d.positions.currency
    names = {k.class_id: k.name for k in d.pool.share_classes}
    foreign = _in_other_currencies(d)
    rows = []
    for k in d.positions.share_classes:
        dealt = (_currency_text(k.currency, k.hedged, k.fx_rate, c),) if foreign else ()
        rows.append(
            (
                k.class_id,
                names.get(k.class_id, ""),
                *dealt,
                number(k.units, 6),
                money(k.net_asset_value, c),
                number(k.nav_per_unit, 6),
                str(k.holders),
                percent(k.management_fee_rate),
                percent(k.performance_fee_rate),
                number(k.high_water_mark, 6),
            )
        )
    return rows


def share_classes_panel(d: PoolDetail) -> Component | None:
    """None for a pool without classes: its one price is in the headline."""
    if not d.positions.share_classes:
        return None
    rows = class_table_rows(d)
    headers: tuple[str, ...] = CLASS_HEADERS
    if _in_other_currencies(d):
        headers = (*CLASS_HEADERS[:2], "Currency", *CLASS_HEADERS[2:])
    table = dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])),
            html.Tbody([html.Tr([html.Td(x) for x in row], id=f"share-class-{row[0]}") for row in rows]),
        ],
        size="sm",
        striped=True,
        responsive=True,
        className="mb-0",
        id="share-classes-table",
    )
    note = html.P(
        "Each class has its own NAV per unit (in its own currency), after its own management fee; "
        "fee rates a year.",
        className="small text-body-secondary",
    )
    return html.Div([html.H2("Share classes", className="h5 mt-2"), note, table], className="mb-4")


PERFORMANCE_HEADERS = (
    "Class",
    "NAV per unit",
    "Return",
    "YTD",
    "Annualised",
    "IRR",
    "TVPI",
    "DPI",
    "Paid in",
)


def _period(k: ClassPerformance, name: str) -> str:
    found = next((p for p in k.periods if p.name == name), None)
    if found is None:
        return DASH
    return "no valuation yet" if found.no_valuation else pct(found.cumulative)


def class_performance_rows(d: PoolDetail) -> list[tuple[str, ...]]:
    """A row per class: its return on its own price since it first had units (the report's
    span), and its holders' money-weighted figures, in the class's currency."""
    rows: list[tuple[str, ...]] = []
    for k in d.perf.share_classes if d.perf else []:
        mw = k.money_weighted
        rows.append(
            (
                k.class_id,
                f"{number(k.nav_per_unit, 6)} {k.currency}",
                pct(k.twr),
                _period(k, "YTD"),
                pct(k.twr_annualised),
                pct(mw.irr if mw else None),
                multiple(mw.tvpi if mw else None),
                multiple(mw.dpi if mw else None),
                money(mw.paid_in, k.currency) if mw else DASH,
            )
        )
    return rows


def class_performance_panel(d: PoolDetail) -> Component | None:
    """Each class's own returns and money-weighted figures; None without classes."""
    rows = class_performance_rows(d)
    if not rows:
        return None
    table = dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h, scope="col") for h in PERFORMANCE_HEADERS])),
            html.Tbody(
                [html.Tr([html.Td(x) for x in row], id=f"class-performance-{row[0]}") for row in rows]
            ),
        ],
        size="sm",
        striped=True,
        responsive=True,
        className="mb-0",
        id="class-performance-table",
    )
    note = html.P(
        f"As of {d.perf.as_of if d.perf else d.as_of}. Return: the class's NAV per unit since it first had "
        "units (annualised from a year); IRR, TVPI and DPI: its holders' subscriptions, redemptions and "
        "value together, in the class's currency.",
        className="small text-body-secondary",
    )
    return html.Div([html.H2("Share class performance", className="h5 mt-2"), note, table], className="mb-4")


CLASS_COLUMN: dict[str, Any] = {"field": "share_class", "headerName": "Class", "maxWidth": 100}


def investor_columns(d: PoolDetail, columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The investors grid's columns, with the class each holds in a pool with classes."""
    if not d.positions.share_classes:
        return columns
    at = next((n + 1 for n, col in enumerate(columns) if col.get("field") == "investor_id"), len(columns))
    return [*columns[:at], CLASS_COLUMN, *columns[at:]]
