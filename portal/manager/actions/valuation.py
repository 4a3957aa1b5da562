"""Record a valuation: the pool's net asset value on a date, which marks every holding."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from backend.platform.actors import Actor
from ledger.interface import Preview, ValuationRequest
from portal.context import services
from portal.formatting import DASH, money, number
from portal.manager.actions.action import Action
from portal.manager.actions.effects import effect_table, posted
from portal.manager.actions.parsing import exact_text, filled_in, parse_request, require_pool


def _parse_valuation(v: Mapping[str, Any]) -> ValuationRequest:
    data = filled_in(
        {
            "as_of": v.get("as_of"),
            "net_asset_value": exact_text(v.get("net_asset_value")),
            "memo": v.get("memo"),
        }
    )
    parsed: ValuationRequest = parse_request(ValuationRequest, data)
    return parsed


def _preview_valuation(actor: Actor, pool_id: int | None, request: ValuationRequest) -> Any:
    pid = require_pool(pool_id)
    preview = services().previews.valuation(actor, pid, request)
    return valuation_effect(preview)


def valuation_effect(preview: Preview) -> Any:
    d, c = preview.details, preview.currency
    note = None
    if not preview.lines:
        note = dbc.Alert(
            "The books already show this value: it is recorded as this day's mark, with no change to "
            "anyone's capital. Deals dated this day are struck at its NAV per unit.",
            color="info",
        )
    rows = [
        ("Previous NAV", money(d["previous_net_asset_value"], c)),
        ("New NAV", money(d["net_asset_value"], c)),
        ("Change", money(d["change"], c)),
        ("NAV per unit after", number(d.get("nav_per_unit"), 6) if d.get("nav_per_unit") else DASH),
    ]
    return html.Div(
        [html.H3("Effect", className="h6"), note, effect_table(("", "Amount"), rows, "effect-valuation")]
    )


def _post_valuation(actor: Actor, pool_id: int | None, request: ValuationRequest, key: str) -> Any:
    out = services().transactions.record_valuation(actor, require_pool(pool_id), request, key)
    if not out.entry.postings:
        return posted(
            f"Valuation as of {out.as_of} recorded as the day's mark (entry {out.entry.id}); no change."
        )
    return posted(f"Valuation as of {out.as_of} recorded (entry {out.entry.id}).")


# The form dates a valuation "as_of"; the service's errors name it effective_date.
VALUATION = Action(
    "valuation", _parse_valuation, _preview_valuation, _post_valuation, {"effective_date": "as_of"}
)
