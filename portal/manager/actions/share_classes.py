"""Share classes in the manager's forms: the class picker a subscription names, and the
performance fee, which a pool with classes crystallises one class at a time.

Only a pool with share classes gets either: a pool without keeps its forms as they were (its
subscriptions have one price, and its fee terms are the pool's own).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from dash import html

from backend.platform.actors import Actor
from backend.pools.interface import PoolOut
from ledger.interface import Preview, TransactionRequest
from portal.components.forms import Field, FormSpec
from portal.context import services
from portal.formatting import money, number
from portal.manager.actions.action import Action
from portal.manager.actions.effects import effect_table, posted
from portal.manager.actions.parsing import filled_in, parse_request, percent_of_fraction, require_pool

FIELD = "share_class"
TOP_UP = "Choose a class (a top-up keeps the investor's own)"
CHOOSE = "Choose a class"


def class_label(class_id: str, name: str, management: Any, performance: Any) -> str:
    """ "A — Retail (1.5% / 20%)": the code the books use, then what the manager knows it by."""
    named = f"{class_id} — {name}" if name else class_id
    return f"{named} ({percent_of_fraction(management)}% / {percent_of_fraction(performance)}%)"


def class_options(pool: PoolOut) -> list[tuple[str, str]]:
    return [
        (c.class_id, class_label(c.class_id, c.name, c.management_fee_rate, c.performance_fee_rate))
        for c in pool.share_classes
    ]


def class_field(pool: PoolOut, *, first: str, required: bool, help_text: str) -> Field:
    # A leading empty choice: a select with none would show the first class while sending
    # nothing, and the manager would think a class was chosen.
    return Field(
        FIELD,
        "Share class",
        "select",
        [("", first), *class_options(pool)],
        default="",
        required=required,
        help=help_text,
    )


def with_share_classes(specs: Sequence[FormSpec], pool: PoolOut, today: date) -> list[FormSpec]:
    """The pool's forms with the class picker in the subscription and, after the fee from a
    portfolio company's place, the performance fee per class; unchanged for a pool without."""
    if not pool.share_classes:
        return list(specs)
    picker = class_field(
        pool,
        first=TOP_UP,
        required=False,
        help_text="Required for an investor's first subscription; later ones stay in its class.",
    )
    out = [_with_picker(spec, picker) if spec.action == "subscription" else spec for spec in specs]
    out.append(performance_fee_form(pool, today))
    return out


def _with_picker(spec: FormSpec, picker: Field) -> FormSpec:
    fields = list(spec.fields)
    fields.insert(1, picker)  # next to the investor whose class it is
    return dataclasses.replace(spec, fields=fields)


def performance_fee_form(pool: PoolOut, today: date) -> FormSpec:
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


def _parse(v: Mapping[str, Any]) -> TransactionRequest:
    data = filled_in(
        {
            "type": "performance_fee",
            "share_class": v.get(FIELD),
            "effective_date": v.get("effective_date"),
            "memo": v.get("memo"),
        }
    )
    parsed: TransactionRequest = parse_request(TransactionRequest, data)
    return parsed


def _preview(actor: Actor, pool_id: int | None, request: TransactionRequest) -> Any:
    pid = require_pool(pool_id)
    return performance_fee_effect(services().previews.transaction(actor, pid, request))


def performance_fee_effect(preview: Preview) -> Any:
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


PERFORMANCE_FEE = Action("performance_fee", _parse, _preview, _post)


def class_rows(details: Mapping[str, Any], currency: str) -> list[tuple[str, str, str, str]]:
    """A valuation's classes after it, from its details: (class, units, net assets, NAV per unit)."""
    classes: Mapping[str, Mapping[str, Any]] = details.get("share_classes") or {}
    return [
        (
            class_id,
            number(c.get("units"), 6),
            money(c.get("net_asset_value"), currency),
            number(c.get("nav_per_unit"), 6),
        )
        for class_id, c in classes.items()
    ]
