"""A pool's settings as form fields: every term the "Create a pool" and "Edit settings" forms
show (name, kind, currency, fees, performance fee, waterfall), the defaults a new pool starts
from, and a pool's current settings turned into those fields' values (rates in percent).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from backend.finance.daycount import DayCount
from backend.finance.fees import AccrualFrequency
from backend.finance.waterfall import Compounding
from backend.pools.interface import PoolKind, PoolSettings
from portal.components.forms import Field
from portal.manager.actions.parsing import YES_NO, percent_of_fraction
from portal.manager.actions.pool_terms import PERCENT_FIELDS, SETTING_LABELS

CURRENCY_CHOICES = ("USD", "EUR", "GBP", "CHF", "JPY")


def _settings_fields(values: Mapping[str, Any], *, fixed: Collection[str] = ()) -> list[Field]:
    """Every setting of a pool as form fields, filled from `values` (form field name -> value);
    the settings named in `fixed` are shown but cannot be changed."""

    def field(name: str, kind: str = "text", options: Sequence[tuple[str, str]] = (), **extra: Any) -> Field:
        if name in fixed:
            extra["disabled"] = True
            extra["help"] = "Fixed: the pool has entries in its books."
        label = SETTING_LABELS[name]
        if name in PERCENT_FIELDS:
            label = f"{label} ({PERCENT_FIELDS[name]})"
        return Field(name, label, kind, options, values.get(name), **extra)

    currency = str(values.get("base_currency") or "USD")
    currencies = CURRENCY_CHOICES if currency in CURRENCY_CHOICES else (*CURRENCY_CHOICES, currency)
    return [
        field("name", required=True),
        field(
            "kind", "select", [("open_ended", "Open-ended"), ("closed_ended", "Closed-ended")], required=True
        ),
        field("base_currency", "select", [(c, c) for c in currencies], required=True),
        field("inception_date", "date", required=True),
        field("initial_nav_per_unit", "number", help="Open-ended."),
        field("minimum_subscription", "number"),
        field("management_fee.rate", "number", help="In percent: 2 is 2% a year. Empty: none."),
        field(
            "management_fee.basis",
            "select",
            [("nav", "NAV"), ("committed", "Committed"), ("invested", "Invested")],
        ),
        field("management_fee.frequency", "select", [(f.value, f.value) for f in AccrualFrequency]),
        field(
            "management_fee.timing",
            "select",
            [
                ("in_arrears", "In arrears: at each period's end"),
                ("in_advance", "In advance: at each period's start"),
            ],
        ),
        field(
            "management_fee.nav_point",
            "select",
            [
                ("", "The default: the ending NAV (the beginning in advance)"),
                ("ending", "Ending NAV: the valuation's"),
                ("beginning", "Beginning NAV: at the close before the period"),
                ("average", "Average of the beginning and ending NAV"),
            ],
            help="A fee on NAV accrued at each valuation.",
        ),
        field(
            "management_fee.offset_rate",
            "number",
            help="Closed-ended: the share of transaction, monitoring, director and break-up fees "
            "the manager receives that reduces the fee (ILPA: 100). Empty: none.",
        ),
        field("performance_fee.rate", "number", help="Open-ended, in percent: e.g. 20. Empty: none."),
        field("performance_fee.high_water_mark", "select", YES_NO),
        field("performance_fee.hurdle_rate", "number"),
        field(
            "performance_fee.hurdle",
            "select",
            [("hard", "Hard: on the gain above it"), ("soft", "Soft: on the whole gain once cleared")],
        ),
        field(
            "performance_fee.catch_up_rate",
            "number",
            help="Soft hurdle: e.g. 100 for a full catch-up. Empty: none.",
        ),
        field(
            "performance_fee.gain_basis",
            "select",
            [
                ("net_of_management_fee", "Net of the management fee"),
                ("gross_of_management_fee", "Gross of the management fee"),
            ],
        ),
        field(
            "performance_fee.crystallisation",
            "select",
            [
                ("", "Whenever charged"),
                ("monthly", "Monthly"),
                ("quarterly", "Quarterly"),
                ("annually", "Annually"),
            ],
        ),
        field("waterfall.preferred_return_rate", "number", help="Closed-ended, in percent: e.g. 8."),
        field("waterfall.catch_up_rate", "number"),
        field("waterfall.carried_interest_rate", "number"),
        field("waterfall.compounding", "select", [(c.value, c.value) for c in Compounding]),
        field(
            "waterfall.day_count",
            "select",
            [(d.value, d.value) for d in DayCount],
            help="How the preferred return counts time; ACT/365F is what most agreements say.",
        ),
        field(
            "waterfall.equalisation_interest_rate",
            "number",
            help="Subsequent closes: what later investors pay the earlier ones on each earlier call.",
        ),
        field(
            "waterfall.style",
            "select",
            [
                ("european", "European: whole fund"),
                ("american", "American: deal by deal, with a clawback"),
            ],
        ),
        field(
            "waterfall.clawback_tax_offset",
            "select",
            [
                ("none", "None"),
                ("net_of_tax", "Excess less the tax on the carry"),
                ("capped_at_after_tax_carry", "At most the carry after tax"),
            ],
            help="American: how the GP's tax on its carry reduces what it gives back.",
        ),
        field("waterfall.clawback_tax_rate", "number", help="American: e.g. 30. Empty: none."),
        field(
            "waterfall.interim_clawback",
            "select",
            YES_NO,
            help="American: the clawback may be tested before the end of the fund.",
        ),
    ]


def _new_pool_values(today: date) -> dict[str, Any]:
    return {
        "kind": "open_ended",
        "base_currency": "USD",
        "inception_date": today.isoformat(),
        "initial_nav_per_unit": "1.000000",
        "minimum_subscription": "0",
        "management_fee.basis": "nav",
        "management_fee.frequency": "quarterly",
        "management_fee.timing": "in_arrears",
        "management_fee.nav_point": "",
        "performance_fee.high_water_mark": "true",
        "performance_fee.hurdle_rate": "0",
        "performance_fee.hurdle": "hard",
        "performance_fee.crystallisation": "",
        "performance_fee.gain_basis": "net_of_management_fee",
        # Rates as the form takes them, in percent.
        "waterfall.preferred_return_rate": "8",
        "waterfall.catch_up_rate": "100",
        "waterfall.carried_interest_rate": "20",
        "waterfall.compounding": "annual",
        "waterfall.day_count": DayCount.ACT_365F.value,
        "waterfall.style": "european",
        "waterfall.clawback_tax_offset": "none",
        "waterfall.interim_clawback": "false",
    }


def _form_value(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")  # as written: no exponent, so <input type=number> takes it
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "value", value))


def settings_values(settings: PoolSettings) -> dict[str, Any]:
    """A pool's settings as the settings form's values; terms it has not got show the defaults
    a new pool starts from, so adding them is a matter of filling in a rate."""
    values = _new_pool_values(date.today())
    values.update(
        {
            "name": settings.name,
            "kind": settings.kind.value,
            "base_currency": settings.base_currency,
            "inception_date": settings.inception_date.isoformat(),
            "initial_nav_per_unit": format(settings.initial_nav_per_unit, "f"),
            "minimum_subscription": format(settings.minimum_subscription, "f"),
            "management_fee.basis": "nav" if settings.kind is PoolKind.OPEN_ENDED else "committed",
        }
    )
    for name in ("management_fee", "performance_fee", "waterfall"):
        terms = getattr(settings, name)
        for key, value in (terms.model_dump() if terms is not None else {}).items():
            if value is None:  # a term not given (no offset, no step-down): the field stays empty
                continue
            shown = f"{name}.{key}"
            percent = shown in PERCENT_FIELDS and isinstance(value, Decimal)
            values[shown] = percent_of_fraction(value) if percent else _form_value(value)
    return values
