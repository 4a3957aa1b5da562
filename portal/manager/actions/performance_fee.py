"""The performance fee, for every open-ended pool: a pool with share classes crystallises one
class at a time (the class picker); a pool without charges its own terms' fee over its
high-water mark, or an amount the manager gives (the only way for a pool without such terms).

The preview is the ledger's own (services().previews.transaction, the rule the post runs), and
shows its workings: NAV per unit and high-water mark before and after, the hurdle, the fee.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from dash import html

from backend.finance.fees import GainBasis
from backend.platform.actors import Actor
from backend.pools.interface import PerformanceFeeTerms, PoolKind, PoolOut
from ledger.interface import Preview, TransactionRequest
from portal.components.forms import Field, FormSpec
from portal.context import services
from portal.formatting import money, number
from portal.manager.actions.action import Action
from portal.manager.actions.effects import effect_table, posted
from portal.manager.actions.parsing import (
    exact_text,
    filled_in,
    parse_request,
    percent_of_fraction,
    require_pool,
)
from portal.manager.actions.pool_terms import terms_text
from portal.manager.actions.share_classes import CHOOSE, FIELD, class_field

SCHEDULE = {
    "monthly": "on or after the last weekday of a month",
    "quarterly": "on or after the last weekday of March, June, September or December",
    "annually": "on or after the last weekday of December",
}


def with_performance_fee(specs: Sequence[FormSpec], pool: PoolOut, today: date) -> list[FormSpec]:
    """The pool's forms with the performance fee: per class in a pool with classes, on the
    pool's own terms in any other open-ended pool; a closed-ended pool pays carry instead."""
    if pool.kind is not PoolKind.OPEN_ENDED:
        return list(specs)
    form = class_fee_form(pool, today) if pool.share_classes else pool_fee_form(pool, today)
    return [*specs, form]


def class_fee_form(pool: PoolOut, today: date) -> FormSpec:
    return FormSpec(
        "performance_fee",
        "Performance fee",
        [
            class_field(pool, first=CHOOSE, required=True, help_text="The class whose fee crystallises."),
            Field("effective_date", "Crystallisation date", "date", default=today.isoformat(), required=True),
            Field("memo", "Memo", "text"),
        ],
        intro="Charges the class's performance fee over its own high-water mark; the other classes "
        "and their holders are not touched.",
    )


def pool_fee_form(pool: PoolOut, today: date) -> FormSpec:
    terms = pool.performance_fee
    when = SCHEDULE.get(terms.crystallisation.value) if terms and terms.crystallisation else None
    if terms is not None:
        intro = (
            f"The pool's terms: {terms_text(terms)}. Preview shows the fee they give; an amount "
            "replaces it, and the high-water mark moves to the NAV per unit after it."
        )
        amount_help = "Empty: the fee the pool's terms give."
    else:
        intro = (
            "The pool has no performance fee terms: give the amount to charge. Its holders pay it "
            "pro rata, and the high-water mark moves to the NAV per unit after it."
        )
        amount_help = "Required: the pool's terms give none."
    return FormSpec(
        "performance_fee",
        "Performance fee",
        [
            Field(
                "effective_date",
                "Crystallisation date",
                "date",
                default=today.isoformat(),
                required=True,
                help=f"The terms crystallise {when}." if when else "",
            ),
            Field("amount", "Amount", "number", required=terms is None, help=amount_help),
            Field("memo", "Memo", "text"),
        ],
        intro=intro,
    )


def _parse(v: Mapping[str, Any]) -> TransactionRequest:
    data = filled_in(
        {
            "type": "performance_fee",
            "share_class": v.get(FIELD),
            "amount": exact_text(v.get("amount")),
            "effective_date": v.get("effective_date"),
            "memo": v.get("memo"),
        }
    )
    parsed: TransactionRequest = parse_request(TransactionRequest, data)
    return parsed


def _preview(actor: Actor, pool_id: int | None, request: TransactionRequest) -> Any:
    pid = require_pool(pool_id)
    preview = services().previews.transaction(actor, pid, request)
    terms = None
    if request.share_class is None and request.amount is None:
        # The hurdle's rate is the pool's term; the workings name only its kind and start.
        terms = services().pools.get_pool(actor, pid).performance_fee
    return performance_fee_effect(preview, terms, given=request.amount is not None)


def _hurdle(d: Mapping[str, Any], terms: PerformanceFeeTerms | None, given: bool) -> str:
    if given:
        return "none: the amount is as given"
    if terms is None or not terms.hurdle_rate:
        return "none"
    since = d.get("hurdle_period_start")
    text = f"{terms.hurdle.value}, {percent_of_fraction(terms.hurdle_rate)}% a year"
    return f"{text} since {since}" if since else text


def performance_fee_effect(
    preview: Preview, terms: PerformanceFeeTerms | None = None, *, given: bool = False
) -> Any:
    d, c = preview.details, preview.currency
    rows: list[tuple[str, str]] = []
    if d.get("share_class"):
        rows.append(("Share class", str(d["share_class"])))
    rows += [
        ("NAV per unit before", number(d.get("nav_per_unit_before"), 6)),
        ("NAV per unit after", number(d.get("nav_per_unit_after"), 6)),
        ("High-water mark before", number(d.get("high_water_mark_before"), 6)),
        ("High-water mark after", number(d.get("high_water_mark_after"), 6)),
    ]
    if not d.get("share_class"):
        rows.append(("Hurdle", _hurdle(d, terms, given)))
        if terms is not None and not given:
            rows.append(("Rate", f"{percent_of_fraction(terms.rate)}% of the gain"))
        if d.get("catch_up_rate") is not None:
            rows.append(("Manager's catch-up", f"{percent_of_fraction(Decimal(str(d['catch_up_rate'])))}%"))
        if d.get("gain_basis") == GainBasis.GROSS_OF_MANAGEMENT_FEE.value:
            rows.append(("Management fee added back", money(d.get("management_fee_added_back"), c)))
    if d.get("class_fee") is not None:
        # Equalisation: the class's fee, less what later subscribers are credited back.
        rows.append(("The class's fee", money(d["class_fee"], c)))
    rows.append(("Paid to the manager", money(d.get("amount"), c)))
    return html.Div(
        [html.H3("Effect", className="h6"), effect_table(("", ""), rows, "effect-performance-fee")]
    )


def _post(actor: Actor, pool_id: int | None, request: TransactionRequest, key: str) -> Any:
    entry = services().transactions.record(actor, require_pool(pool_id), request, key)
    which = f" of class {request.share_class}" if request.share_class else ""
    return posted(f"Performance fee{which} posted as entry {entry.id}.")


# "type" is the ledger's name for the fee as a whole (no units to charge, nothing due over the
# hurdle): the form says it above the fields.
PERFORMANCE_FEE = Action("performance_fee", _parse, _preview, _post, {"type": "form"})
