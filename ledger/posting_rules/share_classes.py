"""Share classes in the books of an open-ended pool: which class an investor deals in, each
class's units, net assets and NAV per unit, and the management fee each class accrues at a mark.

Every investor holds one class of a pool (the class of its latest subscription); its capital
account is its part of that class's net assets. A class's net assets are the sum of its
holders' capital accounts, and its NAV per unit those net assets over its units (6 dp,
half-even), or its launch price while it has none. The pool's rounding residue (what
unit rounding left over) belongs to no class: it goes to the last holder out, as in a pool
without classes.

Gains, losses, income and common costs are shared by the value each holder owns (the
"relative net assets" method: each class's part is its net assets' share of the pool's, and
within a class each unit's part is the same); the fees are the class's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from backend.finance.allocation import allocate_cash
from backend.finance.errors import InvalidValueError
from backend.finance.fees import FeePeriod, management_fee
from backend.finance.money import exact_arithmetic, quantize_cash, quantize_nav_per_unit
from backend.finance.share_class_terms import ShareClass
from backend.finance.unitisation import nav_per_unit
from ledger.posting_rules.books import _ZERO, PoolBooks, PoolTerms
from ledger.schemas import AccountCode


@dataclass(frozen=True, slots=True)
class ClassPosition:
    """One class as the books stand: its units, net assets (in the pool's currency) and NAV
    per unit (in the class's), and its holders. A class in another currency also has the
    rate it is priced at (class currency per base unit) and its net assets in its currency."""

    class_id: str
    units: Decimal
    net_asset_value: Decimal
    nav_per_unit: Decimal
    holders: tuple[int, ...]
    currency: str | None = None
    fx_rate: Decimal | None = None
    class_currency_net_asset_value: Decimal | None = None

    def as_details(self) -> dict[str, Any]:
        details = {
            "units": str(self.units),
            "net_asset_value": str(self.net_asset_value),
            "nav_per_unit": str(self.nav_per_unit),
        }
        if self.currency is not None:
            details |= {
                "currency": self.currency,
                "fx_rate": str(self.fx_rate),
                "class_currency_net_asset_value": str(self.class_currency_net_asset_value),
            }
        return details


def class_holders(books: PoolBooks, class_id: str) -> list[int]:
    """The investors holding units of ``class_id``."""
    return [
        i
        for i in books.investor_ids(AccountCode.UNITS)
        if books.units_of(i) > 0 and books.share_class_of.get(i) == class_id
    ]


def class_rate(terms: PoolTerms, books: PoolBooks, share_class: ShareClass) -> Decimal | None:
    """Units of the class's currency per one base unit as the books stand (None for a class in
    the pool's own currency): the latest valuation's rate."""
    if share_class.currency == terms.currency:
        return None
    code = share_class.currency.code
    rate = books.class_fx_rates.get(code)
    if rate is None:
        raise InvalidValueError(
            "fx_rates",
            f"class {share_class.class_id} of pool {terms.pool_id} deals in {code}: record a valuation "
            f"giving fx_rates.{code} (units of {code} per {terms.currency.code} 1) first",
        )
    return rate


@exact_arithmetic
def class_position(terms: PoolTerms, books: PoolBooks, share_class: ShareClass) -> ClassPosition:
    holders = tuple(class_holders(books, share_class.class_id))
    units = sum((books.units_of(i) for i in holders), _ZERO)
    nav = sum((books.capital_of(i) for i in holders), _ZERO)
    foreign = share_class.currency != terms.currency
    rate = None
    if foreign and (units or share_class.currency.code in books.class_fx_rates):
        rate = class_rate(terms, books, share_class)  # a class with units has a rate: it dealt at one
    in_class = nav if rate is None else quantize_cash(Fraction(nav) * Fraction(rate), share_class.currency)
    if units == 0:
        price = share_class.initial_nav_per_unit
    elif nav <= 0:
        raise InvalidValueError(
            "net_asset_value",
            f"class {share_class.class_id} of pool {terms.pool_id} has net assets of {nav}; "
            "no unit price to deal at",
        )
    elif rate is None:
        price = nav_per_unit(nav, units, terms.currency).nav_per_unit
    else:
        # Exact: the base net assets at the rate, over the units, rounded once.
        price = quantize_nav_per_unit(Fraction(nav) * Fraction(rate) / Fraction(units))
    if not foreign:
        return ClassPosition(share_class.class_id, units, nav, price, holders)
    return ClassPosition(
        share_class.class_id, units, nav, price, holders, share_class.currency.code, rate, in_class
    )


def class_high_water_mark(books: PoolBooks, share_class: ShareClass) -> Decimal:
    """Per unit: what the class's last performance fee left, or its launch price before one."""
    return books.class_high_water_marks.get(share_class.class_id, (share_class.initial_nav_per_unit, None))[0]


def class_positions(terms: PoolTerms, books: PoolBooks) -> dict[str, ClassPosition]:
    return {c.class_id: class_position(terms, books, c) for c in terms.share_classes}


def dealing_class(
    terms: PoolTerms, books: PoolBooks, investor_id: int, asked: str | None, *, subscribing: bool
) -> ShareClass:
    """The class a deal is in: the one the investor holds, or (a first subscription) the one asked."""
    held = books.share_class_of.get(investor_id) if books.units_of(investor_id) > 0 else None
    if asked is not None:
        share_class = terms.share_class(asked)
        if held is not None and held != share_class.class_id:
            raise InvalidValueError(
                "share_class",
                f"investor {investor_id} holds class {held} of pool {terms.pool_id}; an investor holds one "
                f"class of a pool (redeem to move to {share_class.class_id})",
            )
        if not subscribing and held is None:
            raise InvalidValueError(
                "share_class", f"investor {investor_id} holds no units of pool {terms.pool_id}"
            )
        return share_class
    if held is not None:
        return terms.share_class(held)
    if subscribing:
        codes = ", ".join(c.class_id for c in terms.share_classes)
        raise InvalidValueError(
            "share_class",
            f"pool {terms.pool_id} issues share classes ({codes}); name the class to subscribe to",
        )
    raise InvalidValueError("units", f"investor {investor_id} holds no units of pool {terms.pool_id}")


def class_minimum(share_class: ShareClass, books: PoolBooks, investor_id: int) -> tuple[Decimal, str]:
    """The smallest subscription the class takes from this investor now, and what it is called."""
    if books.units_of(investor_id) > 0:
        return (
            share_class.minimum_subsequent_subscription,
            f"class {share_class.class_id}'s minimum subsequent subscription",
        )
    return share_class.minimum_subscription, f"class {share_class.class_id}'s minimum subscription"


Lot = tuple[Decimal, Decimal]
"""(units, reference per unit): units an investor bought at one price, or carried at the
class's high-water mark since its last performance fee."""


def lots_after_redemption(lots: list[Lot], units: Decimal) -> list[Lot]:
    """An investor's lots once ``units`` are redeemed, the oldest first (FIFO)."""
    left, kept = units, []
    for held, reference in lots:
        taken = min(held, left)
        left -= taken
        if held > taken:
            kept.append((held - taken, reference))
    return kept


def holder_lots(books: PoolBooks, investor_id: int, high_water_mark: Decimal) -> list[Lot]:
    """The investor's lots in its class; units the record does not cover (none, normally) are
    taken as held at the class's high-water mark, so every unit has a reference."""
    lots = list(books.class_lots.get(investor_id, ()))
    covered = sum((u for u, _ in lots), _ZERO)
    held = books.units_of(investor_id)
    if covered > held:
        return lots_after_redemption(lots, covered - held)
    if covered < held:
        lots.insert(0, (held - covered, high_water_mark))
    return lots


def unit_weights(books: PoolBooks, holders: tuple[int, ...]) -> dict[str, Decimal]:
    """Within a class every unit is worth the same: its own items are shared by units."""
    return {str(i): books.units_of(i) for i in holders}


@exact_arithmetic
def class_fee_accruals(
    terms: PoolTerms, books: PoolBooks, period: FeePeriod
) -> tuple[dict[str, Decimal], dict[str, Any]]:
    """Each class's management fee for ``period`` (both days included) on its net assets in
    ``books`` (after the mark's change), at its own rate, rounded half-even once per class and
    shared by the class's units. Returns (fee per investor id, workings per class)."""
    per_investor: dict[str, Decimal] = {}
    workings: dict[str, Any] = {}
    for share_class in terms.share_classes:
        position = class_position(terms, books, share_class)
        if position.units == 0 or position.net_asset_value <= 0 or not share_class.management_fee_rate:
            continue
        fee = management_fee(
            position.net_asset_value,
            share_class.management_fee_rate,
            period.accrual.start,
            period.accrual.end,
            currency=terms.currency,
        )
        fee = min(fee, position.net_asset_value)
        if fee == 0:
            continue
        parts = allocate_cash(fee, unit_weights(books, position.holders), terms.currency)
        per_investor |= parts
        # Per class only: who bore what is the entry's fee_allocation, which an investor's
        # view of the entry narrows to its own share.
        workings[share_class.class_id] = {
            "amount": str(fee),
            "rate": str(share_class.management_fee_rate),
            "basis_amount": str(position.net_asset_value),
        }
    return per_investor, workings


def class_marks(terms: PoolTerms, books: PoolBooks) -> dict[str, Any]:
    """Each class's figures after a mark: what its deals that day are struck at."""
    return {class_id: p.as_details() for class_id, p in class_positions(terms, books).items()}
