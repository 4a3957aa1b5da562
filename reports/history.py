"""Rebuild a pool's history, and an investor's, from the journal (pure functions, no I/O).

The books are the only source: every figure here is a sum of postings. The report service
reads a pool's entries through the ledger service (never its tables), turns them into
:class:`BookEntry` values and replays them here; a snapshot task can do the same per pool
and date.

Which entries count, as of a cut-off date
    Entries with an effective date on or before the cut-off. An entry and its reversal both
    drop out when both are on or before the cut-off (history is restated as corrected); an
    entry reversed only after the cut-off stands, because that is how the books stood then.
    So the balances at the cut-off equal the ledger's own balances as of that date.

Order
    By effective date, then journal order (seq) within a date. A back-dated entry is thus
    placed on its own date; balances at the end of any date do not depend on the order.

Values
    ``nav``      sum of capital accounts + rounding residue (the pool's net asset value).
    ``value``    nav less capital called but not yet paid (call receivables): what the
                 investors' money is worth. A capital call moves nothing here; the
                 contribution that settles it is the external flow. Open-ended pools have no
                 receivables, so value == nav.
    investor     capital account less their unpaid calls.

External flows (the investors' money crossing the pool's boundary)
    in:  subscriptions (cash paid), contributions (cash paid).
    out: redemptions (proceeds paid), distributions (what investors received: for a
         waterfall the LP total). The GP's catch-up and carried interest paid out of a
         waterfall distribution (``carry_paid``) leave the pool too, but not to the
         investors: the time-weighted index counts them as paid out (carried interest is
         an allocation of the pool's return between LPs and GP, not a loss of the pool);
         the money-weighted figures, which are the LPs' own, do not.
    Fees, income, expenses, purchases, sales and valuations are not flows: they are the
    return.

Accrued carried interest (closed-ended pools with waterfall terms; reports.carry)
    The GP's share of a hypothetical liquidation of the pool's value through the waterfall,
    marked on the dates a report asks for (``carry_on``: its end; a statement's two ends)
    with the books as they stand on that date. The LPs' net asset value, value and
    money-weighted figures are net of it; the books' figures are before it.

Time-weighted index (one definition per kind; every return of the pool is a ratio of it)
    Open-ended: the unit price with distributions reinvested, linked at every entry,
    ``(P_after + distribution per unit) / P_before`` with P the NAV per unit (the launch
    price while no units are out, since that is what deals are struck at). A deal at NAV
    changes units, not the price, so it leaves the index; a distribution lowers the price
    by what it pays per unit, so it leaves it too: the total return (GIPS 2020).
    Closed-ended: sub-period returns of the value linked at every entry,
    ``(value_after - inflow + outflow + carry_paid) / value_before`` (the true TWR, flows
    at the entry's moment), before carried interest.
    Both start at 1.0 before the first entry, on the day before inception; a sub-period
    that starts with nothing at risk (no units, no positive value) has no return.

An investor's own index links their capital account (less unpaid calls) the same way at
every entry that touches it, counting the GP's share it bore as paid out, so a full exit
ends their return: after it nothing is at risk, and the last sub-period ends at the
proceeds.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from backend.finance import metrics
from backend.finance.money import Currency
from backend.finance.unitisation import nav_per_unit
from ledger.posting_rules import PoolTerms
from ledger.schemas import AccountCode, EntryOut, EntryType
from reports.carry import NO_CARRY, CarryAccrual, CarryBook

_ZERO = Decimal(0)

Line = tuple[AccountCode, int | None, Decimal]
Flow = tuple[date, Decimal, Decimal, Decimal]
"""(date, paid in, received, carried interest paid to the GP out of the investors' share)."""


@dataclass(frozen=True, slots=True)
class BookEntry:
    """One journal entry as the report service sees it: date, type, signed lines, workings."""

    id: int
    seq: int
    on: date
    entry_type: EntryType
    lines: tuple[Line, ...]
    details: Mapping[str, Any] = field(default_factory=dict)
    reverses_entry_id: int | None = None

    @classmethod
    def from_out(cls, entry: EntryOut) -> BookEntry:
        return cls(
            id=entry.id,
            seq=entry.seq,
            on=entry.effective_date,
            entry_type=entry.entry_type,
            lines=tuple((p.account, p.investor_id, p.amount) for p in entry.postings),
            details=entry.details,
            reverses_entry_id=entry.reverses_entry_id,
        )

    def touches(self, investor_id: int) -> bool:
        return any(inv == investor_id for _, inv, _ in self.lines)


def standing(entries: Iterable[BookEntry], cutoff: date) -> list[BookEntry]:
    """The entries that stand as of ``cutoff``, by (effective date, seq)."""
    within = [e for e in entries if e.on <= cutoff]
    ids = {e.id for e in within}
    dropped: set[int] = set()
    for e in within:
        if e.reverses_entry_id is not None and e.reverses_entry_id in ids:
            dropped |= {e.id, e.reverses_entry_id}
    return sorted((e for e in within if e.id not in dropped), key=lambda e: (e.on, e.seq))


def _cash(entry: BookEntry) -> Decimal:
    return sum((amount for code, _, amount in entry.lines if code is AccountCode.CASH), _ZERO)


def pool_flow(entry: BookEntry) -> tuple[Decimal, Decimal]:
    """(money in, money out) of the investors as a group, both >= 0, for one entry."""
    kind, details = entry.entry_type, entry.details
    if kind in (EntryType.SUBSCRIPTION, EntryType.CONTRIBUTION):
        return (Decimal(details["amount"]) if "amount" in details else max(_cash(entry), _ZERO)), _ZERO
    if kind is EntryType.REDEMPTION:
        return _ZERO, (Decimal(details["proceeds"]) if "proceeds" in details else max(-_cash(entry), _ZERO))
    if kind is EntryType.DISTRIBUTION:
        if not details:
            return _ZERO, max(-_cash(entry), _ZERO)
        return _ZERO, sum((received for _, received in investor_flows(entry).values()), _ZERO)
    return _ZERO, _ZERO


def investor_flows(entry: BookEntry) -> dict[int, tuple[Decimal, Decimal]]:
    """{investor: (paid in, received)} for one entry, from the rule's workings.

    An entry posted by hand (no workings) counts for the one investor its capital or
    receivable lines name, with the cash it moved."""
    kind, details = entry.entry_type, entry.details
    out: dict[int, tuple[Decimal, Decimal]] = {}

    def add(investor: int | str, paid: Decimal, received: Decimal) -> None:
        p, r = out.get(int(investor), (_ZERO, _ZERO))
        out[int(investor)] = (p + paid, r + received)

    if not details:
        holders = {inv for code, inv, _ in entry.lines if inv is not None}
        cash = _cash(entry)
        if len(holders) == 1 and kind in (EntryType.SUBSCRIPTION, EntryType.CONTRIBUTION) and cash > 0:
            add(holders.pop(), cash, _ZERO)
        elif len(holders) == 1 and kind in (EntryType.REDEMPTION, EntryType.DISTRIBUTION) and cash < 0:
            add(holders.pop(), _ZERO, -cash)
        return out
    if kind in (EntryType.SUBSCRIPTION, EntryType.CONTRIBUTION):
        add(details["investor_id"], Decimal(details["amount"]), _ZERO)
    elif kind is EntryType.REDEMPTION:
        add(details["investor_id"], _ZERO, Decimal(details["proceeds"]))
    elif kind is EntryType.DISTRIBUTION and details.get("mode") == "waterfall":
        for holder, share in details["investors"].items():
            add(holder, _ZERO, Decimal(share["total"]))
    elif kind is EntryType.DISTRIBUTION:
        for holder, part in details["allocation"].items():
            add(holder, _ZERO, Decimal(part))
    return out


class _Balances:
    """Running balances of the accounts the reports need."""

    def __init__(self) -> None:
        self.capital: dict[int | None, Decimal] = {}
        self.receivable: dict[int | None, Decimal] = {}
        self.units: dict[int | None, Decimal] = {}
        self.residue = _ZERO
        self.units_outstanding = _ZERO

    def apply(self, lines: Iterable[Line]) -> None:
        for code, investor, amount in lines:
            if code is AccountCode.CAPITAL:
                self.capital[investor] = self.capital.get(investor, _ZERO) - amount  # credit-normal
            elif code is AccountCode.CALL_RECEIVABLE:
                self.receivable[investor] = self.receivable.get(investor, _ZERO) + amount
            elif code is AccountCode.UNITS:
                self.units[investor] = self.units.get(investor, _ZERO) + amount
            elif code is AccountCode.ROUNDING_RESIDUE:
                self.residue -= amount
            elif code is AccountCode.UNITS_OUTSTANDING:
                self.units_outstanding -= amount

    @property
    def nav(self) -> Decimal:
        return sum(self.capital.values(), _ZERO) + self.residue

    @property
    def value(self) -> Decimal:
        return self.nav - sum(self.receivable.values(), _ZERO)

    def investor_value(self, investor: int) -> Decimal:
        return self.capital.get(investor, _ZERO) - self.receivable.get(investor, _ZERO)


def _growth(before: Decimal, after_less_flow: Decimal) -> float:
    """One sub-period's growth; 1.0 when no capital was at risk at its start."""
    if before <= 0:
        return 1.0
    return max(float(after_less_flow / before), 0.0)


def _capital_debit(entry: BookEntry, investor_id: int | None = None) -> Decimal:
    """What the entry took out of capital accounts (one investor's, or everyone's)."""
    return sum(
        (
            amount
            for code, inv, amount in entry.lines
            if code is AccountCode.CAPITAL and (investor_id is None or inv == investor_id)
        ),
        _ZERO,
    )


def carry_paid(entry: BookEntry, received: Decimal, investor_id: int | None = None) -> Decimal:
    """The GP's catch-up and carried interest a waterfall distribution took out of the capital
    accounts (the pool's, or one investor's) beyond the cash the investors received; 0 for
    any other entry (only a waterfall's workings say what the investors received)."""
    if entry.entry_type is not EntryType.DISTRIBUTION or entry.details.get("mode") != "waterfall":
        return _ZERO
    return max(_capital_debit(entry, investor_id) - received, _ZERO)


def _unit_price(nav: Decimal, units: Decimal, currency: Currency) -> Decimal | None:
    """NAV per unit, or None without units or without a positive net asset value."""
    if units <= 0 or nav <= 0:
        return None
    return nav_per_unit(nav, units, currency).nav_per_unit


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
        if not self.open_ended:
            return None
        point = self.at(on)
        if point is None or point.nav_per_unit is None:
            return self.initial_nav_per_unit if point is None or point.units == 0 else None
        return point.nav_per_unit

    def index_on(self, on: date) -> float:
        point = self.at(on)
        return point.index if point else 1.0

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


def pool_history(
    *,
    pool_id: int,
    open_ended: bool,
    currency: Currency,
    inception: date,
    initial_nav_per_unit: Decimal,
    entries: Iterable[BookEntry],
    as_of: date,
    terms: PoolTerms | None = None,
    carry_on: Iterable[date] = (),
) -> PoolHistory:
    """Replay the pool's standing entries as of ``as_of`` into a point per entry.

    With ``terms`` (the pool's posting terms, waterfall included) a closed-ended pool's
    accrued carried interest is marked at the close of each date of ``carry_on`` (up to
    ``as_of``), from the books as they stand then. Each mark runs the waterfall once, so
    only the dates a report shows are marked.
    """
    books = _Balances()
    carry = CarryBook(None if open_ended else terms)
    pending = sorted({d for d in carry_on if d <= as_of})
    marks: dict[date, CarryAccrual] = {}

    def mark_until(day: date | None) -> None:
        """Mark every pending date before ``day`` (all of them when None)."""
        while pending and (day is None or pending[0] < day):
            marks[pending[0]] = carry.accrual(books.value, pending[0]) if carry.active else NO_CARRY
            pending.pop(0)

    points: list[PoolPoint] = []
    index = 1.0
    for entry in standing(entries, as_of):
        mark_until(entry.on)
        value_before = books.value
        # While no units are out, deals are struck at the launch price.
        units_before = books.units_outstanding
        price_before = (
            _unit_price(books.nav, units_before, currency) if units_before > 0 else initial_nav_per_unit
        )
        books.apply(entry.lines)
        carry.add(entry.entry_type, entry.on, entry.details)
        inflow, outflow = pool_flow(entry)
        paid_to_gp = carry_paid(entry, outflow)
        units = books.units_outstanding
        price: Decimal | None = None
        per_unit = _ZERO
        if open_ended:
            price = _unit_price(books.nav, units, currency)
            if entry.entry_type is EntryType.DISTRIBUTION and units > 0:
                per_unit = outflow / units
            if price_before is not None and price is not None:
                index *= 1.0 + metrics.unit_price_total_return([price_before, price], [per_unit])
        else:
            index *= _growth(value_before, books.value - inflow + outflow + paid_to_gp)
        points.append(
            PoolPoint(
                entry_id=entry.id,
                seq=entry.seq,
                on=entry.on,
                entry_type=entry.entry_type,
                value_before=value_before,
                value=books.value,
                nav=books.nav,
                units=units,
                nav_per_unit=price,
                inflow=inflow,
                outflow=outflow,
                carry_paid=paid_to_gp,
                distribution_per_unit=per_unit,
                index=index,
            )
        )
    mark_until(None)
    return PoolHistory(
        pool_id=pool_id,
        open_ended=open_ended,
        currency=currency,
        inception=inception,
        initial_nav_per_unit=initial_nav_per_unit,
        as_of=as_of,
        points=tuple(points),
        carry=marks,
    )


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


def investor_history(
    entries: Sequence[BookEntry], *, investor_id: int, pool_id: int, as_of: date
) -> InvestorHistory:
    """Replay the standing entries that touch the investor's accounts."""
    books = _Balances()
    points: list[InvestorPoint] = []
    index = 1.0
    for entry in standing(entries, as_of):
        if not entry.touches(investor_id):
            continue
        before = books.investor_value(investor_id)
        books.apply(line for line in entry.lines if line[1] == investor_id)
        paid, received = investor_flows(entry).get(investor_id, (_ZERO, _ZERO))
        borne = carry_paid(entry, received, investor_id)
        after = books.investor_value(investor_id)
        index *= _growth(before, after - paid + received + borne)
        points.append(
            InvestorPoint(
                entry_id=entry.id,
                on=entry.on,
                entry_type=entry.entry_type,
                value_before=before,
                value=after,
                capital=books.capital.get(investor_id, _ZERO),
                receivable=books.receivable.get(investor_id, _ZERO),
                units=books.units.get(investor_id, _ZERO),
                paid_in=paid,
                received=received,
                carry_paid=borne,
                index=index,
            )
        )
    return InvestorHistory(investor_id=investor_id, pool_id=pool_id, as_of=as_of, points=tuple(points))
