"""A subsequent close: admit the investors committed since capital was called, equalised as
if they had been in from the first close (ledger.posting_rules.closings). The preview shows
what each investor pays or gets back before anything is posted."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from backend.platform.actors import Actor
from ledger.interface import Preview, SubsequentCloseRequest
from portal.context import services
from portal.formatting import money, percent
from portal.manager.actions.action import Action
from portal.manager.actions.effects import effect_table, legal_names, posted
from portal.manager.actions.parsing import filled_in, parse_request, require_pool


def _parse(v: Mapping[str, Any]) -> SubsequentCloseRequest:
    data = filled_in(
        {"closing_date": v.get("closing_date"), "payment_date": v.get("payment_date"), "memo": v.get("memo")}
    )
    parsed: SubsequentCloseRequest = parse_request(SubsequentCloseRequest, data)
    return parsed


def _preview(actor: Actor, pool_id: int | None, request: SubsequentCloseRequest) -> Any:
    preview = services().previews.subsequent_close(actor, require_pool(pool_id), request)
    return close_effect(preview, legal_names(actor, preview.details.get("investors", {})))


def close_effect(preview: Preview, names: Mapping[int, str]) -> Any:
    d, c = preview.details, preview.currency
    rows = []
    for holder, f in d["investors"].items():
        who = names.get(int(holder), f"investor {holder}")
        pays = Decimal(f["capital_paid_in"]) + Decimal(f["interest_paid"])
        gets = Decimal(f["capital_returned"]) + Decimal(f["interest_received"])
        rows.append(
            (
                f"{who} (admitted now)" if f["late"] else who,
                money(f["capital_paid_in"] if f["late"] else f"-{f['capital_returned']}", c),
                money(f["interest_paid"] if f["late"] else f"-{f['interest_received']}", c),
                money(pays if f["late"] else -gets, c),
            )
        )
    intro = html.P(
        f"Equalisation interest {percent(d['interest_rate'])} a year ({d['compounding']}, {d['day_count']}) "
        f"from each earlier call to {d['payment_date']}. Positive: paid to the pool; negative: paid back.",
        className="small text-body-secondary",
    )
    table = effect_table(("Investor", "Capital", "Interest", "Cash"), rows, "effect-close")
    fees = _fee_catch_up(d, names, c)
    return html.Div([html.H3("Effect", className="h6"), intro, table, fees])


def _fee_catch_up(details: Mapping[str, Any], names: Mapping[int, str], currency: str) -> Any:
    """The management fee the admitted investors catch up (none: nothing shown)."""
    caught = details.get("management_fee_catch_up")
    if not caught:
        return None
    rows = [
        (names.get(int(holder), f"investor {holder}"), money(f["management_fee_catch_up"], currency))
        for holder, f in details["investors"].items()
        if "management_fee_catch_up" in f
    ]
    periods = ", ".join(f"{p['period_start']} to {p['period_end']}" for p in caught.get("periods", []))
    said: list[Any] = []
    if rows:
        said += [
            html.P(
                f"Management fee on their commitments for the periods already charged ({periods}), as "
                "if admitted at the first close: charged to their capital accounts, owed to the manager.",
                className="small text-body-secondary",
            ),
            effect_table(("Investor", "Management fee"), rows, "effect-close-fees"),
        ]
    if caught.get("not_equalised"):
        skipped = ", ".join(f"{p['period_start']} to {p['period_end']}" for p in caught["not_equalised"])
        said.append(
            dbc.Alert(
                f"Not caught up (a fee on invested capital): {skipped}.", color="warning", className="small"
            )
        )
    return html.Div(said)


def _post(actor: Actor, pool_id: int | None, request: SubsequentCloseRequest, key: str) -> Any:
    entry = services().transactions.subsequent_close(actor, require_pool(pool_id), request, key)
    return posted(f"Subsequent close posted as entry {entry.id}.")


SUBSEQUENT_CLOSE = Action("subsequent_close", _parse, _preview, _post)
