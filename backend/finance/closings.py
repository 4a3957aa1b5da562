"""Subsequent closings of a closed-ended pool: equalisation of capital and equalisation interest.

Rule. Investors admitted at a later close are treated as if they had been in from the first
close: for every earlier capital call they pay what they would have paid had their commitment
been in the pool on the call date, so every investor ends with the same share of each call as
of its commitment. That capital goes back to the investors already in (it is not new money
for the pool); the late investors also pay equalisation interest, which goes to the investors
whose capital they replace. A later close re-equalises everyone already in, late investors
of earlier closes included; :func:`subsequent_close` returns the state for the next close.

Formulas, for each earlier call k (date t_k, amount A_k), new commitment base C' (late
commitments included), rate r, payment date T, year fraction y under the terms' day count:

* new share of investor i: s'_ik = allocate(A_k, commitments), i.e. A_k x C_i / C' to the cent;
* late investor j pays capital P_j = sum_k s'_jk, and interest, simple
  ``I_j = sum_k s'_jk x r x y(t_k, T)`` or compounded annually
  ``I_j = sum_k s'_jk x ((1 + r) ^ y(t_k, T) - 1)``;
* what the late investors pay for call k, P_k, is returned to the investors already in pro
  rata to what each overpaid, allocate(P_k, {i: s_ik - s'_ik}), so each keeps exactly s'_ik
  (an overpayment made negative by a dilution below a cent counts as zero: that investor
  keeps the share it had, within two cents of its exact share, and the others' returns
  absorb the difference);
* the interest, sum_j I_j, goes to the investors already in pro rata to the late investors'
  capital each carried, weighted by time: cut [t_k, T) at the payment dates of the closes in
  between; in each stretch [a, b) the investors then in carried P_k pro rata to their
  commitments (base B), so weight_i = sum_k sum_[a,b) P_k x C_i / B x (G(a) - G(b)), with
  G(d) = r x y(d, T) or (1 + r)^y(d, T) - 1. The weights add up exactly to the interest owed;
  with one close this is pro rata to capital returned times each call's period. Not plain
  "pro rata to capital returned": an investor admitted at the second close carried the
  newcomers' share only since its own payment, the first-close investors all of it before.
  LPAs run the interest "for the period from the due date or dates on which the other
  Partners were required to make their earlier contributions" (LPA excerpt, research.bened.works
  EFTA01389619); fund systems pay it "on the difference amount from the original date to the
  equalization date" (engineering.maybern.com/backend/apps/equalizations).

Gains and losses booked before the later close: LPAs nearly always admit the late investor
at cost plus interest, not at NAV (interest stands in for the pool's return; unrealised gains
are not bought). This module does that: only contributed capital (cost) is equalised.
Management-fee equalisation and increases of an existing investor's commitment are out of
scope (an investor already in may not appear in ``new_commitments``).

Rounding (cash at the currency's minor unit): call shares and returns of capital by the
largest-remainder split (:func:`backend.finance.allocation.allocate`), so shares add up to
each call and returns to what the late investors paid for it; each late investor's interest
rounded once from its exact sum over calls, HALF_EVEN by default (``EqualisationTerms.rounding``);
interest received is one largest-remainder split of the interest paid, so interest in equals
interest out to the cent and the residue cent goes by largest remainder (ties by investor id).
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal
from fractions import Fraction

from backend.finance.allocation import allocate
from backend.finance.daycount import DayCount, check_date, year_fraction
from backend.finance.errors import InvalidValueError
from backend.finance.money import (
    Currency,
    Rounding,
    check_cash,
    check_rate,
    exact_arithmetic,
    quantize_cash,
)

__all__ = [
    "CallRecord",
    "CallShare",
    "ClosingResult",
    "ClosingState",
    "Commitment",
    "Compounding",
    "EqualisationTerms",
    "InvestorClosing",
    "call_capital",
    "call_fraction",
    "equalisation_growth",
    "open_fund",
    "subsequent_close",
]

_ZERO = Decimal(0)
_GROWTH_CONTEXT = Context(prec=60)


class Compounding(enum.StrEnum):
    """How equalisation interest accrues."""

    SIMPLE = "simple"
    ANNUAL = "annual"  # growth factor (1 + r) ^ years, years fractional


@dataclass(frozen=True, slots=True)
class EqualisationTerms:
    """The LPA's equalisation-interest terms (rate as a fraction: 0.08 = 8% a year)."""

    interest_rate: Decimal
    compounding: Compounding = Compounding.SIMPLE
    day_count: DayCount = DayCount.ACT_365F
    rounding: Rounding = Rounding.HALF_EVEN

    def __post_init__(self) -> None:
        check_rate(self.interest_rate, "interest_rate")
        Compounding(self.compounding)
        DayCount(self.day_count)
        Rounding(self.rounding)


@dataclass(frozen=True, slots=True)
class Commitment:
    """One investor's commitment, its closing date and the date it paid in (from which it
    carries later investors' shares; the first close's date for first-close investors)."""

    investor: str
    amount: Decimal
    admitted_on: date
    paid_on: date


@dataclass(frozen=True, slots=True)
class CallShare:
    """What one investor has contributed towards one call (after every equalisation so far)."""

    investor: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class CallRecord:
    """A capital call of the whole pool and each investor's current share of it."""

    on: date
    amount: Decimal
    shares: tuple[CallShare, ...]


@dataclass(frozen=True, slots=True)
class ClosingState:
    """Commitments and calls of a closed-ended pool during its fundraising period."""

    currency: Currency
    commitments: tuple[Commitment, ...]
    calls: tuple[CallRecord, ...]
    last_close: date  # payment date of the latest close

    def commitment_of(self, investor: str) -> Decimal:
        for c in self.commitments:
            if c.investor == investor:
                return c.amount
        raise InvalidValueError("investor", f"{investor!r} has no commitment")

    @exact_arithmetic
    def contributed_of(self, investor: str) -> Decimal:
        """Capital contributed by ``investor`` over all calls (after equalisation)."""
        zero = quantize_cash(0, self.currency)
        return sum((s.amount for call in self.calls for s in call.shares if s.investor == investor), zero)

    @exact_arithmetic
    def unfunded_of(self, investor: str) -> Decimal:
        return self.commitment_of(investor) - self.contributed_of(investor)


@dataclass(frozen=True, slots=True)
class InvestorClosing:
    """One investor's figures at a subsequent close, all non-negative. ``late``: admitted at
    this close; only late investors pay capital (the equalisation contribution) and interest,
    only investors already in receive them; ``contributed`` and ``unfunded``: after the close."""

    investor: str
    commitment: Decimal
    late: bool
    capital_paid_in: Decimal
    capital_returned: Decimal
    interest_paid: Decimal
    interest_received: Decimal
    contributed: Decimal
    unfunded: Decimal


@dataclass(frozen=True, slots=True)
class ClosingResult:
    """The outcome of one subsequent close: the new state and each investor's figures."""

    state: ClosingState
    investors: tuple[InvestorClosing, ...]
    capital_paid_in: Decimal
    capital_returned: Decimal
    interest_paid: Decimal
    interest_received: Decimal


def _check_commitments(
    commitments: Mapping[str, Decimal], currency: Currency, field: str
) -> dict[str, Decimal]:
    if not commitments:
        raise InvalidValueError(field, "at least one commitment is required")
    checked: dict[str, Decimal] = {}
    for investor, amount in commitments.items():
        if not isinstance(investor, str) or not investor:
            raise InvalidValueError(field, f"investor ids must be non-empty str, got {investor!r}")
        value = check_cash(amount, currency, f"{field}[{investor}]")
        if value <= 0:
            raise InvalidValueError(f"{field}[{investor}]", f"must be positive, got {value}")
        checked[investor] = value
    return checked


def open_fund(currency: Currency, commitments: Mapping[str, Decimal], first_close: date) -> ClosingState:
    """The pool at its first close: the first investors' commitments and no calls yet."""
    if not isinstance(currency, Currency):
        raise InvalidValueError("currency", "must be a Currency")
    check_date(first_close, "first_close")
    checked = _check_commitments(commitments, currency, "commitments")
    return ClosingState(
        currency=currency,
        commitments=tuple(Commitment(i, a, first_close, first_close) for i, a in checked.items()),
        calls=(),
        last_close=first_close,
    )


@exact_arithmetic
def call_capital(state: ClosingState, amount: Decimal, on: date) -> ClosingState:
    """Call ``amount`` from the pool on ``on``, split pro rata to commitments (largest remainder).

    Refused (field ``amount``) if any investor's share exceeds its unfunded commitment.
    """
    check_date(on, "on")
    if on < state.last_close or (state.calls and on < state.calls[-1].on):
        raise InvalidValueError("on", "must not be before the last close's payment or the last call")
    total = check_cash(amount, state.currency, "amount")
    if total == 0:
        raise InvalidValueError("amount", "must be positive")
    weights = {c.investor: c.amount for c in state.commitments}
    parts = allocate(total, weights, state.currency.quantum)
    for investor, part in parts.items():
        unfunded = state.unfunded_of(investor)
        if part > unfunded:
            raise InvalidValueError("amount", f"{investor}'s share {part} exceeds its unfunded {unfunded}")
    shares = tuple(CallShare(i, p) for i, p in parts.items())
    calls = (*state.calls, CallRecord(on, total, shares))
    return ClosingState(state.currency, state.commitments, calls, state.last_close)


@exact_arithmetic
def call_fraction(state: ClosingState, fraction: Decimal, on: date) -> ClosingState:
    """Call ``fraction`` of every commitment (0.10 = 10%): the pool amount is the fraction of
    total commitments rounded once (HALF_EVEN), then split as :func:`call_capital` does."""
    rate = check_rate(fraction, "fraction")
    total = sum((c.amount for c in state.commitments), _ZERO)
    return call_capital(state, quantize_cash(Fraction(total) * Fraction(rate), state.currency), on)


def equalisation_growth(terms: EqualisationTerms, start: date, end: date) -> Fraction:
    """Interest per unit of capital carried over ``[start, end)``: r x y, or (1 + r)^y - 1."""
    years = year_fraction(start, end, terms.day_count)
    rate = Fraction(terms.interest_rate)
    if Compounding(terms.compounding) is Compounding.SIMPLE:
        return rate * years
    if years.denominator == 1:
        return (1 + rate) ** years.numerator - 1
    # A fractional power is irrational: 60 significant digits, far below a cent on any amount
    # the books accept, and the result is rounded once afterwards.
    base = _GROWTH_CONTEXT.add(Decimal(1), terms.interest_rate)
    exponent = _GROWTH_CONTEXT.divide(Decimal(years.numerator), Decimal(years.denominator))
    return Fraction(_GROWTH_CONTEXT.power(base, exponent)) - 1


def _carried_weights(
    state: ClosingState, terms: EqualisationTerms, call_on: date, late_total: Decimal, paid_on: date
) -> dict[str, Fraction]:
    """Interest each investor already in earned carrying ``late_total`` of one call (module
    docstring): cut [call date, paid_on) at the payment dates of the closes in between; in
    each stretch the investors then in carry it pro rata to their commitments."""
    cuts = sorted({c.paid_on for c in state.commitments if call_on < c.paid_on < paid_on})
    bounds = [call_on, *cuts, paid_on]
    weights: dict[str, Fraction] = {c.investor: Fraction(0) for c in state.commitments}
    for start, end in itertools.pairwise(bounds):
        present = [c for c in state.commitments if c.paid_on <= start]
        base = sum((Fraction(c.amount) for c in present), Fraction(0))
        accrued = Fraction(late_total) * (
            equalisation_growth(terms, start, paid_on) - equalisation_growth(terms, end, paid_on)
        )
        for c in present:
            weights[c.investor] += accrued * Fraction(c.amount) / base
    return weights


def _integer_weights(weights: Mapping[str, Fraction]) -> dict[str, Decimal]:
    """Exact rational weights as integers with the same ratios (allocate takes Decimals)."""
    denominator = math.lcm(*(w.denominator for w in weights.values()))
    return {k: Decimal(int(w * denominator)) for k, w in weights.items()}


def _check_close(
    state: ClosingState, terms: EqualisationTerms, closing_date: date, payment_date: date | None
) -> date:
    """Validate the close's terms and dates; return the payment date."""
    if not isinstance(terms, EqualisationTerms):
        raise InvalidValueError("terms", "must be EqualisationTerms")
    check_date(closing_date, "closing_date")
    paid_on = closing_date if payment_date is None else check_date(payment_date, "payment_date")
    if closing_date < state.last_close:
        raise InvalidValueError("closing_date", f"must not be before the last payment {state.last_close}")
    if paid_on < closing_date:
        raise InvalidValueError("payment_date", "must not be before closing_date")
    if state.calls and state.calls[-1].on > paid_on:
        raise InvalidValueError("payment_date", "must not be before the last call")
    return paid_on


@exact_arithmetic
def subsequent_close(
    state: ClosingState,
    terms: EqualisationTerms,
    new_commitments: Mapping[str, Decimal],
    closing_date: date,
    payment_date: date | None = None,
) -> ClosingResult:
    """Admit ``new_commitments`` at a later close and equalise every earlier call.

    ``payment_date`` (default ``closing_date``) is the date the late investors pay, to which
    equalisation interest runs. Returns the new state and each investor's figures.
    """
    paid_on = _check_close(state, terms, closing_date, payment_date)
    currency = state.currency
    new = _check_commitments(new_commitments, currency, "new_commitments")
    existing = {c.investor: c.amount for c in state.commitments}
    for investor in new:
        if investor in existing:
            raise InvalidValueError(f"new_commitments[{investor}]", "is already admitted")
    base = {**existing, **new}
    zero = quantize_cash(0, currency)

    paid = dict.fromkeys(new, zero)
    returned = dict.fromkeys(existing, zero)
    owed_interest: dict[str, Fraction] = dict.fromkeys(new, Fraction(0))
    interest_weight: dict[str, Fraction] = dict.fromkeys(existing, Fraction(0))
    calls: list[CallRecord] = []
    for call in state.calls:
        target = allocate(call.amount, base, currency.quantum)
        growth = equalisation_growth(terms, call.on, paid_on)
        late_total = sum((target[j] for j in new), zero)
        over = {s.investor: max(s.amount - target[s.investor], _ZERO) for s in call.shares}
        back = allocate(late_total, over, currency.quantum) if late_total else dict.fromkeys(over, zero)
        shares: list[CallShare] = []
        for s in call.shares:
            r = back[s.investor]
            returned[s.investor] += r
            shares.append(CallShare(s.investor, s.amount - r))
        for j in new:
            paid[j] += target[j]
            owed_interest[j] += Fraction(target[j]) * growth
            shares.append(CallShare(j, target[j]))
        if late_total:
            for investor, weight in _carried_weights(state, terms, call.on, late_total, paid_on).items():
                interest_weight[investor] += weight
        calls.append(CallRecord(call.on, call.amount, tuple(shares)))

    interest_paid = {j: quantize_cash(owed_interest[j], currency, terms.rounding) for j in new}
    total_interest = sum(interest_paid.values(), zero)
    received = dict.fromkeys(existing, zero)
    if total_interest:
        # The weights add up to the exact interest owed, so they are not all zero here.
        received = allocate(total_interest, _integer_weights(interest_weight), currency.quantum)

    commitments = (*state.commitments, *(Commitment(j, a, closing_date, paid_on) for j, a in new.items()))
    new_state = ClosingState(currency, commitments, tuple(calls), paid_on)
    rows = [
        InvestorClosing(
            investor=c.investor,
            commitment=c.amount,
            late=c.investor in new,
            capital_paid_in=paid.get(c.investor, zero),
            capital_returned=returned.get(c.investor, zero),
            interest_paid=interest_paid.get(c.investor, zero),
            interest_received=received.get(c.investor, zero),
            contributed=new_state.contributed_of(c.investor),
            unfunded=new_state.unfunded_of(c.investor),
        )
        for c in commitments
    ]
    return ClosingResult(
        state=new_state,
        investors=tuple(rows),
        capital_paid_in=sum(paid.values(), zero),
        capital_returned=sum(returned.values(), zero),
        interest_paid=total_interest,
        interest_received=sum(received.values(), zero),
    )
