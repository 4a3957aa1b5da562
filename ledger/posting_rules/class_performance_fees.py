"""A share class's performance fee, crystallised investor by investor with equalisation.

Every unit of a class carries its own reference: the class's high-water mark for units held
since its last performance fee, the price paid for units bought since. At crystallisation
each investor owes rate x (the class's NAV per unit - reference) on each of its lots, summed
and rounded down once (backend.finance.fees.equalisation.equalise). The class fee itself,
rate x (NAV per unit - high-water mark) x units, is shared by units; the difference between
an investor's share and what it owes is settled in units at the price after the fee: an
**equalisation credit** (new units) for one who bought above the mark and so had less gain,
a **contingent redemption** (units cancelled) for one who bought below it and so had more.
So nobody pays on another's gain, and one NAV per unit stays the price of every unit of the
class. The books carry no accrued fee in the price between crystallisations, so a unit's
reference is the price paid for it (the gross price of section 11).

A holder who leaves between crystallisations pays its own fee on the units it redeems, the
oldest first, at the redemption (:func:`redemption_performance_fee`, unless the class's terms
say otherwise): the same rate x (price - reference) per unit, rounded down once, kept from the
proceeds. The units that stay keep their references, so nobody else's fee changes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from backend.finance.errors import InvalidValueError
from backend.finance.fees.equalisation import EqualisationResult, Holding, equalise
from backend.finance.fees.incentive_terms import INCENTIVE_FEE_ROUNDING, IncentiveTerms
from backend.finance.money import (
    Rounding,
    exact_arithmetic,
    quantize_cash,
    quantize_nav_per_unit,
    round_to_quantum,
)
from backend.finance.share_class_terms import ShareClass
from backend.finance.unitisation import nav_per_unit
from ledger.posting_rules.books import (
    _ZERO,
    Line,
    PoolBooks,
    PoolTerms,
    Posting,
    _allocate_to_capital,
    _non_zero,
    _positive_cash,
)
from ledger.posting_rules.class_currencies import to_base_amount
from ledger.posting_rules.performance_fees import require_crystallisation_date
from ledger.posting_rules.share_classes import (
    ClassPosition,
    Lot,
    class_high_water_mark,
    class_position,
    holder_lots,
    lots_after_redemption,
    unit_weights,
)
from ledger.schemas import AccountCode, EntryType

_REFERENCE = Decimal("1E-12")


@exact_arithmetic
def redemption_performance_fee(
    terms: PoolTerms,
    books: PoolBooks,
    share_class: ShareClass,
    investor_id: int,
    *,
    units: Decimal,
    price: Decimal,
) -> tuple[Decimal, dict[str, Any] | None]:
    """The leaver's own performance fee on ``units`` redeemed at ``price``: rate x (price -
    reference) on each of its oldest lots that the redemption takes, summed and rounded down
    once, in the class's currency. Returns (fee, workings), or (0, None) where the class takes
    none at redemption."""
    rate = share_class.performance_fee_rate
    if not rate or not share_class.fee_on_redemption:
        return _ZERO, None
    hwm = class_high_water_mark(books, share_class)
    left, taken = units, []
    for held, reference in holder_lots(books, investor_id, hwm):
        if left == 0:
            break
        part = min(held, left)
        left -= part
        taken.append((part, reference))
    exact = sum(
        (Fraction(rate) * Fraction(u) * max(Fraction(0), Fraction(price) - Fraction(r)) for u, r in taken),
        Fraction(0),
    )
    fee = quantize_cash(exact, share_class.currency, INCENTIVE_FEE_ROUNDING)
    workings = {
        "amount": str(fee),
        "rate": str(rate),
        "high_water_mark": str(hwm),
        "lots": [[str(u), str(r)] for u, r in taken],
    }
    return fee, workings


@exact_arithmetic
def class_performance_fee(
    terms: PoolTerms, books: PoolBooks, *, amount: object, share_class: str | None, on: date
) -> Posting:
    """Crystallise one class's performance fee on ``on`` (see the module docstring). With
    ``amount`` the manager's figure is booked as given, shared by units, and every unit's
    reference moves to the price after it."""
    if share_class is None:
        codes = ", ".join(c.class_id for c in terms.share_classes)
        raise InvalidValueError(
            "share_class",
            f"pool {terms.pool_id} issues share classes ({codes}); name the class whose fee crystallises",
        )
    charged = terms.share_class(share_class)
    require_crystallisation_date(charged.crystallisation, on, f"class {charged.class_id}'s performance fee")
    position = class_position(terms, books, charged)
    if position.units == 0:
        raise InvalidValueError("share_class", f"class {charged.class_id} has no units outstanding to charge")
    hwm = class_high_water_mark(books, charged)
    if amount is not None:
        return _given_fee(terms, books, charged, position, hwm, amount)
    if not charged.performance_fee_rate:
        raise InvalidValueError(
            "amount", f"class {charged.class_id} has no performance fee rate; give amount"
        )
    lots = {holder: holder_lots(books, holder, hwm) for holder in position.holders}
    result = equalise(
        [
            Holding(str(holder), units, ref)
            for holder, held in lots.items()
            for units, ref in held
            if units > 0
        ],
        [],
        period_end_gross_nav_per_unit=position.nav_per_unit,
        high_water_mark_per_unit=hwm,
        terms=IncentiveTerms(rate=charged.performance_fee_rate),
        currency=charged.currency,
        # Every lot is passed as a holding with its own reference, so the period only frames
        # subscriptions, of which there are none here: any start before ``on`` will do.
        period_start=date.min,
        period_end=on,
    )
    if result.total_fee == 0:
        raise InvalidValueError(
            "type",
            f"no performance fee is due: class {charged.class_id}'s NAV per unit {position.nav_per_unit} "
            f"is not above its high-water mark {hwm} nor above the price any holder paid",
        )
    return _equalised_posting(terms, charged, position, hwm, lots, result)


def _equalised_posting(  # noqa: PLR0917 - the class's figures, each named at the one call
    terms: PoolTerms,
    charged: ShareClass,
    position: ClassPosition,
    hwm: Decimal,
    lots: dict[int, list[Lot]],
    result: EqualisationResult,
) -> Posting:
    lines: list[Line] = []
    investors: dict[str, Any] = {}
    net_units = total = _ZERO
    rate = position.fx_rate
    for settled in result.investors:
        holder = int(settled.investor)
        units = settled.units_credited - settled.units_redeemed
        net_units += units
        # The fee is worked in the class's currency; its holders' accounts are in the pool's.
        fee = settled.fee if rate is None else to_base_amount(settled.fee, rate, terms.currency)
        total += fee
        lines += [Line(AccountCode.CAPITAL, holder, fee), Line(AccountCode.UNITS, holder, units)]
        after = _lots_after(lots[holder], position.nav_per_unit, result.nav_per_unit_after, settled)
        investors[settled.investor] = {
            "fee": str(settled.fee),
            "class_share": str(settled.class_share),
            "equalisation_credit": str(settled.equalisation_credit),
            "contingent_redemption": str(settled.contingent_redemption),
            "units_credited": str(settled.units_credited),
            "units_redeemed": str(settled.units_redeemed),
            "lots_after": [[str(u), str(r)] for u, r in after],
        }
    lines += [
        Line(AccountCode.UNITS_OUTSTANDING, None, -net_units),
        Line(AccountCode.FEES_PAYABLE, None, -total),
    ]
    details = {
        "amount": str(total),
        "share_class": charged.class_id,
        "rate": str(charged.performance_fee_rate),
        "units": str(position.units),
        "nav_per_unit_before": str(position.nav_per_unit),
        "nav_per_unit_after": str(result.nav_per_unit_after),
        "high_water_mark_before": str(hwm),
        "high_water_mark_after": str(result.high_water_mark_per_unit),
        "class_fee": str(result.class_fee),
        "equalisation": "credits and contingent redemptions",
        "allocation": {
            str(line.investor_id): str(line.amount) for line in lines if line.account is AccountCode.CAPITAL
        },
        "investors": investors,
    }
    if rate is not None:
        # The figures above are the class's currency's; amount and allocation the books'.
        details |= {
            "currency": charged.currency.code,
            "fx_rate": str(rate),
            "class_currency_amount": str(result.total_fee),
        }
    return Posting(EntryType.PERFORMANCE_FEE, _non_zero(lines), details)


def _lots_after(lots: list[Lot], gross: Decimal, after: Decimal, settled: Any) -> list[Lot]:
    """An investor's lots for the next period: every unit that paid on its whole gain (and
    every unit credited) at the price after the fee; a lot bought above the period's price
    keeps what it has not recovered, its reference scaled by the fee's fall in price."""
    paid = sum((u for u, r in lots if r <= gross), _ZERO) + settled.units_credited
    above = [
        (u, round_to_quantum(Fraction(r) * Fraction(after) / Fraction(gross), _REFERENCE, Rounding.HALF_EVEN))
        for u, r in lots
        if r > gross
    ]
    merged: list[Lot] = [(paid, after), *above] if paid > 0 else above
    return lots_after_redemption(merged, settled.units_redeemed)


def _given_fee(  # noqa: PLR0917 - the class's figures, each named at the one call
    terms: PoolTerms,
    books: PoolBooks,
    charged: ShareClass,
    position: ClassPosition,
    hwm: Decimal,
    amount: object,
) -> Posting:
    fee = _positive_cash(amount, terms, "amount")
    nav = position.net_asset_value
    if fee >= nav:
        raise InvalidValueError(
            "amount", f"a fee of {fee} would exhaust class {charged.class_id}'s net asset value {nav}"
        )
    if position.fx_rate is None:
        after = nav_per_unit(nav - fee, position.units, terms.currency).nav_per_unit
    else:  # the fee is the books' (the pool's currency); the price the class's
        after = quantize_nav_per_unit(
            Fraction(nav - fee) * Fraction(position.fx_rate) / Fraction(position.units)
        )
    capital_lines, allocation = _allocate_to_capital(fee, unit_weights(books, position.holders), terms, 1)
    lines = _non_zero([*capital_lines, Line(AccountCode.FEES_PAYABLE, None, -fee)])
    details = {
        "amount": str(fee),
        "share_class": charged.class_id,
        "nav_per_unit_before": str(position.nav_per_unit),
        "nav_per_unit_after": str(after),
        "high_water_mark_before": str(hwm),
        "high_water_mark_after": str(max(hwm, after)),
        "allocation": allocation,
        "investors": {
            str(h): {"lots_after": [[str(books.units_of(h)), str(after)]]} for h in position.holders
        },
    }
    return Posting(EntryType.PERFORMANCE_FEE, lines, details)
