"""Management fee terms as agreements write them: the basis, in advance or in arrears, the
step-down, fee holidays, per-investor waivers and the GP's commitment.

Basis (``ManagementFeeBasis``) and timing (``FeeTiming``)
    The fee for a period ``[start, end)`` is ``basis x annual rate x year fraction``, the year
    fraction under the terms' day count (backend.finance.daycount). The basis is one of:

    * beginning-of-period NAV; end-of-period NAV; average NAV = (beginning + end) / 2;
    * committed capital;
    * invested capital = contributed capital - cost returned on realised investments
      - cost written off (:func:`invested_capital`).

    Charged **in advance** the fee uses what is known at the start of the period (beginning
    NAV, commitments and invested capital at the start), so an end or average NAV basis
    cannot be charged in advance. Charged **in arrears** it uses the figures at the end
    (beginning NAV still means the beginning).

Step-down (``StepDown``)
    From the switch date (for example the end of the investment period) the fee is on a
    second basis (usually invested capital), optionally at a second rate. A period that
    straddles the switch date is split at it, each part at its own basis and rate.

Fee holidays and waivers
    A holiday ``[start, end)`` charges no fee for its days, to everyone or to the investors
    it names. A waiver takes a fraction (0 to 1) off one investor's fee, optionally only
    from / to given dates; where two waivers of one investor overlap the larger applies.
    Per-investor terms (waivers, the GP's commitment, fee and carry exemptions) and the fee
    by investor are in backend.finance.fees.fee_investors.

Formula
    The period is cut at the switch date and at every holiday and waiver boundary inside
    it. A part ``[a, b)`` has year fraction ``yf(start, b) - yf(start, a)``: measured from
    the period start, so the parts add up to the period's own year fraction under every
    day count. Exact fee = sum over parts of basis x rate x year fraction x (1 - waived),
    waived being 1 on a holiday.

Rounding
    Exact (Fraction) until the figure a person checks: one holder's fee for a period (the
    pool's, :func:`period_fee`, or one investor's) is rounded once, ROUND_HALF_EVEN, to the
    currency's minor unit (as backend.finance.fees.management), never each part of a
    straddling period.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

from backend.finance.daycount import DayCount, check_date, year_fraction
from backend.finance.errors import InvalidValueError
from backend.finance.money import Currency, Rounding, check_cash, check_rate, exact_arithmetic, quantize_cash

__all__ = [
    "FEE_BASIS_ROUNDING",
    "BasisFigures",
    "FeeBasisTerms",
    "FeeHoliday",
    "FeePart",
    "FeeTiming",
    "FeeWaiver",
    "ManagementFeeBasis",
    "PeriodFee",
    "StepDown",
    "basis_amount",
    "holder_period_fee",
    "invested_capital",
    "period_fee",
]

FEE_BASIS_ROUNDING = Rounding.HALF_EVEN

_ZERO = Decimal(0)
_ONE = Decimal(1)


class ManagementFeeBasis(enum.StrEnum):
    """What the annual rate is applied to."""

    BEGINNING_NAV = "beginning_nav"
    ENDING_NAV = "ending_nav"
    AVERAGE_NAV = "average_nav"
    """(beginning NAV + end NAV) / 2."""
    COMMITTED = "committed"
    INVESTED = "invested"
    """Contributed capital net of cost returned on realised investments and write-offs."""


class FeeTiming(enum.StrEnum):
    """When the fee is charged, and so which figures it can use."""

    IN_ADVANCE = "in_advance"
    """At the start of the period, on the figures known then."""
    IN_ARREARS = "in_arrears"
    """At the end of the period, on the figures at the end."""


_NEEDS_END = frozenset({ManagementFeeBasis.ENDING_NAV, ManagementFeeBasis.AVERAGE_NAV})


def _check_basis(basis: object, timing: FeeTiming, field_name: str) -> ManagementFeeBasis:
    try:
        kind = ManagementFeeBasis(str(basis))
    except ValueError:
        raise InvalidValueError(
            field_name, f"must be one of {[b.value for b in ManagementFeeBasis]}, got {basis!r}"
        ) from None
    if timing is FeeTiming.IN_ADVANCE and kind in _NEEDS_END:
        # The end NAV is not known when a fee charged in advance is worked out.
        raise InvalidValueError(field_name, f"{kind.value} cannot be charged in advance")
    return kind


@dataclass(frozen=True, slots=True)
class StepDown:
    """From ``switch_date`` the fee is on ``basis`` at ``annual_rate`` (None: the same rate)."""

    switch_date: date
    basis: ManagementFeeBasis = ManagementFeeBasis.INVESTED
    annual_rate: Decimal | None = None

    def __post_init__(self) -> None:
        check_date(self.switch_date, "step_down.switch_date")
        object.__setattr__(self, "basis", _check_basis(self.basis, FeeTiming.IN_ARREARS, "step_down.basis"))
        if self.annual_rate is not None:
            check_rate(self.annual_rate, "step_down.annual_rate")


@dataclass(frozen=True, slots=True)
class FeeHoliday:
    """No fee for the days ``[start, end)``: for everyone, or only for ``investors``."""

    start: date
    end: date
    investors: frozenset[str] = frozenset()
    """Empty: everyone."""

    def __post_init__(self) -> None:
        check_date(self.start, "holiday.start")
        check_date(self.end, "holiday.end")
        if self.end <= self.start:
            raise InvalidValueError("holiday.end", f"must be after start {self.start}, got {self.end}")
        if not isinstance(self.investors, frozenset):
            raise InvalidValueError("holiday.investors", "must be a frozenset of investor keys")

    def applies_to(self, investor: str | None) -> bool:
        """Everyone's holiday, or one naming ``investor`` (None: the pool as a whole)."""
        return not self.investors or (investor is not None and investor in self.investors)

    def covers(self, day: date, investor: str | None) -> bool:
        return self.applies_to(investor) and self.start <= day < self.end


@dataclass(frozen=True, slots=True)
class FeeWaiver:
    """``fraction`` (0 to 1) of one investor's fee waived, from ``start`` to ``end`` (open if None)."""

    fraction: Decimal
    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        check_rate(self.fraction, "waiver.fraction")
        if self.start is not None:
            check_date(self.start, "waiver.start")
        if self.end is not None:
            check_date(self.end, "waiver.end")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise InvalidValueError("waiver.end", f"must be after start {self.start}, got {self.end}")

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class FeeBasisTerms:
    """What the agreement says about the management fee."""

    basis: ManagementFeeBasis
    annual_rate: Decimal
    timing: FeeTiming = FeeTiming.IN_ARREARS
    day_count: DayCount = DayCount.ACT_365F
    step_down: StepDown | None = None
    holidays: tuple[FeeHoliday, ...] = ()

    def __post_init__(self) -> None:
        try:
            timing = FeeTiming(self.timing)
        except ValueError:
            raise InvalidValueError(
                "timing", f"must be in_advance or in_arrears, got {self.timing!r}"
            ) from None
        # Normalise plain strings to the enums (frozen: set through object.__setattr__).
        object.__setattr__(self, "timing", timing)
        object.__setattr__(self, "basis", _check_basis(self.basis, timing, "basis"))
        object.__setattr__(self, "day_count", DayCount(self.day_count))
        check_rate(self.annual_rate, "annual_rate")
        if self.step_down is not None:
            if not isinstance(self.step_down, StepDown):
                raise InvalidValueError("step_down", "must be a StepDown")
            _check_basis(self.step_down.basis, timing, "step_down.basis")
        if not all(isinstance(h, FeeHoliday) for h in self.holidays):
            raise InvalidValueError("holidays", "must be FeeHoliday values")

    def regime(self, day: date) -> tuple[ManagementFeeBasis, Decimal]:
        """The basis and annual rate that apply on ``day``."""
        step = self.step_down
        if step is None or day < step.switch_date:
            return self.basis, self.annual_rate
        return step.basis, self.annual_rate if step.annual_rate is None else step.annual_rate


@dataclass(frozen=True, slots=True)
class BasisFigures:
    """One investor's (or the pool's) figures at the start and the end of a fee period.

    An ``_end`` figure left as None is taken as unchanged from the start."""

    nav_start: Decimal = _ZERO
    nav_end: Decimal | None = None
    committed_start: Decimal = _ZERO
    committed_end: Decimal | None = None
    invested_start: Decimal = _ZERO
    invested_end: Decimal | None = None


@dataclass(frozen=True, slots=True)
class FeePart:
    """One part of a fee period: its own basis, rate, year fraction and waiver."""

    start: date
    end: date
    basis: ManagementFeeBasis
    basis_amount: Decimal
    annual_rate: Decimal
    year_fraction: Fraction
    waived: Decimal
    """Fraction of the fee waived on these days: 1 on a fee holiday."""
    exact_fee: Fraction


@dataclass(frozen=True, slots=True)
class PeriodFee:
    """The fee for ``[start, end)``: its parts, exact total and the amount charged."""

    start: date
    end: date
    parts: tuple[FeePart, ...]
    exact: Fraction
    amount: Decimal


@exact_arithmetic
def invested_capital(
    contributed: Decimal, returned_cost: Decimal, written_off: Decimal, currency: Currency
) -> Decimal:
    """Contributed capital less the cost of realised investments returned and the cost written
    off. The two deductions together may not exceed what was contributed."""
    paid = check_cash(contributed, currency, "contributed")
    returned = check_cash(returned_cost, currency, "returned_cost")
    lost = check_cash(written_off, currency, "written_off")
    if returned + lost > paid:
        raise InvalidValueError(
            "written_off", f"returned cost {returned} + written off {lost} exceed contributed {paid}"
        )
    return paid - returned - lost


@exact_arithmetic
def basis_amount(
    basis: ManagementFeeBasis,
    timing: FeeTiming,
    figures: BasisFigures,
    currency: Currency,
    field_name: str = "figures",
) -> Decimal:
    """The basis the rate applies to: the start figures in advance, the end figures in arrears."""
    when = FeeTiming(timing)
    kind = _check_basis(basis, when, "basis")

    def cash(name: str) -> Decimal:
        value = getattr(figures, name)
        if value is None:  # an end figure not given: unchanged from the start
            name = name.replace("_end", "_start")
            value = getattr(figures, name)
        return check_cash(value, currency, f"{field_name}.{name}")

    if kind is ManagementFeeBasis.BEGINNING_NAV:
        return cash("nav_start")
    if kind is ManagementFeeBasis.ENDING_NAV:
        return cash("nav_end")
    if kind is ManagementFeeBasis.AVERAGE_NAV:
        # Halving a Decimal is always exact (one more decimal place at most).
        return (cash("nav_start") + cash("nav_end")) / 2
    suffix = "_start" if when is FeeTiming.IN_ADVANCE else "_end"
    return cash(("committed" if kind is ManagementFeeBasis.COMMITTED else "invested") + suffix)


@exact_arithmetic
def holder_period_fee(
    terms: FeeBasisTerms,
    start: date,
    end: date,
    figures: BasisFigures,
    currency: Currency,
    *,
    investor: str | None = None,
    waivers: Iterable[FeeWaiver] = (),
    field_name: str = "figures",
) -> PeriodFee:
    """One holder's fee for ``[start, end)`` on its ``figures``: cut at the switch date and the
    holiday and waiver boundaries, the parts' exact fees added up and rounded once (half-even).

    ``investor`` names the holder for holidays that name investors (None: the pool)."""
    check_date(start, "start")
    check_date(end, "end")
    if end <= start:
        raise InvalidValueError("end", f"must be after start {start}, got {end}")
    own_waivers = tuple(waivers)
    if not all(isinstance(w, FeeWaiver) for w in own_waivers):
        raise InvalidValueError("waivers", "must be FeeWaiver values")
    cuts: set[date] = set()
    if terms.step_down is not None:
        cuts.add(terms.step_down.switch_date)
    holidays = tuple(h for h in terms.holidays if h.applies_to(investor))
    for holiday in holidays:
        cuts.update((holiday.start, holiday.end))
    for waiver in own_waivers:
        cuts.update(d for d in (waiver.start, waiver.end) if d is not None)
    points = [start, *sorted(d for d in cuts if start < d < end), end]
    parts: list[FeePart] = []
    for a, b in pairwise(points):
        # Measured from the period start, so the parts add up to yf(start, end) exactly
        # under every day count (30/360 and whole years are not additive over cut dates).
        years = year_fraction(start, b, terms.day_count) - year_fraction(start, a, terms.day_count)
        basis, rate = terms.regime(a)
        amount = basis_amount(basis, terms.timing, figures, currency, field_name)
        if any(h.covers(a, investor) for h in holidays):
            waived = _ONE
        else:
            waived = max((w.fraction for w in own_waivers if w.covers(a)), default=_ZERO)
        exact = Fraction(amount) * Fraction(rate) * years * (1 - Fraction(waived))
        parts.append(FeePart(a, b, basis, amount, rate, years, waived, exact))
    total = sum((p.exact_fee for p in parts), Fraction(0))
    return PeriodFee(start, end, tuple(parts), total, quantize_cash(total, currency, FEE_BASIS_ROUNDING))


def period_fee(
    terms: FeeBasisTerms, start: date, end: date, figures: BasisFigures, currency: Currency
) -> PeriodFee:
    """The pool's fee for ``[start, end)`` on the pool's figures (holidays for everyone apply)."""
    return holder_period_fee(terms, start, end, figures, currency)
