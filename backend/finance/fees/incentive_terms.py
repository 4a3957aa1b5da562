"""Performance (incentive) fee conventions as terms: one period's fee, and a run of periods.

The conventions a fund's documents choose between, each a field of :class:`IncentiveTerms`:

Fee basis (``basis``)
    * ``GROSS_OF_MANAGEMENT_FEE`` ("calculated independently of the management fee"): the
      gain is measured on the value before the management fee, V;
    * ``NET_OF_MANAGEMENT_FEE`` ("incentive fee calculated net of the management fee"): the
      gain is measured on V - M, M being the management fee charged at the same time.

    Let B be that base value and R the reference (below); the gain is G = B - R.

Reference and high-water mark (``high_water_mark``)
    With a high-water mark R is the HWM: the account's value after *all* fees at the last
    crystallisation that took a performance fee (or the starting value); it only moves when
    a fee is taken, to V - M - fee, and never decreases. Without one, R is the value after
    all fees at the previous crystallisation date (the start of the period).

Hurdle (``hurdle_rate``, ``hurdle``, ``catch_up_rate``)
    The annual rate h is applied from the date R was set to the crystallisation date with
    :func:`backend.finance.fees.performance.hurdle_growth` (whole years compound, the rest is
    pro-rated by the terms' day count): the hurdle amount is H = R x (growth - 1).

    * hard hurdle: fee = rate x max(0, G - H) (only the gain above the hurdle);
    * soft hurdle, no catch-up: fee = rate x G if G > H, else 0 (once the hurdle is cleared,
      the whole gain); a gain exactly at the hurdle does not clear it;
    * soft hurdle with catch-up c (rate <= c <= 1): fee = min(c x (G - H), rate x G) if
      G > H: the manager takes c of the gain above the hurdle until it has caught up to
      rate x the whole gain (c = 1 is a full catch-up; c = rate is the hard hurdle).

Crystallisation (``crystallisation``)
    :func:`run_incentive_fees` values the fee at every observation (the accrual, which can go
    down: a reversal) and crystallises it (makes it payable; it never reverses) only on an
    observation dated on or after the last weekday (Monday to Friday) of its calendar month,
    quarter (March, June, September, December) or year (December). Valuations are struck on
    business days; public holidays are the caller's to skip. After a crystallisation the
    accrual restarts from nothing.

Rounding
    Everything is exact (``Fraction``) until the fee, which is rounded once, ROUND_DOWN to the
    currency's minor unit (``INCENTIVE_FEE_ROUNDING``): the manager never gets more than its
    contractual share. The hurdle level is shown exact, or half-even to 12 dp.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from backend.finance.daycount import DayCount, check_date
from backend.finance.errors import InvalidValueError
from backend.finance.fees.performance import (
    Crystallisation,
    HurdleType,
    crystallises_on,
    fee_on_gain,
    hurdle_growth,
)
from backend.finance.money import (
    Currency,
    Rounding,
    check_cash,
    check_rate,
    exact_arithmetic,
    quantize_cash,
    round_to_quantum,
)

__all__ = [
    "INCENTIVE_FEE_ROUNDING",
    "Crystallisation",
    "HurdleType",
    "IncentiveBasis",
    "IncentiveFee",
    "IncentiveStep",
    "IncentiveTerms",
    "Observation",
    "crystallises_on",
    "incentive_fee",
    "run_incentive_fees",
]

INCENTIVE_FEE_ROUNDING = Rounding.DOWN
_LEVEL_QUANTUM = Decimal("1E-12")


class IncentiveBasis(enum.StrEnum):
    """Whether the gain is measured before or after the management fee."""

    GROSS_OF_MANAGEMENT_FEE = "gross of management fee"
    NET_OF_MANAGEMENT_FEE = "net of management fee"


@dataclass(frozen=True, slots=True)
class IncentiveTerms:
    """A pool's performance fee conventions (see the module docstring for each rule)."""

    rate: Decimal
    basis: IncentiveBasis = IncentiveBasis.NET_OF_MANAGEMENT_FEE
    high_water_mark: bool = True
    hurdle_rate: Decimal = Decimal(0)
    """Annual rate; 0 = no hurdle."""
    hurdle: HurdleType = HurdleType.HARD
    catch_up_rate: Decimal | None = None
    """Soft hurdle only: the manager's share of the gain above the hurdle until caught up;
    None = no catch-up (the whole gain as soon as the hurdle is cleared)."""
    crystallisation: Crystallisation = Crystallisation.ANNUALLY
    day_count: DayCount = DayCount.ACT_365F

    def __post_init__(self) -> None:
        check_rate(self.rate, "rate")
        check_rate(self.hurdle_rate, "hurdle_rate")
        IncentiveBasis(self.basis)
        HurdleType(self.hurdle)
        Crystallisation(self.crystallisation)
        DayCount(self.day_count)
        if not isinstance(self.high_water_mark, bool):
            raise InvalidValueError("high_water_mark", "must be True or False")
        if self.catch_up_rate is not None:
            if self.hurdle is not HurdleType.SOFT:
                raise InvalidValueError("catch_up_rate", "applies to a soft hurdle only")
            check_rate(self.catch_up_rate, "catch_up_rate", low=self.rate)


def _level(value: Fraction) -> Decimal:
    """An exact level for display: exact when it is a short decimal, else half-even to 12 dp."""
    for places in range(13):
        scaled = value * 10**places
        if scaled.denominator == 1:
            return Decimal(scaled.numerator).scaleb(-places)
    return round_to_quantum(value, _LEVEL_QUANTUM, Rounding.HALF_EVEN)


@dataclass(frozen=True, slots=True)
class IncentiveFee:
    """One crystallisation (or one valuation of the accrual) of the performance fee."""

    fee: Decimal
    """Minor unit, rounded down; 0 when the gain does not clear the hurdle."""
    fee_base: Decimal
    """B: the value the gain is measured on (before or after the management fee)."""
    gain: Decimal
    """G = B - reference (negative below the reference)."""
    hurdle_level: Decimal
    """reference x hurdle growth: the base value the fund had to exceed (12 dp at most)."""
    value_after_fees: Decimal
    """V - management fee - fee."""
    next_reference: Decimal
    """The reference for the next period: the new HWM (moves only when a fee is taken, never
    down) or, without a HWM, the value after fees."""
    reference_reset: bool
    """True when the reference (and the date the hurdle runs from) moves to this date."""


def _fee_on_gain(terms: IncentiveTerms, gain: Fraction, hurdle_amount: Fraction) -> Fraction:
    return fee_on_gain(terms.rate, gain, hurdle_amount, terms.hurdle, terms.catch_up_rate)


@exact_arithmetic
def incentive_fee(
    value_before_fees: Decimal,
    *,
    reference: Decimal,
    terms: IncentiveTerms,
    currency: Currency,
    management_fee: Decimal = Decimal(0),
    reference_date: date | None = None,
    on: date | None = None,
) -> IncentiveFee:
    """The performance fee on ``value_before_fees`` (V, before this period's management fee
    and performance fee) against ``reference`` (the HWM, or the period's opening value).

    ``management_fee`` (M) is charged at the same time: it is deducted from the base under
    ``NET_OF_MANAGEMENT_FEE`` and always from the value after fees. ``reference_date`` (the
    date the reference was set) and ``on`` (this date) run the annual hurdle by the day
    count; without them the hurdle applies once, as for one whole year.
    """
    value = check_cash(value_before_fees, currency, "value_before_fees")
    ref = check_cash(reference, currency, "reference")
    mgmt = check_cash(management_fee, currency, "management_fee")
    if mgmt > value:
        raise InvalidValueError("management_fee", f"must not exceed value_before_fees {value}, got {mgmt}")
    if reference_date is None and on is None:
        growth = 1 + Fraction(terms.hurdle_rate)
    elif reference_date is None or on is None:
        missing = "reference_date" if reference_date is None else "on"
        raise InvalidValueError(missing, "reference_date and on go together")
    else:
        growth = hurdle_growth(terms.hurdle_rate, reference_date, on, terms.day_count)
    base = value - mgmt if terms.basis is IncentiveBasis.NET_OF_MANAGEMENT_FEE else value
    gain = Fraction(base) - Fraction(ref)
    hurdle_amount = Fraction(ref) * (growth - 1)
    fee = quantize_cash(_fee_on_gain(terms, gain, hurdle_amount), currency, INCENTIVE_FEE_ROUNDING)
    after = value - mgmt - fee
    if terms.high_water_mark:
        # The HWM is net of all fees and only moves when a fee is crystallised.
        reset = fee > 0
        next_reference = max(ref, after) if reset else ref
    else:
        reset, next_reference = True, after
    return IncentiveFee(
        fee=fee,
        fee_base=base,
        gain=base - ref,
        hurdle_level=_level(Fraction(ref) * growth),
        value_after_fees=after,
        next_reference=next_reference,
        reference_reset=reset,
    )


@dataclass(frozen=True, slots=True)
class Observation:
    """One valuation: the value before this date's management fee and before any performance
    fee accrual (earlier crystallised fees and management fees already paid out)."""

    on: date
    value_before_fees: Decimal
    management_fee: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class IncentiveStep:
    """The performance fee at one observation."""

    on: date
    crystallised: bool
    """True on a crystallisation date of the terms' schedule."""
    accrued_fee: Decimal
    """The fee were it crystallised now (what the NAV is struck net of)."""
    accrual_change: Decimal
    """accrued_fee - the accrual outstanding before; negative = a reversal."""
    crystallised_fee: Decimal
    """Fee made payable on this date (0 between crystallisation dates); never reverses."""
    value_after_fees: Decimal
    """Value after the management fee and the accrued (or crystallised) fee."""
    reference: Decimal
    """The reference (HWM) after this observation."""
    reference_set_on: date
    """The date the hurdle runs from after this observation."""
    hurdle_level: Decimal


def run_incentive_fees(
    observations: Sequence[Observation],
    *,
    start_value: Decimal,
    start_date: date,
    terms: IncentiveTerms,
    currency: Currency,
) -> tuple[IncentiveStep, ...]:
    """Accrue the fee at each observation; crystallise on the schedule's dates only.

    ``start_value`` is the reference (HWM or opening value) set on ``start_date`` (inception
    or the last crystallisation). Observations must be after ``start_date``, in date order.
    """
    check_date(start_date, "start_date")
    reference = check_cash(start_value, currency, "start_value")
    reference_date = start_date
    outstanding = Decimal(0)
    steps: list[IncentiveStep] = []
    previous = start_date
    for index, obs in enumerate(observations):
        if not isinstance(obs, Observation):
            raise InvalidValueError(f"observations[{index}]", "must be an Observation")
        check_date(obs.on, f"observations[{index}].on")
        if obs.on <= previous:
            raise InvalidValueError(f"observations[{index}].on", f"must be after {previous}, got {obs.on}")
        previous = obs.on
        result = incentive_fee(
            obs.value_before_fees,
            reference=reference,
            terms=terms,
            currency=currency,
            management_fee=obs.management_fee,
            reference_date=reference_date,
            on=obs.on,
        )
        crystallise = crystallises_on(obs.on, terms.crystallisation)
        change = result.fee - outstanding
        if crystallise:
            outstanding = Decimal(0)
            if result.reference_reset:
                reference, reference_date = result.next_reference, obs.on
        else:
            outstanding = result.fee
        steps.append(
            IncentiveStep(
                on=obs.on,
                crystallised=crystallise,
                accrued_fee=result.fee,
                accrual_change=change,
                crystallised_fee=result.fee if crystallise else quantize_cash(0, currency),
                value_after_fees=result.value_after_fees,
                reference=reference,
                reference_set_on=reference_date,
                hurdle_level=result.hurdle_level,
            )
        )
    return tuple(steps)
