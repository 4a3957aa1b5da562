"""The pool page's share classes: each class's units, net assets and own NAV per unit, its fee
rates and high-water mark, as the books stand. A pool with classes has no one NAV per unit,
so this table is where its prices are read."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from portal.formatting import money, number, percent
from portal.manager.data import PoolDetail

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


def class_table_rows(d: PoolDetail) -> list[tuple[str, ...]]:
    c = d.positions.currency
    names = {k.class_id: k.name for k in d.pool.share_classes}
    return [
        (
            k.class_id,
            names.get(k.class_id, ""),
            number(k.units, 6),
            money(k.net_asset_value, c),
            number(k.nav_per_unit, 6),
            str(k.holders),
            percent(k.management_fee_rate),
            percent(k.performance_fee_rate),
            number(k.high_water_mark, 6),
        )
        for k in d.positions.share_classes
    ]


def share_classes_panel(d: PoolDetail) -> Component | None:
    """None for a pool without classes: its one price is in the headline."""
    if not d.positions.share_classes:
        return None
    rows = class_table_rows(d)
    table = dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h, scope="col") for h in CLASS_HEADERS])),
            html.Tbody([html.Tr([html.Td(x) for x in row], id=f"share-class-{row[0]}") for row in rows]),
        ],
        size="sm",
        striped=True,
        responsive=True,
        className="mb-0",
        id="share-classes-table",
    )
    note = html.P(
        "Each class has its own NAV per unit, after its own management fee; fee rates a year.",
        className="small text-body-secondary",
    )
    return html.Div([html.H2("Share classes", className="h5 mt-2"), note, table], className="mb-4")


CLASS_COLUMN: dict[str, Any] = {"field": "share_class", "headerName": "Class", "maxWidth": 100}


def investor_columns(d: PoolDetail, columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The investors grid's columns, with the class each holds in a pool with classes."""
    if not d.positions.share_classes:
        return columns
    at = next((n + 1 for n, col in enumerate(columns) if col.get("field") == "investor_id"), len(columns))
    return [*columns[:at], CLASS_COLUMN, *columns[at:]]
