"""Make a distribution: pro rata, or through a closed-ended pool's waterfall tier by tier.

The preview is a what-if: changing the amount re-runs it, so the manager sees the split
before posting.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dash import dcc, html

from backend.platform.actors import Actor
from ledger.interface import DistributionRequest, Preview
from portal.context import services
from portal.formatting import money, percent
from portal.manager.actions.action import Action
from portal.manager.actions.effects import allocation_effect, effect_table, legal_names, pool_currency, posted
from portal.manager.actions.parsing import exact_text, filled_in, flag, parse_request, require_pool
from portal.manager.figures import waterfall_split


def _parse_distribution(v: Mapping[str, Any]) -> DistributionRequest:
    data = filled_in(
        {
            "amount": exact_text(v.get("amount")),
            "mode": v.get("mode"),
            "effective_date": v.get("effective_date"),
            "memo": v.get("memo"),
        }
    )
    if v.get("investment"):  # American waterfall: the deal whose proceeds it pays
        data["investment"] = v.get("investment")
        data["final_realisation"] = flag(v.get("final_realisation", "false"))
    data["recallable"] = flag(v.get("recallable", "false"))
    data["deemed_contribution"] = flag(v.get("deemed_contribution", "false"))
    parsed: DistributionRequest = parse_request(DistributionRequest, data)
    return parsed


def _preview_distribution(actor: Actor, pool_id: int | None, request: DistributionRequest) -> Any:
    preview = services().previews.distribution(actor, require_pool(pool_id), request)
    d = preview.details
    return distribution_effect(
        preview, legal_names(actor, [*d.get("allocation", {}), *d.get("investors", {})])
    )


def distribution_effect(preview: Preview, names: Mapping[int, str]) -> Any:
    d, c = preview.details, preview.currency
    if d.get("mode") != "waterfall":
        return allocation_effect(preview, names, "Paid to each investor (pro rata)")
    tiers: Mapping[str, Mapping[str, str]] = d["tiers"]
    tier_rows: list[tuple[Any, ...]] = [
        (name.replace("_", " ").capitalize(), money(t["lp"], c), money(t["gp"], c))
        for name, t in tiers.items()
    ]
    if d.get("side_letter_rebates"):
        rebated = Decimal(d["side_letter_rebates"])
        tier_rows.append(("Side-letter carry rebates", money(rebated, c), money(-rebated, c)))
    tier_rows.append(
        (html.Strong("Total"), html.Strong(money(d["lp_total"], c)), html.Strong(money(d["gp_total"], c)))
    )
    investor_rows = [
        (
            names.get(int(k), f"investor {k}"),
            money(s["return_of_capital"], c),
            money(s["preferred_return"], c),
            money(s["catch_up"], c),
            money(s["carried_interest"], c),
            money(s["total"], c),
            money(s["gp_share_borne"], c),
        )
        for k, s in d["investors"].items()
    ]
    return html.Div(
        [
            html.H3(
                f"{d['investment']}: tier by tier, deal by deal"
                if d.get("style") == "american"
                else "Waterfall: tier by tier",
                className="h6",
            ),
            *waterfall_workings(d, c),
            effect_table(("Tier", "Investors (LP)", "Manager (GP)"), tier_rows, "effect-tiers"),
            dcc.Graph(
                figure=waterfall_split(tiers, c), config={"displayModeBar": False}, id="effect-tiers-chart"
            ),
            html.H3("Per investor", className="h6"),
            effect_table(
                (
                    "Investor",
                    "Capital back",
                    "Preferred",
                    "Catch-up",
                    "Carry (LP)",
                    "Receives",
                    "GP share borne",
                ),
                investor_rows,
                "effect-investors",
            ),
            html.P("Change the amount above to see the split update.", className="small text-body-secondary"),
        ]
    )


def waterfall_workings(details: Mapping[str, Any], currency: str) -> list[Any]:
    """The terms the tiers were sized by (day count included) and the GP's running
    entitlement, under the heading: what a manager checks the split against."""
    terms: Mapping[str, str] | None = details.get("terms")
    if not terms:  # entries posted before the workings were recorded
        return []
    pref, carry = Decimal(terms["preferred_return_rate"]), Decimal(terms["carried_interest_rate"])
    catch_up = Decimal(terms["catch_up_rate"])
    text = (
        f"Preferred return {percent(pref)} a year, {terms['compounding']}, counted {terms['day_count']}; "
        f"catch-up {percent(catch_up)}; carried interest {percent(carry)}. "
    )
    if details.get("style") == "american":
        text += (
            f"Deal by deal: {details['investment']}, {money(details['deal_capital'], currency)} of capital; "
            f"after this distribution the GP has been paid "
            f"{money(details['gp_paid_on_deal_to_date'], currency)} from it."
        )
        if details.get("final_realisation"):
            text += " Its final realisation: capital not returned is a realised loss the clawback weighs."
    else:
        text += (
            f"After this distribution the GP's share at the pool's terms is "
            f"{money(details['gp_entitlement_to_date'], currency)} of the "
            f"{money(details['profit_distributed_to_date'], currency)} of profit distributed to date."
        )
    if details.get("recallable"):
        returned = sum((Decimal(v) for v in details["recallable"].values()), Decimal(0))
        text += (
            f" Recallable: the {money(returned, currency)} of capital it returns adds back to the "
            "investors' unfunded commitments."
        )
    if details.get("deemed_contributions"):
        deemed = sum((Decimal(v) for v in details["deemed_contributions"].values()), Decimal(0))
        text += (
            f" Deemed contributions: {money(deemed, currency)} of it pays what investors owe on calls; "
            f"{money(details['cash_paid'], currency)} is paid out in cash."
        )
    if details.get("side_letter_rebates"):
        text += (
            f" Side letters lower some investors' carry: the GP gives back "
            f"{money(details['side_letter_rebates'], currency)} of it here."
        )
    return [html.P(text, className="small", id="effect-waterfall-terms")]


def _post_distribution(actor: Actor, pool_id: int | None, request: DistributionRequest, key: str) -> Any:
    entry = services().transactions.distribute(actor, require_pool(pool_id), request, key)
    return posted(
        f"Distribution of {money(request.amount, pool_currency(actor, entry.pool_id))} "
        f"posted as entry {entry.id}."
    )


DISTRIBUTION = Action("distribution", _parse_distribution, _preview_distribution, _post_distribution)
