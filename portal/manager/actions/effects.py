"""How a preview's effect and a posting's outcome are shown, the same for every action."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from backend.platform.actors import Actor
from ledger.interface import Preview
from portal.context import services
from portal.formatting import money


def pool_currency(actor: Actor, pool_id: int) -> str:
    return services().pools.get_pool(actor, pool_id).base_currency


def effect_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], table_id: str | None = None) -> Any:
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])),
            html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows]),
        ],
        size="sm",
        bordered=False,
        striped=True,
        className="mb-2",
        id=table_id or "",
    )


def legal_names(actor: Actor, investor_ids: Iterable[Any]) -> dict[int, str]:
    """The legal names a preview mentions, in one read (not the whole book's)."""
    return services().investors.legal_names(actor, {int(i) for i in investor_ids})


def posted(text: str, link: Component | None = None) -> Any:
    return dbc.Alert([html.Strong("Posted. "), text, " ", link or ""], color="success", className="mb-0")


def allocation_effect(preview: Preview, names: Mapping[int, str], title: str) -> Any:
    """Who pays (a capital call) or receives (a pro rata distribution) how much."""
    d, c = preview.details, preview.currency
    allocation: Mapping[str, str] = d.get("allocation", {})
    rows = [(names.get(int(k), f"investor {k}"), money(v, c)) for k, v in allocation.items()]
    rows.append((html.Strong("Total"), html.Strong(money(d.get("amount"), c))))  # type: ignore[arg-type]
    return html.Div(
        [html.H3(title, className="h6"), effect_table(("Investor", "Amount"), rows, "effect-allocation")]
    )
