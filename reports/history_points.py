"""What a replay of the books gives: the pool after each entry and an investor's stake after
each entry that touched it, and how a report reads them on a date (the value, the accrued
carried interest marked then, the NAV per unit, the index, the flows).

Apart from reports.history, which replays the journal into these points and links the index,
because the figures (reports.performance, reports.class_performance) read them without
replaying anything: the shape of a history changes with what a report shows, the
replay with how the books are read.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from backend.finance.money import Currency
from ledger.interface import EntryType
from reports.carry import NO_CARRY, CarryAccrual
from reports.class_history import ClassHistory
from reports.journal import Flow

_ZERO = Decimal(0)

MEASURED_RETURN = frozenset({EntryType.VALUATION, EntryType.INCOME})
"""Entries that measure a return: a valuation (a market move) and income earned."""


@dataclass(frozen=True, slots=True)
class PoolPoint:
    """The pool after one entry."""

    entry_id: int
    seq: int
    on: date
    entry_type: EntryType
    value_before: Decimal
    value: Decimal
    """Net asset value less unpaid calls, before accrued carried interest (the books)."""
    nav: Decimal
    units: Decimal
    nav_per_unit: Decimal | None
    inflow: Decimal
    outflow: Decimal
    """What the investors received (a waterfall's LP total)."""
    carry_paid: Decimal
    """The GP's catch-up and carried interest paid by this entry (a waterfall distribution)."""
    distribution_per_unit: Decimal
    """Open-ended: a distribution's cash per unit outstanding."""
    index: float

    @property
    def flow(self) -> Decimal:
        """Net external flow, the portfolio's view: positive = money in."""
        return self.inflow - self.outflow


@dataclass(frozen=True, slots=True)
class PoolHistory:
    pool_id: int
    open_ended: bool
    currency: Currency
    inception: date
    initial_nav_per_unit: Decimal
    as_of: date
    points: tuple[PoolPoint, ...]
    carry: Mapping[date, CarryAccrual] = field(default_factory=dict)
    """Accrued carried interest on the dates the replay was asked to mark."""
    unit_priced: bool | None = None
    """The index is the unit price (open-ended without share classes); None: as open_ended."""
    classes: Mapping[str, ClassHistory] = field(default_factory=dict)
    """Share classes: each class's own history (reports.class_history), by class id."""
    class_of: Mapping[int, str] = field(default_factory=dict)
    """Share classes: the class each investor holds at ``as_of``."""

    @property
    def priced_per_unit(self) -> bool:
        return self.open_ended if self.unit_priced is None else self.unit_priced

    @property
    def track_start(self) -> date:
        """The day before inception: the track record's base (index 1.0 at its end)."""
        return self.inception - timedelta(days=1)

    def at(self, on: date) -> PoolPoint | None:
        """The last point on or before ``on`` (None before the first entry)."""
        i = bisect_right([p.on for p in self.points], on)
        return self.points[i - 1] if i else None

    def value_on(self, on: date) -> Decimal:
        """Value before carried interest (the books' NAV less unpaid calls)."""
        point = self.at(on)
        return point.value if point else _ZERO

    def carry_on(self, on: date) -> CarryAccrual:
        """Accrued carried interest marked on ``on``; nothing if it was not asked for."""
        return self.carry.get(on, NO_CARRY)

    def net_value_on(self, on: date) -> Decimal:
        """The LPs' value, net of the accrued carried interest marked on ``on``."""
        return self.value_on(on) - self.carry_on(on).total

    def nav_per_unit_on(self, on: date) -> Decimal | None:
        if not self.priced_per_unit:
            return None  # closed-ended, or each share class has its own price
        point = self.at(on)
        if point is None or point.nav_per_unit is None:
            return self.initial_nav_per_unit if point is None or point.units == 0 else None
        return point.nav_per_unit

    def index_on(self, on: date) -> float:
        point = self.at(on)
        return point.index if point else 1.0

    def last_valuation_on(self, on: date) -> date | None:
        """The last day on or before ``on`` the books measured a return: a valuation, or income
        earned (a known amount the pool's value moved by). The figures' market values are as of
        that day; a period with neither in it saw fees at most, so its "return" is no return
        at all (the portal shows "no valuation yet", not 0%)."""
        return next(
            (p.on for p in reversed(self.points) if p.on <= on and p.entry_type in MEASURED_RETURN), None
        )

    def between(self, start: date, end: date) -> list[PoolPoint]:
        """Points with start < date <= end."""
        return [p for p in self.points if start < p.on <= end]

    def flows(self, end: date | None = None) -> list[Flow]:
        """(date, money in, money out, carry paid) per date with any, up to ``end``."""
        by_date: dict[date, tuple[Decimal, Decimal, Decimal]] = {}
        for p in self.points:
            if (end is None or p.on <= end) and (p.inflow or p.outflow or p.carry_paid):
                i, o, c = by_date.get(p.on, (_ZERO, _ZERO, _ZERO))
                by_date[p.on] = (i + p.inflow, o + p.outflow, c + p.carry_paid)
        return [(on, i, o, c) for on, (i, o, c) in sorted(by_date.items())]


@dataclass(frozen=True, slots=True)
class InvestorPoint:
    """One investor's stake after an entry that touched their accounts."""

    entry_id: int
    on: date
    entry_type: EntryType
    value_before: Decimal
    value: Decimal
    """Capital account less unpaid calls (the books, before accrued carried interest)."""
    capital: Decimal
    receivable: Decimal
    units: Decimal
    paid_in: Decimal
    received: Decimal
    carry_paid: Decimal
    """The GP's amounts this investor's capital account bore in a distribution."""
    index: float

    @property
    def flow(self) -> Decimal:
        """The portfolio's view (positive = money in), for metrics.twr."""
        return self.paid_in - self.received


@dataclass(frozen=True, slots=True)
class InvestorHistory:
    investor_id: int
    pool_id: int
    as_of: date
    points: tuple[InvestorPoint, ...]

    def at(self, on: date) -> InvestorPoint | None:
        i = bisect_right([p.on for p in self.points], on)
        return self.points[i - 1] if i else None

    def value_on(self, on: date) -> Decimal:
        """Capital account less unpaid calls, before accrued carried interest."""
        point = self.at(on)
        return point.value if point else _ZERO

    def index_on(self, on: date) -> float:
        point = self.at(on)
        return point.index if point else 1.0

    @property
    def value(self) -> Decimal:
        return self.points[-1].value if self.points else _ZERO

    def cash_flows(self) -> list[tuple[date, Decimal]]:
        """The investor's cash flows (xirr's sign: negative paid in, positive received)."""
        return [(p.on, p.received - p.paid_in) for p in self.points if p.paid_in or p.received]

    def flows(self, end: date | None = None) -> list[Flow]:
        """(date, paid in, received, carry paid) per entry with any, up to ``end``."""
        return [
            (p.on, p.paid_in, p.received, p.carry_paid)
            for p in self.points
            if (end is None or p.on <= end) and (p.paid_in or p.received or p.carry_paid)
        ]

    @property
    def paid_in(self) -> Decimal:
        return sum((p.paid_in for p in self.points), _ZERO)

    @property
    def received(self) -> Decimal:
        return sum((p.received for p in self.points), _ZERO)

    @property
    def first_flow_on(self) -> date | None:
        return next((p.on for p in self.points if p.paid_in or p.received), None)

    def exited_on(self, end: date) -> date | None:
        """The date of the investor's last flow if by ``end`` they hold nothing any more (no
        units, no capital, nothing owed on calls): their return ends there."""
        point = self.at(end)
        if point is None or point.units or point.capital or point.receivable:
            return None
        return next((p.on for p in reversed(self.points) if p.on <= end and (p.paid_in or p.received)), None)
