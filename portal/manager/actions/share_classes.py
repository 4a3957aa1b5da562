"""Share classes in the manager's forms: the class picker a subscription (and a classed pool's
performance fee, portal/manager/actions/performance_fee.py) names, and a valuation's classes.

Only a pool with share classes gets the picker: a pool without keeps its forms as they were
(its subscriptions have one price, and its fee terms are the pool's own).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from backend.pools.interface import PoolOut
from portal.components.forms import Field, FormSpec
from portal.formatting import money, number
from portal.manager.actions.parsing import percent_of_fraction

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


def with_share_classes(specs: Sequence[FormSpec], pool: PoolOut) -> list[FormSpec]:
    """The pool's forms with the class picker in the subscription; unchanged for a pool without."""
    if not pool.share_classes:
        return list(specs)
    picker = class_field(
        pool,
        first=TOP_UP,
        required=False,
        help_text="Required for an investor's first subscription; later ones stay in its class.",
    )
    return [_with_picker(spec, picker) if spec.action == "subscription" else spec for spec in specs]


def _with_picker(spec: FormSpec, picker: Field) -> FormSpec:
    fields = list(spec.fields)
    fields.insert(1, picker)  # next to the investor whose class it is
    return dataclasses.replace(spec, fields=fields)


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
