"""A pool's settings and fee terms as the manager's forms name, send and describe them.

Shared by creating a pool and editing its settings: the same fields, the same labels, the
same way of reading the form into the pool service's settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from backend.finance.fees import GainBasis
from backend.pools.interface import (
    ManagementFeeTerms,
    PerformanceFeeTerms,
    PoolOut,
    PoolSettings,
    WaterfallTerms,
)
from portal.formatting import money, number
from portal.manager.actions.class_terms import class_changes, unusual_class_rates
from portal.manager.actions.parsing import exact_text, filled_in, flag, fraction_of_percent

SETTING_NAMES = tuple(PoolSettings.model_fields)
"""Every setting of a pool, as PoolUpdate names them: the unit an edit sends or leaves out."""
FROZEN_ONCE_BOOKED = ("kind", "base_currency", "initial_nav_per_unit")
"""What the books are kept in and priced from: the pool service refuses to move these once the
pool has a journal entry or a commitment, so the form shows them fixed."""
SETTING_LABELS: dict[str, str] = {
    "name": "Name",
    "kind": "Kind",
    "base_currency": "Currency",
    "inception_date": "Inception date",
    "initial_nav_per_unit": "Launch NAV per unit",
    "minimum_subscription": "Minimum subscription",
    "management_fee": "Management fee",
    "management_fee.rate": "Management fee rate",
    "management_fee.basis": "Fee basis",
    "management_fee.frequency": "Fee frequency",
    "management_fee.day_count": "Fee day count",
    "management_fee.offset_rate": "Fee offset",
    "management_fee.timing": "Fee charged",
    "management_fee.nav_point": "Fee on which NAV",
    "performance_fee": "Performance fee",
    "performance_fee.rate": "Performance fee rate",
    "performance_fee.high_water_mark": "High-water mark",
    "performance_fee.hurdle_rate": "Hurdle rate",
    "performance_fee.hurdle": "Hurdle",
    "performance_fee.catch_up_rate": "Manager's catch-up",
    "performance_fee.crystallisation": "Crystallises",
    "performance_fee.gain_basis": "Gain measured",
    "waterfall": "Waterfall",
    "waterfall.style": "Waterfall style",
    "waterfall.preferred_return_rate": "Preferred return",
    "waterfall.compounding": "Compounding",
    "waterfall.catch_up_rate": "GP catch-up",
    "waterfall.carried_interest_rate": "Carried interest",
    "waterfall.day_count": "Waterfall day count",
    "waterfall.equalisation_interest_rate": "Equalisation interest",
    "waterfall.clawback_tax_offset": "Clawback tax offset",
    "waterfall.clawback_tax_rate": "Tax assumed on carry",
    "waterfall.interim_clawback": "Interim clawback",
    "share_classes": "Share classes",
}
PERCENT_FIELDS: dict[str, str] = {
    "management_fee.rate": "% p.a.",
    "management_fee.offset_rate": "% of portfolio-company fees",
    "performance_fee.rate": "% of gains",
    "performance_fee.hurdle_rate": "% p.a.",
    "performance_fee.catch_up_rate": "%",
    "waterfall.preferred_return_rate": "% p.a.",
    "waterfall.catch_up_rate": "%",
    "waterfall.carried_interest_rate": "%",
    "waterfall.equalisation_interest_rate": "% p.a.",
    "waterfall.clawback_tax_rate": "%",
}
"""The rates a manager types as percentages (2 for 2%), with the unit their label shows; the
pool service takes them as fractions (0.02), and settings_data converts, exactly."""
UNUSUAL_RATES: dict[str, tuple[Decimal, str]] = {
    "management_fee.rate": (Decimal("0.05"), "Management fee {} p.a."),
    "performance_fee.rate": (Decimal("0.30"), "Performance fee {}"),
    "waterfall.carried_interest_rate": (Decimal("0.30"), "Carried interest {}"),
}
"""Above these a rate is allowed but rare enough to be a typo more often than a deal: the
preview asks the manager to confirm it (2 and 20 are the market's usual fee and carry)."""
# A whole set of terms is named by the service (e.g. "waterfall: only a closed-ended pool ...");
# the form shows that next to the first field of the set.
TERM_FIELDS = {
    "management_fee": "management_fee.rate",
    "performance_fee": "performance_fee.rate",
    "waterfall": "waterfall.preferred_return_rate",
}


def settings_data(v: Mapping[str, Any]) -> dict[str, Any]:
    """The settings form's values as the pool service's settings (empty fee fields: no such fee)."""
    data: dict[str, Any] = filled_in(
        {
            "name": (v.get("name") or "").strip(),
            "kind": v.get("kind"),
            "base_currency": v.get("base_currency"),
            "inception_date": v.get("inception_date"),
            "initial_nav_per_unit": exact_text(v.get("initial_nav_per_unit")),
            "minimum_subscription": exact_text(v.get("minimum_subscription")),
        }
    )
    if v.get("management_fee.rate") not in (None, ""):
        data["management_fee"] = filled_in(
            {
                "rate": fraction_of_percent(v.get("management_fee.rate")),
                "basis": v.get("management_fee.basis"),
                "frequency": v.get("management_fee.frequency"),
                "offset_rate": fraction_of_percent(v.get("management_fee.offset_rate")),
                "timing": v.get("management_fee.timing"),
                "nav_point": v.get("management_fee.nav_point") or None,
            }
        )
    if v.get("kind") == "open_ended" and v.get("performance_fee.rate") not in (None, ""):
        data["performance_fee"] = filled_in(
            {
                "rate": fraction_of_percent(v.get("performance_fee.rate")),
                "high_water_mark": flag(v.get("performance_fee.high_water_mark", "true")),
                "hurdle_rate": fraction_of_percent(v.get("performance_fee.hurdle_rate")),
                "hurdle": v.get("performance_fee.hurdle"),
                "catch_up_rate": fraction_of_percent(v.get("performance_fee.catch_up_rate")),
                "crystallisation": v.get("performance_fee.crystallisation") or None,
                "gain_basis": v.get("performance_fee.gain_basis"),
            }
        )
    if v.get("kind") == "closed_ended":
        data["waterfall"] = filled_in(
            {
                "preferred_return_rate": fraction_of_percent(v.get("waterfall.preferred_return_rate")),
                "catch_up_rate": fraction_of_percent(v.get("waterfall.catch_up_rate")),
                "carried_interest_rate": fraction_of_percent(v.get("waterfall.carried_interest_rate")),
                "compounding": v.get("waterfall.compounding"),
                "day_count": v.get("waterfall.day_count"),
                "style": v.get("waterfall.style"),
                "equalisation_interest_rate": fraction_of_percent(
                    v.get("waterfall.equalisation_interest_rate")
                ),
                "clawback_tax_offset": v.get("waterfall.clawback_tax_offset"),
                "clawback_tax_rate": fraction_of_percent(v.get("waterfall.clawback_tax_rate")),
                "interim_clawback": flag(v.get("waterfall.interim_clawback", "false")),
            }
        )
    return data


def unusual_rates(settings: PoolSettings, names: Iterable[str] | None = None) -> list[str]:
    """A question for each rate in `settings` above its usual ceiling (UNUSUAL_RATES), only
    among the settings in `names` when given (an edit asks about what it changes)."""
    asked: list[str] = []
    for key, (ceiling, wording) in UNUSUAL_RATES.items():
        terms_name, _, rate_name = key.partition(".")
        if names is not None and terms_name not in names:
            continue
        terms = getattr(settings, terms_name)
        rate = getattr(terms, rate_name) if terms is not None else None
        if rate is not None and rate > ceiling:
            shown = f"{rate * 100:.2f}%"
            asked.append(f"{wording.format(shown)} is unusually high. Post anyway?")
    if names is None or "share_classes" in names:
        asked += unusual_class_rates(settings.share_classes)
    return asked


def settings_of(pool: PoolOut) -> PoolSettings:
    return PoolSettings.model_validate(pool.model_dump(include=set(SETTING_NAMES)))


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def _setting_text(key: str, value: Any, currency: str) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        if key == "minimum_subscription":
            return money(value, currency)
        return _percent(value) if key.endswith("rate") else number(value, 6)
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "value", value)).replace("_", " ")


def terms_text(terms: BaseModel) -> str:
    if isinstance(terms, ManagementFeeTerms):
        text = f"{_percent(terms.rate)} p.a. on {terms.basis.value}, accrued {terms.frequency.value}"
        if terms.step_down_on is not None:
            after = terms.rate if terms.step_down_rate is None else terms.step_down_rate
            text += f"; from {terms.step_down_on.isoformat()} {_percent(after)} on invested capital"
        if terms.offset_rate is not None:
            text += f"; less {_percent(terms.offset_rate)} of fees from portfolio companies"
        return text
    if isinstance(terms, PerformanceFeeTerms):
        hwm = "with" if terms.high_water_mark else "without"
        hurdle = f"{terms.hurdle.value} hurdle {_percent(terms.hurdle_rate)}"
        text = f"{_percent(terms.rate)} {hwm} high-water mark, {hurdle}"
        if terms.catch_up_rate is not None:
            text += f" with a {_percent(terms.catch_up_rate)} catch-up"
        if terms.crystallisation is not None:
            text += f", crystallised {terms.crystallisation.value}"
        if terms.gain_basis is GainBasis.GROSS_OF_MANAGEMENT_FEE:
            text += ", on gains before the management fee"
        return text
    if isinstance(terms, WaterfallTerms):
        return (
            f"pref {_percent(terms.preferred_return_rate)} ({terms.compounding.value}, "
            f"{terms.day_count.value}), catch-up "
            f"{_percent(terms.catch_up_rate)}, carry {_percent(terms.carried_interest_rate)}"
        )
    return str(terms)


def setting_changes(
    before: PoolSettings, after: PoolSettings, names: Iterable[str]
) -> list[tuple[str, str, str]]:
    """(setting, now, after) for each setting in `names` that differs: a set of terms added or
    removed is one row, terms changed in place are a row per term that moves."""
    rows: list[tuple[str, str, str]] = []
    for name in names:
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        if name == "share_classes":
            rows += class_changes(old, new, after.base_currency)
            continue
        if isinstance(old, BaseModel) and isinstance(new, BaseModel):
            for key in type(old).model_fields:
                a, b = getattr(old, key), getattr(new, key)
                if a != b:
                    label = SETTING_LABELS.get(f"{name}.{key}", f"{name}.{key}")
                    rows.append(
                        (
                            label,
                            _setting_text(key, a, before.base_currency),
                            _setting_text(key, b, after.base_currency),
                        )
                    )
        elif isinstance(old, BaseModel) or isinstance(new, BaseModel):
            rows.append(
                (
                    SETTING_LABELS[name],
                    terms_text(old) if old is not None else "none",
                    terms_text(new) if new is not None else "none",
                )
            )
        else:
            rows.append(
                (
                    SETTING_LABELS[name],
                    _setting_text(name, old, before.base_currency),
                    _setting_text(name, new, after.base_currency),
                )
            )
    return rows
