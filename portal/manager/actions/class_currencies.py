"""Share classes in another currency in the manager's forms: a valuation of such a pool asks
for the day's rate of each class currency and each hedged class's hedge result, one field
each (the valuation form parses them: portal/manager/actions/valuation.py).

A pool without such classes keeps its valuation form as it was.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from backend.pools.interface import PoolOut
from portal.components.forms import Field, FormSpec
from portal.manager.actions.valuation import HEDGE_FIELD, RATE_FIELD


def class_currency_fields(pool: PoolOut) -> list[Field]:
    """A rate field per currency the classes deal in (other than the pool's), then a hedge
    result field per hedged class."""
    base = pool.base_currency
    codes = dict.fromkeys(c.currency for c in pool.share_classes if c.currency and c.currency != base)
    rates = [
        Field(
            f"{RATE_FIELD}{code}",
            f"{code} per {base} 1",
            "number",
            required=True,
            help=f"The day's rate: units of {code} for one {base}. The day's deals in {code} classes are "
            "struck at it.",
        )
        for code in codes
    ]
    hedges = [
        Field(
            f"{HEDGE_FIELD}{c.class_id}",
            f"Hedge result, class {c.class_id} ({base})",
            "number",
            help="The class's currency hedge since the last valuation (a loss negative), included in "
            "the NAV above; the class's alone.",
        )
        for c in pool.share_classes
        if c.hedged
    ]
    return rates + hedges


def with_class_currencies(specs: Sequence[FormSpec], pool: PoolOut) -> list[FormSpec]:
    """The pool's forms with the rate and hedge fields in the valuation (before its memo)."""
    extra = class_currency_fields(pool)
    if not extra:
        return list(specs)
    return [_with_fields(spec, extra) if spec.action == "valuation" else spec for spec in specs]


def _with_fields(spec: FormSpec, extra: Sequence[Field]) -> FormSpec:
    fields = list(spec.fields)
    at = next((i for i, f in enumerate(fields) if f.name == "memo"), len(fields))
    return dataclasses.replace(spec, fields=[*fields[:at], *extra, *fields[at:]])
