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
         waterfall the LP total; the GP's catch-up and carry are a cost, like fees).
    Fees, income, expenses, purchases, sales and valuations are not flows: they are the
    return.

Time-weighted index
    Open-ended: NAV per unit / launch price (the unit-price return; a deal at NAV changes
    units, not the price). Closed-ended: sub-period returns linked at every entry,
    ``(value_after - flow) / value_before`` (the true TWR; flows at the entry's moment).
    Starts at 1.0 before the first entry, on the day before inception.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ledger.money import Currency
from ledger.schemas import AccountCode, EntryOut, EntryType
from ledger.unitisation import nav_per_unit

_ZERO = Decimal(0)

Line = tuple[AccountCode, int | None, Decimal]


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


@dataclass(frozen=True, slots=True)
class PoolPoint:
    """The pool after one entry."""

    entry_id: int
    seq: int
    on: date
    entry_type: EntryType
    value_before: Decimal
    value: Decimal
    nav: Decimal
    units: Decimal
    nav_per_unit: Decimal | None
    inflow: Decimal
    outflow: Decimal
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

    @property
    def track_start(self) -> date:
        """The day before inception: the track record's base (index 1.0 at its end)."""
        return self.inception - timedelta(days=1)

    def at(self, on: date) -> PoolPoint | None:
        """The last point on or before ``on`` (None before the first entry)."""
        i = bisect_right([p.on for p in self.points], on)
        return self.points[i - 1] if i else None

    def value_on(self, on: date) -> Decimal:
        point = self.at(on)
        return point.value if point else _ZERO

    def nav_on(self, on: date) -> Decimal:
        point = self.at(on)
        return point.nav if point else _ZERO

    def units_on(self, on: date) -> Decimal:
        point = self.at(on)
        return point.units if point else _ZERO

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

    def flows(self, end: date | None = None) -> list[tuple[date, Decimal, Decimal]]:
        """(date, money in, money out) per date with any external flow, up to ``end``."""
        by_date: dict[date, tuple[Decimal, Decimal]] = {}
        for p in self.points:
            if (end is None or p.on <= end) and (p.inflow or p.outflow):
                i, o = by_date.get(p.on, (_ZERO, _ZERO))
                by_date[p.on] = (i + p.inflow, o + p.outflow)
        return [(on, i, o) for on, (i, o) in sorted(by_date.items())]


def pool_history(
    *,
    pool_id: int,
    open_ended: bool,
    currency: Currency,
    inception: date,
    initial_nav_per_unit: Decimal,
    entries: Iterable[BookEntry],
    as_of: date,
) -> PoolHistory:
    """Replay the pool's standing entries as of ``as_of`` into a point per entry."""
    books = _Balances()
    points: list[PoolPoint] = []
    index = 1.0
    price: Decimal | None = initial_nav_per_unit
    for entry in standing(entries, as_of):
        before = books.value
        books.apply(entry.lines)
        inflow, outflow = pool_flow(entry)
        units = books.units_outstanding
        if open_ended:
            if units > 0 and books.nav > 0:
                price = nav_per_unit(books.nav, units, currency).nav_per_unit
                index = float(price / initial_nav_per_unit)
            else:
                price = None if units > 0 else price  # no units: the last price carries on
        else:
            index *= _growth(before, books.value - inflow + outflow)
        points.append(
            PoolPoint(
                entry_id=entry.id,
                seq=entry.seq,
                on=entry.on,
                entry_type=entry.entry_type,
                value_before=before,
                value=books.value,
                nav=books.nav,
                units=units,
                nav_per_unit=price if open_ended and units > 0 else None,
                inflow=inflow,
                outflow=outflow,
                index=index,
            )
        )
    return PoolHistory(
        pool_id=pool_id,
        open_ended=open_ended,
        currency=currency,
        inception=inception,
        initial_nav_per_unit=initial_nav_per_unit,
        as_of=as_of,
        points=tuple(points),
    )


@dataclass(frozen=True, slots=True)
class InvestorPoint:
    """One investor's stake after an entry that touched it."""

    entry_id: int
    on: date
    entry_type: EntryType
    value_before: Decimal
    value: Decimal
    capital: Decimal
    receivable: Decimal
    units: Decimal
    paid_in: Decimal
    received: Decimal

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
        point = self.at(on)
        return point.value if point else _ZERO

    @property
    def value(self) -> Decimal:
        return self.points[-1].value if self.points else _ZERO

    def cash_flows(self) -> list[tuple[date, Decimal]]:
        """The investor's cash flows (xirr's sign: negative paid in, positive received)."""
        return [(p.on, p.received - p.paid_in) for p in self.points if p.paid_in or p.received]

    @property
    def paid_in(self) -> Decimal:
        return sum((p.paid_in for p in self.points), _ZERO)

    @property
    def received(self) -> Decimal:
        return sum((p.received for p in self.points), _ZERO)

    @property
    def first_flow_on(self) -> date | None:
        return next((p.on for p in self.points if p.paid_in or p.received), None)


def investor_history(
    entries: Sequence[BookEntry], *, investor_id: int, pool_id: int, as_of: date
) -> InvestorHistory:
    """Replay the standing entries that touch the investor's accounts."""
    books = _Balances()
    points: list[InvestorPoint] = []
    for entry in standing(entries, as_of):
        if not entry.touches(investor_id):
            continue
        before = books.investor_value(investor_id)
        books.apply(line for line in entry.lines if line[1] == investor_id)
        paid, received = investor_flows(entry).get(investor_id, (_ZERO, _ZERO))
        points.append(
            InvestorPoint(
                entry_id=entry.id,
                on=entry.on,
                entry_type=entry.entry_type,
                value_before=before,
                value=books.investor_value(investor_id),
                capital=books.capital.get(investor_id, _ZERO),
                receivable=books.receivable.get(investor_id, _ZERO),
                units=books.units.get(investor_id, _ZERO),
                paid_in=paid,
                received=received,
            )
        )
    return InvestorHistory(investor_id=investor_id, pool_id=pool_id, as_of=as_of, points=tuple(points))
