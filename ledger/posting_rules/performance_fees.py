"""The performance fee over the high-water mark and hurdle, crystallised on NAV per unit, and
paying accrued fees out to the manager."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from backend.finance.errors import InvalidValueError
from backend.finance.fees import (
    Crystallisation,
    GainBasis,
    crystallises_on,
    pool_performance_fee,
)
from backend.finance.money import exact_arithmetic
from backend.finance.unitisation import nav_per_unit
from ledger.posting_rules.books import (
    OPEN_ENDED,
    Line,
    PoolBooks,
    PoolTerms,
    Posting,
    _allocate_to_capital,
    _non_zero,
    _positive_cash,
    _require_kind,
    dealing_price,
    ownership_weights,
)
from ledger.schemas import AccountCode, EntryType


@exact_arithmetic
def performance_fee(
    terms: PoolTerms,
    books: PoolBooks,
    *,
    amount: object = None,
    on: date | None = None,
    management_fee_since: Decimal = Decimal(0),
) -> Posting:
    """Crystallise the performance fee on NAV per unit above the high-water mark (a pool with
    share classes charges each class's own: :func:`class_performance_fee`).

    Without ``amount`` the fee is computed from the pool's terms; with it, the manager's
    figure is booked as given and the high-water mark moves to the NAV per unit after it.
    The annual hurdle grows from the date the high-water mark was last set (the last
    crystallisation, or inception) to ``on`` (backend.finance.fees.hurdle_growth).
    """
    _require_kind(terms, OPEN_ENDED, "a performance fee (closed-ended pools pay carried interest)")
    units = books.units_outstanding
    if units == 0:
        raise InvalidValueError("type", f"pool {terms.pool_id} has no units outstanding to charge")
    nav = books.net_asset_value
    hwm = books.high_water_mark_per_unit or terms.initial_nav_per_unit
    before = dealing_price(terms, books)
    if terms.performance_fee is not None:
        require_crystallisation_date(terms.performance_fee.crystallisation, on)
    if amount is None:
        if terms.performance_fee is None:
            raise InvalidValueError(
                "amount", f"pool {terms.pool_id} has no performance fee terms; give amount"
            )
        since = books.high_water_mark_set_on or terms.inception_date
        crystallised = pool_performance_fee(
            nav,
            units,
            high_water_mark_per_unit=hwm,
            terms=terms.performance_fee,
            currency=terms.currency,
            period_start=since if on is not None else None,
            on=on,
            management_fee_since=management_fee_since,
        )
        fee = crystallised.fee
        if fee == 0:
            raise InvalidValueError(
                "type",
                f"no performance fee is due: NAV per unit {before} is not above the hurdle level "
                f"{crystallised.hurdle_level_per_unit}",
            )
        after, new_hwm = crystallised.nav_per_unit_after_fee, crystallised.high_water_mark_per_unit
    else:
        fee = _positive_cash(amount, terms, "amount")
        if fee >= nav:
            raise InvalidValueError("amount", f"a fee of {fee} would exhaust the net asset value {nav}")
        after = nav_per_unit(nav - fee, units, terms.currency).nav_per_unit
        new_hwm = max(hwm, after)
    capital_lines, allocation = _allocate_to_capital(fee, ownership_weights(terms, books), terms, 1)
    lines = _non_zero([*capital_lines, Line(AccountCode.FEES_PAYABLE, None, -fee)])
    details = {
        "amount": str(fee),
        "nav_per_unit_before": str(before),
        "nav_per_unit_after": str(after),
        "high_water_mark_before": str(hwm),
        "high_water_mark_after": str(new_hwm),
        "allocation": allocation,
    }
    if amount is None and on is not None:
        details["hurdle_period_start"] = (books.high_water_mark_set_on or terms.inception_date).isoformat()
    if amount is None and terms.performance_fee is not None:
        f = terms.performance_fee
        details["hurdle"] = str(f.hurdle)
        details["gain_basis"] = str(f.gain_basis)
        if f.gain_basis is GainBasis.GROSS_OF_MANAGEMENT_FEE:
            details["management_fee_added_back"] = str(management_fee_since)
        if f.catch_up_rate is not None:
            details["catch_up_rate"] = str(f.catch_up_rate)
        if f.crystallisation is not None:
            details["crystallisation"] = str(f.crystallisation)
    return Posting(EntryType.PERFORMANCE_FEE, lines, details)


_SCHEDULE = {
    Crystallisation.MONTHLY: "month",
    Crystallisation.QUARTERLY: "March, June, September and December",
    Crystallisation.ANNUALLY: "December",
}


def require_crystallisation_date(
    schedule: Crystallisation | None, on: date | None, whose: str = "the performance fee"
) -> None:
    """A fee on a schedule crystallises only on (or after) the last weekday of its period."""
    if schedule is None or on is None or crystallises_on(on, schedule):
        return
    raise InvalidValueError(
        "effective_date",
        f"{whose} crystallises {schedule.value}: on or after the last weekday of "
        f"each {_SCHEDULE[schedule]}, and {on} is not",
    )


@exact_arithmetic
def fee_payment(terms: PoolTerms, books: PoolBooks, *, amount: object) -> Posting:
    """Accrued fees paid to the manager in cash."""
    fee = _positive_cash(amount, terms, "amount")
    owed = -books.balance(AccountCode.FEES_PAYABLE)
    if fee > owed:
        raise InvalidValueError("amount", f"only {owed} of fees is payable, cannot pay {fee}")
    lines = (Line(AccountCode.FEES_PAYABLE, None, fee), Line(AccountCode.CASH, None, -fee))
    return Posting(EntryType.FEE_PAYMENT, lines, {"amount": str(fee)})
