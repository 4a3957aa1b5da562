"""The management fee: charged per period on its basis (pro rata to days held, stepping down
where the terms say, at each investor's own rate under a side letter), and accrued by a mark on
NAV. The performance fee and paying fees out are in performance_fees.py.

One rule set, kept whole past 400 lines on purpose: each function is a step of the one
management fee (its basis, its periods and days held, its rates with their step-down, its one
rounding), and a reader checking the fee against the terms follows it top to bottom here."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from backend.finance import fees as fee_maths
from backend.finance.allocation import apportion_exact
from backend.finance.daycount import year_fraction
from backend.finance.errors import InvalidValueError
from backend.finance.fees import MANAGEMENT_FEE_ROUNDING, FeePeriod, ManagementFeeTerms
from backend.finance.investor_terms import InvestorTerms, fee_weights
from backend.finance.money import (
    Rounding,
    exact_arithmetic,
    quantize_cash,
    round_to_quantum,
)
from ledger.posting_rules.books import (
    _ZERO,
    Line,
    PoolBooks,
    PoolTerms,
    Posting,
    _allocate_to_capital,
    _non_zero,
    _positive_cash,
    ownership_weights,
)
from ledger.posting_rules.fee_offsets import offset_fee_lines
from ledger.schemas import AccountCode, EntryType


@exact_arithmetic
def management_fee(
    terms: PoolTerms,
    books: PoolBooks,
    *,
    amount: object = None,
    period: FeePeriod | None = None,
    override_reason: str | None = None,
    commitments: Mapping[int, Decimal] | None = None,
    invested: Mapping[int, Decimal] | None = None,
    holding_since: Mapping[int, date] | None = None,
    weights: Mapping[str, Decimal] | None = None,
    investor_terms: Mapping[int, InvestorTerms] | None = None,
) -> Posting:
    """The management fee for ``period``, computed from the pool's terms, borne by investors.

    fee = basis x annual rate x year fraction of the period (the terms' day count), rounded
    half-even to the minor unit once. The basis and who bears the fee follow the terms:

    - ``nav``: the net asset value on the fee's date, before the fee; borne by the owners of
      that value (units held; in a closed-ended pool, capital at work). In an open-ended pool
      given ``holding_since`` (when each holder's current holding began), each holder's
      value counts only for the days of the period they held it: a holder who came in on
      the period's last day pays one day's fee, not the period's. A holder who left before
      the fee's date was not in the basis either: nobody pays for anybody else.
    - ``committed``: total commitments; borne pro rata to commitments, paid in or not.
    - ``invested``: capital called and not yet returned; borne pro rata to each investor's.

    ``investor_terms`` (side letters and GP commitments, closed-ended pools) give some
    investors their own rate: each investor's fee is its share of the basis at its own rate,
    the pool's fee their exact sum rounded once, shared in proportion to each one's exact fee
    (backend.finance.investor_terms).

    Under terms with an offset rate, the fee is reduced by the offset the fees the manager
    received from portfolio companies have earned (posting_rules.fee_offsets).

    ``amount`` overrides the computed figure and needs ``override_reason``, which is kept in
    the entry's workings beside the figure it replaced. Without a period (the old API) the
    amount is booked as given, pro rata to ownership.
    """
    if period is None:
        fee = _positive_cash(amount, terms, "amount")
        given = dict(weights) if weights else ownership_weights(terms, books)
        capital_lines, allocation = _allocate_to_capital(fee, given, terms, 1)
        lines = _non_zero([*capital_lines, Line(AccountCode.FEES_PAYABLE, None, -fee)])
        return Posting(EntryType.MANAGEMENT_FEE, lines, {"amount": str(fee), "allocation": allocation})
    fee_terms = terms.management_fee
    shares: dict[str, Decimal]
    details: dict[str, Any] = {
        "period_start": period.first_day.isoformat(),
        "period_end": period.last_day.isoformat(),
    }
    if fee_terms is None:
        if amount is None:
            raise InvalidValueError(
                "amount", f"pool {terms.pool_id} has no management fee terms; give the amount to charge"
            )
        shares = ownership_weights(terms, books)
    else:
        basis_amount, shares = _fee_basis(terms, fee_terms, books, commitments, invested)
        letters = {str(i): t for i, t in (investor_terms or {}).items() if str(i) in shares}
        step_down = fee_terms.step_down_on
        if fee_terms.basis == "committed" and step_down is not None and period.accrual.end > step_down:
            computed, shares, details["step_down"] = _fee_stepping_down(
                terms, fee_terms, commitments or {}, invested or {}, letters, period
            )
        else:
            computed, shares = _terms_fee(
                terms, fee_terms, books, period, basis_amount, shares, letters, holding_since
            )
        if letters and not terms.open_ended:
            details["side_letters"] = {
                holder: str(letter.fee_rate(fee_terms.rate)) for holder, letter in sorted(letters.items())
            }
            holidays = {
                holder: letter.management_fee_holiday_until.isoformat()
                for holder, letter in sorted(letters.items())
                if letter.management_fee_holiday_until is not None
            }
            if holidays:
                details["fee_holidays_until"] = holidays
        details |= {
            "basis": fee_terms.basis,
            "basis_amount": str(basis_amount),
            "rate": str(fee_terms.rate),
            "day_count": str(fee_terms.day_count),
            "days": period.accrual.days,
            "computed_amount": str(computed),
            "timing": "in_advance" if fee_terms.in_advance else "in_arrears",
        }
        if amount is None:
            if computed == 0:
                raise InvalidValueError(
                    "period_end",
                    f"the fee from {period.first_day} to {period.last_day} on a {fee_terms.basis} basis of "
                    f"{basis_amount} is {computed}: nothing to charge",
                )
            amount = computed
        elif not (override_reason or "").strip():
            raise InvalidValueError(
                "override_reason",
                f"the terms give a fee of {computed} for {period.first_day} to {period.last_day}; "
                "say why another amount is charged",
            )
    fee = _positive_cash(amount, terms, "amount")
    if override_reason and override_reason.strip():
        details["override_reason"] = override_reason.strip()
    lines, charged = _charged(terms, books, fee, shares, period)
    return Posting(EntryType.MANAGEMENT_FEE, lines, details | charged)


def _charged(
    terms: PoolTerms, books: PoolBooks, fee: Decimal, shares: Mapping[str, Decimal], period: FeePeriod
) -> tuple[tuple[Line, ...], dict[str, Any]]:
    """The lines charging ``fee`` to the capital accounts by ``shares``, net of any offset the
    terms give, and the amount and allocation for the workings."""
    if terms.management_fee is not None and terms.management_fee.offset_rate is not None:
        return offset_fee_lines(terms, books, fee, shares, period.last_day)
    capital_lines, allocation = _allocate_to_capital(fee, shares, terms, 1)
    lines = _non_zero([*capital_lines, Line(AccountCode.FEES_PAYABLE, None, -fee)])
    return lines, {"amount": str(fee), "allocation": allocation}


def _period_fee(
    terms: PoolTerms, fee_terms: ManagementFeeTerms, basis: Decimal, period: FeePeriod
) -> Decimal:
    """The terms' fee on ``basis`` for every day of ``period``, rounded once."""
    start, end = period.accrual.start, period.accrual.end
    return fee_maths.management_fee(
        basis, fee_terms.rate, start, end, currency=terms.currency, day_count=fee_terms.day_count
    )


def _fee_with_own_rates(  # noqa: PLR0917 - the fee's inputs, each named at the one call
    terms: PoolTerms,
    fee_terms: ManagementFeeTerms,
    basis: Decimal,
    shares: Mapping[str, Decimal],
    letters: Mapping[str, InvestorTerms],
    period: FeePeriod,
) -> tuple[Decimal, dict[str, Decimal]]:
    """The fee when some investors have their own rate: each share of ``basis`` at its
    holder's rate, summed exactly and rounded once; the weights share it by exact fee. An
    investor on a fee holiday is charged only for the period's days after it."""
    weights = fee_weights(shares, fee_terms.rate, letters)
    start, end = period.accrual.start, period.accrual.end
    years = year_fraction(start, end, fee_terms.day_count)
    # The basis is the shares' total for commitments and invested capital, the NAV for a
    # fee on NAV: each holder's part of it is basis x its share.
    scale = Fraction(basis) / Fraction(sum(shares.values(), _ZERO))
    standard = InvestorTerms()
    exact: dict[str, Fraction] = {}
    for holder, weight in weights.items():
        begins = min(letters.get(holder, standard).fee_charged_from(start), end)
        # Measured from the period's start, so the days charged and the holiday add up under 30/360.
        held_off = year_fraction(start, begins, fee_terms.day_count) if begins > start else Fraction(0)
        fee = Fraction(weight) * (years - held_off) * scale
        if fee > 0:
            exact[holder] = fee
    return _rounded_once(exact, terms)


def _rounded_once(exact: Mapping[str, Fraction], terms: PoolTerms) -> tuple[Decimal, dict[str, Decimal]]:
    """The investors' exact fees summed and rounded once (half-even), and each investor's
    part of it (its exact fee rounded down, the cents left to the largest remainders: each
    within a cent of its exact fee) as the weights that share it."""
    total = round_to_quantum(sum(exact.values(), Fraction(0)), terms.currency.quantum, Rounding.HALF_EVEN)
    if total == 0:  # nothing to charge: weights in proportion, for an amount given instead
        scale = math.lcm(*(f.denominator for f in exact.values())) if exact else 1
        return total, {holder: Decimal(int(fee * scale)) for holder, fee in exact.items()}
    return total, apportion_exact(total, exact, terms.currency.quantum)


def _terms_fee(  # noqa: PLR0917 - the fee's inputs, each named at the one call
    terms: PoolTerms,
    fee_terms: ManagementFeeTerms,
    books: PoolBooks,
    period: FeePeriod,
    basis: Decimal,
    shares: dict[str, Decimal],
    letters: Mapping[str, InvestorTerms],
    holding_since: Mapping[int, date] | None,
) -> tuple[Decimal, dict[str, Decimal]]:
    """The terms' fee for ``period`` and who bears it in what proportion: on each holder's
    days held (open-ended, on NAV), at each investor's own rate (side letters), or the
    basis at the pool's rate shared by ``shares``."""
    if fee_terms.basis == "nav" and terms.open_ended and holding_since is not None:
        return _fee_on_days_held(terms, fee_terms, books, period, holding_since)
    if letters and not terms.open_ended:
        return _fee_with_own_rates(terms, fee_terms, basis, shares, letters, period)
    return _period_fee(terms, fee_terms, basis, period), shares


def _fee_stepping_down(  # noqa: PLR0917 - the fee's inputs, each named at the one call
    terms: PoolTerms,
    fee_terms: ManagementFeeTerms,
    commitments: Mapping[int, Decimal],
    invested: Mapping[int, Decimal],
    letters: Mapping[str, InvestorTerms],
    period: FeePeriod,
) -> tuple[Decimal, dict[str, Decimal], dict[str, Any]]:
    """The fee of a period on or after the step-down: the days before it on each investor's
    commitment at the fee rate, the days from it on each investor's invested capital at the
    step-down rate (a side letter's own rate scaled by the same step), the investors' exact
    fees summed and rounded once; the weights share it by exact fee."""
    start, end = period.accrual.start, period.accrual.end
    switch = min(max(fee_terms.step_down_on or start, start), end)
    whole = year_fraction(start, end, fee_terms.day_count)
    before = year_fraction(start, switch, fee_terms.day_count) if switch > start else Fraction(0)
    after = whole - before  # measured from the period's start, so the parts add up under 30/360 too
    rate, stepped = Fraction(fee_terms.rate), Fraction(fee_terms.rate_after_step_down())
    standard = InvestorTerms()
    exact: dict[str, Fraction] = {}
    for investor in sorted(set(commitments) | set(invested)):
        letter = letters.get(str(investor), standard)
        own = Fraction(letter.fee_rate(fee_terms.rate))
        own_after = (
            own * stepped / rate if rate else Fraction(letter.fee_rate(fee_terms.rate_after_step_down()))
        )
        # A fee holiday takes the days before the investor is charged out of each part.
        begins = min(letter.fee_charged_from(start), end)
        off = year_fraction(start, begins, fee_terms.day_count) if begins > start else Fraction(0)
        off_before, off_after = min(off, before), max(off - before, Fraction(0))
        fee = Fraction(commitments.get(investor, _ZERO)) * own * (before - off_before)
        fee += Fraction(max(invested.get(investor, _ZERO), _ZERO)) * own_after * (after - off_after)
        if fee > 0:
            exact[str(investor)] = fee
    total, weights = _rounded_once(exact, terms)
    workings = {
        "on": (fee_terms.step_down_on or start).isoformat(),
        "days_on_commitments": (switch - start).days,
        "days_on_invested": (end - switch).days,
        "committed": str(sum(commitments.values(), _ZERO)),
        "invested": str(sum((max(v, _ZERO) for v in invested.values()), _ZERO)),
        "rate_after": str(fee_terms.rate_after_step_down()),
    }
    return total, weights, workings


def holding_since(deals: Iterable[tuple[date, int, Decimal]]) -> dict[int, date]:
    """When each investor's current holding began, from their deals in journal order
    (date, investor, units in: negative for a redemption): the day units went from none to
    some, forgotten once they are all redeemed."""
    units: dict[int, Decimal] = {}
    since: dict[int, date] = {}
    for on, investor, delta in deals:
        before = units.get(investor, _ZERO)
        after = before + delta
        units[investor] = after
        if before <= 0 < after:
            since[investor] = on
        elif after <= 0:
            since.pop(investor, None)
    return since


def _fee_on_days_held(
    terms: PoolTerms,
    fee_terms: ManagementFeeTerms,
    books: PoolBooks,
    period: FeePeriod,
    holding_since: Mapping[int, date],
) -> tuple[Decimal, dict[str, Decimal]]:
    """The fee on each holder's value for the days of ``period`` they held it, rounded once
    in total, and the exact per-holder fees as the weights that share it."""
    end = period.accrual.end
    exact = Fraction(0)
    weights: dict[str, Decimal] = {}  # value x days held: exact, and in proportion to each fee
    for holder in ownership_weights(terms, books):
        start = max(period.accrual.start, holding_since.get(int(holder), period.accrual.start))
        value = books.capital_of(int(holder))
        if start >= end or value <= 0:
            continue
        exact += Fraction(value) * Fraction(fee_terms.rate) * year_fraction(start, end, fee_terms.day_count)
        weights[holder] = value * (end - start).days
    total = round_to_quantum(exact, terms.currency.quantum, Rounding.HALF_EVEN)
    return total, weights


def _fee_basis(
    terms: PoolTerms,
    fee_terms: ManagementFeeTerms,
    books: PoolBooks,
    commitments: Mapping[int, Decimal] | None,
    invested: Mapping[int, Decimal] | None,
) -> tuple[Decimal, dict[str, Decimal]]:
    """The amount a management fee is charged on, and who bears it in what proportion."""
    if fee_terms.basis == "committed":
        shares = {str(i): c for i, c in (commitments or {}).items() if c > 0}
        what = "commitments"
    elif fee_terms.basis == "invested":
        shares = {str(i): c for i, c in (invested or {}).items() if c > 0}
        what = "invested capital"
    else:
        return books.net_asset_value, ownership_weights(terms, books)
    if not shares:
        raise InvalidValueError("type", f"pool {terms.pool_id} has no {what} to charge a fee on")
    return sum(shares.values(), _ZERO), shares


def units_in_issue_since(deals: Iterable[tuple[date, int, Decimal]]) -> date | None:
    """The day units last came into issue (from none to some), from the pool's deals in
    journal order (date, investor, units in: negative for a redemption); None with none."""
    outstanding, since = _ZERO, None
    for on, _, delta in deals:
        before, outstanding = outstanding, outstanding + delta
        if before <= 0 < outstanding:
            since = on
        elif outstanding <= 0:
            since = None
    return since


def mark_fee_accrues_from(
    terms: PoolTerms, last_charged: date | None, units_since: date | None
) -> date | None:
    """The first day of management fee on NAV that a mark in an open-ended pool accrues: the
    day after the last day charged (by a mark or a fee entry), or inception, and never before
    units were in issue. None when the terms charge no fee on NAV or no unit is in issue, or
    charge it in advance (the fee entries do, at the start of each period). A pool with share
    classes accrues while any class has a management fee rate."""
    fee_terms = terms.management_fee
    if not terms.open_ended or units_since is None:
        return None
    if terms.share_classes:
        # Each class's own rate, accrued by the marks (a pool with classes has no fee terms).
        if not any(c.management_fee_rate for c in terms.share_classes):
            return None
    elif fee_terms is None or fee_terms.basis != "nav" or fee_terms.in_advance:
        return None
    first = last_charged + timedelta(days=1) if last_charged else terms.inception_date
    return max(first, units_since)


def accrued_management_fee(
    terms: PoolTerms, basis: Decimal, first_day: date, last_day: date, opening: Decimal | None = None
) -> dict[str, Any] | None:
    """The management fee on NAV a mark accrues: the terms' rate for ``first_day`` to
    ``last_day``, both included, rounded half-even once and never more than the NAV, on the
    terms' point of the period: ``basis`` (the NAV recorded: ending), ``opening`` (the NAV at
    the close of the day before ``first_day``: beginning) or their mean (average). None when
    the terms charge no fee on NAV or no day is due."""
    fee_terms = terms.management_fee
    if fee_terms is None or fee_terms.basis != "nav" or first_day > last_day or basis <= 0:
        return None
    point = fee_terms.nav_point
    if point != "ending" and opening is None:
        raise InvalidValueError("as_of", f"a fee on the {point} NAV needs the NAV at the period's start")
    begun = quantize_cash(opening or 0, terms.currency)
    charged_on = {"ending": basis, "beginning": begun, "average": (begun + basis) / 2}[point]
    if charged_on <= 0:
        return None
    period = FeePeriod(first_day, last_day)
    years = year_fraction(period.accrual.start, period.accrual.end, fee_terms.day_count)
    # Exact until this one rounding: an average NAV can have a third decimal place.
    fee = quantize_cash(
        Fraction(charged_on) * Fraction(fee_terms.rate) * years, terms.currency, MANAGEMENT_FEE_ROUNDING
    )
    if fee == 0:
        return None
    workings = {
        "amount": str(min(fee, basis)),
        "period_start": first_day.isoformat(),
        "period_end": last_day.isoformat(),
        "days": period.accrual.days,
        "basis": "nav",
        "basis_amount": str(charged_on),
        "rate": str(fee_terms.rate),
        "day_count": str(fee_terms.day_count),
    }
    if point != "ending":
        workings |= {"nav_point": point, "beginning_nav": str(begun), "ending_nav": str(basis)}
    return workings
