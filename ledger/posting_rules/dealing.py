"""Open-ended dealing: a subscription issues units at the dealing price, a redemption cancels
them and pays the investor out."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from backend.finance.errors import InvalidValueError
from backend.finance.money import (
    Currency,
    Rounding,
    check_units,
    exact_arithmetic,
    round_to_quantum,
)
from backend.finance.share_class_terms import ShareClass
from backend.finance.unitisation import issue_units, redeem_units
from ledger.posting_rules.books import (
    _ZERO,
    OPEN_ENDED,
    Line,
    PoolBooks,
    PoolTerms,
    Posting,
    _non_zero,
    _positive_cash,
    _require_kind,
    dealing_price,
)
from ledger.posting_rules.class_currencies import class_currency_details, to_base_amount, to_class_amount
from ledger.posting_rules.class_performance_fees import redemption_performance_fee
from ledger.posting_rules.share_classes import class_minimum, class_position, class_rate, dealing_class
from ledger.schemas import AccountCode, AccountRef, EntryType


def subscription_reads(terms: PoolTerms) -> tuple[AccountRef, ...] | None:
    """Every balance :func:`subscription` (and the struck price before it:
    ledger.rule_inputs.deal_price) reads in a pool without share classes: the units
    outstanding, whether any are out. The deal is at a price already struck, so neither the
    pool's net assets nor any fact of it is read, and one subscription costs the same in any
    size of pool. None with share classes (the class's holders and lots are read)."""
    if terms.share_classes:
        return None
    return ((AccountCode.UNITS_OUTSTANDING, None),)


@exact_arithmetic
def subscription(
    terms: PoolTerms,
    books: PoolBooks,
    *,
    investor_id: int,
    amount: object,
    price: Decimal | None = None,
    share_class: str | None = None,
    fx_rate: Decimal | None = None,
) -> Posting:
    """Cash in, units out at the dealing price; the rounding residue stays in the pool.

    ``price`` is the NAV per unit struck for the deal's date (ledger.forward_pricing); without
    it the deal is struck at the books' own NAV per unit, or the launch price. In a pool with
    share classes the deal is in ``share_class`` (or the class the investor holds), at that
    class's price and above its minimum; in a class in another currency, ``amount`` is in the
    class's currency and the books take it at ``fx_rate`` (the day's valuation's; without
    it, the latest): ledger.posting_rules.class_currencies.
    """
    _require_kind(terms, OPEN_ENDED, "a subscription")
    dealt_class = None
    currency = terms.currency
    minimum, what = terms.minimum_subscription, "the pool's minimum subscription"
    if terms.share_classes:
        dealt_class = dealing_class(terms, books, investor_id, share_class, subscribing=True)
        currency = dealt_class.currency
        minimum, what = class_minimum(dealt_class, books, investor_id)
        if price is None:
            price = class_position(terms, books, dealt_class).nav_per_unit
    elif share_class is not None:
        raise InvalidValueError("share_class", f"pool {terms.pool_id} has no share classes")
    cash = _positive_cash(amount, terms, "amount", currency)
    if cash < minimum:
        raise InvalidValueError("amount", f"below {what} of {minimum}, got {cash}")
    price = dealing_price(terms, books) if price is None else price
    issue = issue_units(cash, price, currency)
    if issue.units == 0:
        raise InvalidValueError("amount", f"{cash} buys no units at a NAV per unit of {price}")
    rate = _deal_rate(terms, books, dealt_class, fx_rate)
    book_cash, book_value = cash, issue.units_value
    if rate is not None:
        # Each figure converted once: what came in, and what the units are worth.
        book_cash = to_base_amount(cash, rate, terms.currency)
        book_value = to_base_amount(issue.units_value, rate, terms.currency)
        if book_value == 0:
            raise InvalidValueError(
                "amount", f"{cash} {currency.code} is worth nothing in {terms.currency.code}"
            )
    residue = book_cash - book_value
    lines = _non_zero(
        [
            Line(AccountCode.CASH, None, book_cash),
            Line(AccountCode.CAPITAL, investor_id, -book_value),
            Line(AccountCode.ROUNDING_RESIDUE, None, -residue),
            Line(AccountCode.UNITS, investor_id, issue.units),
            Line(AccountCode.UNITS_OUTSTANDING, None, -issue.units),
        ]
    )
    details: dict[str, Any] = {
        "investor_id": investor_id,
        "amount": str(book_cash),
        "nav_per_unit": str(price),
        "units": str(issue.units),
        "units_value": str(book_value),
        "residue": str(residue),
    }
    if dealt_class is not None:
        details["share_class"] = dealt_class.class_id
    if dealt_class is not None and rate is not None:
        details["class_currency"] = class_currency_details(
            dealt_class, rate, amount=cash, units_value=issue.units_value, residue=issue.residue
        )
    return Posting(EntryType.SUBSCRIPTION, lines, details)


def _units_redeemed(
    terms: PoolTerms,
    units: object,
    amount: object,
    *,
    price: Decimal,
    currency: Currency,
    investor_id: int,
    held: Decimal,
) -> Decimal:
    """The units a redemption cancels: as asked, or just enough for ``amount`` (rounded up)."""
    if units is not None:
        quantity, name = check_units(units, "units"), "units"
    else:
        cash = _positive_cash(amount, terms, "amount", currency)
        quantity = round_to_quantum(Fraction(cash) / Fraction(price), Decimal("0.000001"), Rounding.CEILING)
        name = "amount"
    if quantity <= 0:
        raise InvalidValueError(name, f"must be greater than zero, got {quantity}")
    if quantity > held:
        raise InvalidValueError(name, f"investor {investor_id} holds {held} units, cannot redeem {quantity}")
    return quantity


def _deal_rate(
    terms: PoolTerms, books: PoolBooks, dealt_class: ShareClass | None, fx_rate: Decimal | None
) -> Decimal | None:
    """The rate a deal in a class in another currency converts at (None: the pool's currency)."""
    if dealt_class is None or dealt_class.currency == terms.currency:
        return None
    return fx_rate if fx_rate is not None else class_rate(terms, books, dealt_class)


@exact_arithmetic
def redemption(
    terms: PoolTerms,
    books: PoolBooks,
    *,
    investor_id: int,
    units: object = None,
    amount: object = None,
    price: Decimal | None = None,
    fx_rate: Decimal | None = None,
) -> Posting:
    """Units back at the dealing price; proceeds rounded down; a full exit closes the account.

    With ``amount`` instead of ``units``, just enough units are redeemed (rounded up to
    6 dp) for proceeds of at least that amount. ``price`` and ``fx_rate`` as for
    :func:`subscription` (in a class in another currency, ``amount`` and the proceeds are in
    the class's currency; the books pay their value at the rate). The last unitholder out is
    paid the whole net asset value, residue included: nobody would be left to own what
    rounding kept in the pool. In a share class with a performance fee the leaver's own fee
    on the units redeemed is kept from the proceeds (the manager's, in fees payable):
    :func:`redemption_performance_fee`.
    """
    _require_kind(terms, OPEN_ENDED, "a redemption")
    if (units is None) == (amount is None):
        raise InvalidValueError("units", "give either units or amount to redeem, not both or neither")
    dealt_class = None
    currency = terms.currency
    if terms.share_classes:
        dealt_class = dealing_class(terms, books, investor_id, None, subscribing=False)
        currency = dealt_class.currency
        if price is None:
            price = class_position(terms, books, dealt_class).nav_per_unit
    price = dealing_price(terms, books) if price is None else price
    held = books.units_of(investor_id)
    quantity = _units_redeemed(
        terms, units, amount, price=price, currency=currency, investor_id=investor_id, held=held
    )
    result = redeem_units(quantity, price, currency)
    rate = _deal_rate(terms, books, dealt_class, fx_rate)
    worth, paid = result.units_value, result.proceeds
    if rate is not None:
        worth, paid = (to_base_amount(v, rate, terms.currency) for v in (worth, paid))
    # Full exit: the whole capital account leaves, so no investor is left holding value
    # without units; what the investor is not paid stays with the pool as residue, unless
    # they are the last holder, who takes the residue too.
    value_out = books.capital_of(investor_id) if quantity == held else worth
    if quantity < held and books.capital_of(investor_id) - value_out <= 0:
        # Units left with nothing in their capital account are dust: in a share class held by
        # nobody else they would leave the class at net assets of 0.00, with no price to deal
        # or redeem at ever again.
        raise InvalidValueError(
            "units",
            f"redeeming {quantity} of {held} units would leave {held - quantity} units worth "
            f"nothing in the capital account; redeem all {held} units",
        )
    proceeds = paid
    if quantity == books.units_outstanding:
        proceeds = books.net_asset_value
    elif quantity == held:
        # A price rounded up (half-even) can make units x price exceed the account by a cent;
        # a leaver never takes more than their own capital (the residue never goes negative).
        proceeds = min(proceeds, max(value_out, _ZERO))
    residue = value_out - proceeds
    fee, fee_workings = _ZERO, None
    if dealt_class is not None:
        fee, fee_workings = redemption_performance_fee(
            terms, books, dealt_class, investor_id, units=quantity, price=price
        )
    paid_out = proceeds  # in the class's currency, what the leaver is sent
    if rate is not None:
        capped = proceeds != paid  # the last holder out, or a leaver held to its account
        paid_out = to_class_amount(proceeds, rate, currency, Rounding.DOWN) if capped else result.proceeds
    fee = min(fee, paid_out)
    book_fee = fee if rate is None else min(to_base_amount(fee, rate, terms.currency), proceeds)
    lines = _non_zero(
        [
            Line(AccountCode.CAPITAL, investor_id, value_out),
            Line(AccountCode.CASH, None, -(proceeds - book_fee)),
            Line(AccountCode.FEES_PAYABLE, None, -book_fee),
            Line(AccountCode.ROUNDING_RESIDUE, None, -residue),
            Line(AccountCode.UNITS, investor_id, -quantity),
            Line(AccountCode.UNITS_OUTSTANDING, None, quantity),
        ]
    )
    details: dict[str, Any] = {
        "investor_id": investor_id,
        "units": str(quantity),
        "nav_per_unit": str(price),
        "proceeds": str(proceeds - book_fee),
        "capital_released": str(value_out),
        "residue": str(residue),
        "full_exit": quantity == held,
        "last_holder": quantity == books.units_outstanding,
    }
    if dealt_class is not None:
        details["share_class"] = dealt_class.class_id
    if fee_workings is not None:
        # What the units were worth, and the leaver's own performance fee kept from it.
        details["gross_proceeds"] = str(proceeds)
        details["performance_fee"] = fee_workings | {"amount": str(book_fee)}
    if dealt_class is not None and rate is not None:
        fee_part = {"gross_proceeds": paid_out, "performance_fee": fee} if fee_workings is not None else {}
        details["class_currency"] = class_currency_details(
            dealt_class, rate, units_value=result.units_value, **fee_part, proceeds=paid_out - fee
        )
    return Posting(EntryType.REDEMPTION, lines, details)
