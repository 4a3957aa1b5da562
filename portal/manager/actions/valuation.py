"""Record a valuation: the pool's net asset value on a date, which marks every holding."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from backend.platform.actors import Actor
from ledger.interface import Preview, ValuationRequest
from portal.context import services
from portal.formatting import DASH, money, number
from portal.manager.actions.action import Action, Previewed
from portal.manager.actions.effects import effect_table, posted
from portal.manager.actions.parsing import exact_text, filled_in, parse_request, require_pool
from portal.manager.actions.share_classes import class_rows

RATE_FIELD = "fx_rates."
HEDGE_FIELD = "hedge_results."


def _parse_valuation(v: Mapping[str, Any]) -> ValuationRequest:
    data = filled_in(
        {
            "as_of": v.get("as_of"),
            "net_asset_value": exact_text(v.get("net_asset_value")),
            "memo": v.get("memo"),
        }
    )
    # A pool with classes in other currencies asks for each one's rate and each hedged
    # class's hedge result, one field each (portal/manager/actions/class_currencies.py).
    for prefix, name in ((RATE_FIELD, "fx_rates"), (HEDGE_FIELD, "hedge_results")):
        given = {
            key.removeprefix(prefix): exact_text(value)
            for key, value in v.items()
            if key.startswith(prefix) and value not in (None, "")
        }
        if given:
            data[name] = given
    parsed: ValuationRequest = parse_request(ValuationRequest, data)
    return parsed


UNUSUAL_MOVE = Decimal("0.5")
"""A valuation moving NAV by more than half from the last one is asked about: a slipped digit
(1,000,000 typed as 10,000,000) more often than a market."""


def _preview_valuation(actor: Actor, pool_id: int | None, request: ValuationRequest) -> Previewed:
    pid = require_pool(pool_id)
    preview = services().previews.valuation(actor, pid, request)
    return Previewed(valuation_effect(preview), unusual_move(preview))


def unusual_move(preview: Preview) -> list[str]:
    """The question to ask when the new NAV is more than UNUSUAL_MOVE away from the last one
    (none for the first valuation: there is nothing to compare with)."""
    d, c = preview.details, preview.currency
    before, after = Decimal(str(d["previous_net_asset_value"])), Decimal(str(d["net_asset_value"]))
    if before <= 0:
        return []
    move = (after - before) / before
    if abs(move) <= UNUSUAL_MOVE:
        return []
    way = "above" if move > 0 else "below"
    return [
        f"The new NAV {money(after, c)} is {abs(move) * 100:.2f}% {way} the last one "
        f"({money(before, c)}). Post anyway?"
    ]


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
        *_rate_rows(d, c),
        *_fee_rows(d, c),
    ]
    classes = None
    if d.get("share_classes"):
        # Each class has its own price after its own fee: there is no one NAV per unit.
        classes = effect_table(
            ("Class", "Units", "Net assets", "NAV per unit"), class_rows(d, c), "effect-valuation-classes"
        )
    else:
        rows.append(
            ("NAV per unit after", number(d.get("nav_per_unit"), 6) if d.get("nav_per_unit") else DASH)
        )
    return html.Div(
        [
            html.H3("Effect", className="h6"),
            note,
            effect_table(("", "Amount"), rows, "effect-valuation"),
            classes,
        ]
    )


def _rate_rows(d: Mapping[str, Any], currency: str) -> list[tuple[str, str]]:
    """The day's rates of the classes' currencies, and each hedged class's hedge result."""
    rates = [
        (f"{code} per {currency} 1", number(rate, 6)) for code, rate in (d.get("fx_rates") or {}).items()
    ]
    hedges = [
        (f"Hedge result, class {class_id} (its own)", money(result, currency))
        for class_id, result in (d.get("hedge_results") or {}).items()
    ]
    return rates + hedges


def _fee_rows(d: Mapping[str, Any], currency: str) -> list[tuple[str, str]]:
    """The management fee the mark accrues, and on which NAV of its period."""
    fee = d.get("management_fee")
    if not fee or "by_class" in fee:
        return []  # a pool with classes shows each class's fee in its table
    point = fee.get("nav_point", "ending")
    basis = {
        "ending": "the NAV recorded",
        "beginning": f"the beginning NAV {money(fee.get('beginning_nav'), currency)}",
        "average": f"the average of {money(fee.get('beginning_nav'), currency)} and "
        f"{money(fee.get('ending_nav'), currency)}",
    }[point]
    return [
        (
            f"Management fee, {fee['period_start']} to {fee['period_end']} ({fee['days']} days) on {basis}",
            money(fee["amount"], currency),
        ),
        ("NAV after the fee", money(d.get("net_asset_value_after_fee"), currency)),
    ]


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
