"""The GP clawback of an American (deal-by-deal) waterfall, and the fields a deal's
distribution adds to the distribution form (ledger.posting_rules.deal_distributions).

The preview shows the test before anything is posted: the carry the GP received deal by
deal, what the whole fund gives it, the tax offset, and what each investor gets back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import html

from backend.platform.actors import Actor
from backend.pools.interface import PoolOut, WaterfallStyle
from ledger.interface import ClawbackRequest, Preview
from portal.components.forms import Field, FormSpec
from portal.context import services
from portal.formatting import money, percent
from portal.manager.actions.action import Action
from portal.manager.actions.effects import effect_table, legal_names, pool_currency, posted
from portal.manager.actions.parsing import YES_NO, filled_in, flag, parse_request, require_pool

_OFFSETS = {
    "none": "no tax offset",
    "net_of_tax": "less the tax assumed on the carry",
    "capped_at_after_tax_carry": "at most the carry after the tax assumed on it",
}


def deal_by_deal(pool: PoolOut) -> bool:
    return pool.waterfall is not None and pool.waterfall.style is WaterfallStyle.AMERICAN


def deal_fields(investments: list[str]) -> list[Field]:
    """What a distribution of an American pool names: the investment and whether it is the last."""
    return [
        Field(
            "investment",
            "Investment sold",
            "select",
            [(name, name) for name in investments],
            default=investments[0] if investments else None,
            required=True,
            help="Its sale proceeds go through the tiers worked on that deal alone.",
        ),
        Field(
            "final_realisation",
            "Final realisation",
            "select",
            YES_NO,
            default="false",
            help="The deal's last distribution: all of it sold.",
        ),
    ]


def clawback_form(day: str) -> FormSpec:
    return FormSpec(
        "clawback",
        "GP clawback",
        [
            Field("effective_date", "Test date", "date", default=day, required=True),
            Field(
                "interim",
                "Interim test",
                "select",
                YES_NO,
                default="false",
                help="Before every deal is finally realised, if the terms allow it.",
            ),
            Field("memo", "Memo", "text"),
        ],
        intro="Compares the carry the GP took deal by deal with what the whole fund gives it; the "
        "excess goes back to the investors who bore it.",
    )


def _parse(v: Mapping[str, Any]) -> ClawbackRequest:
    data = filled_in({"effective_date": v.get("effective_date"), "memo": v.get("memo")})
    data["interim"] = flag(v.get("interim", "false"))
    parsed: ClawbackRequest = parse_request(ClawbackRequest, data)
    return parsed


def _preview(actor: Actor, pool_id: int | None, request: ClawbackRequest) -> Any:
    preview = services().previews.clawback(actor, require_pool(pool_id), request)
    return clawback_effect(preview, legal_names(actor, preview.details.get("investors", {})))


def clawback_effect(preview: Preview, names: Mapping[int, str]) -> Any:
    d, c = preview.details, preview.currency
    offset = _OFFSETS.get(d["tax_offset"], d["tax_offset"])
    if d["tax_offset"] != "none":
        offset += f" ({percent(d['assumed_tax_rate'])}: {money(d['assumed_tax'], c)})"
    intro = html.P(
        f"The GP received {money(d['carry_received'], c)} of carry deal by deal; the whole fund gives it "
        f"{money(d['whole_fund_carry'], c)}: an excess of {money(d['excess'], c)}, {offset}. "
        f"It gives back {money(d['amount'], c)}, paid to the investors who bore the carry.",
        className="small",
        id="effect-clawback-terms",
    )
    rows = [
        (names.get(int(k), f"investor {k}"), money(s["carry_borne"], c), money(s["clawback"], c))
        for k, s in d["investors"].items()
    ]
    table = effect_table(("Investor", "Carry borne to date", "Gets back"), rows, "effect-clawback")
    return html.Div([html.H3("Effect", className="h6"), intro, table])


def _post(actor: Actor, pool_id: int | None, request: ClawbackRequest, key: str) -> Any:
    entry = services().transactions.clawback(actor, require_pool(pool_id), request, key)
    amount = money(entry.details["amount"], pool_currency(actor, entry.pool_id))
    return posted(f"Clawback of {amount} posted as entry {entry.id}.")


CLAWBACK = Action("clawback", _parse, _preview, _post)
