"""Each share class's own history, replayed from the pool's journal (pure functions, no I/O).

A class is what its holders own together: its units and net assets are the sums of its
holders' units and capital accounts (an investor holds the class of its latest
subscription), its NAV per unit is its net assets at the latest valuation's rate over its
units, rounded half-even to 6 places (its launch price while it has none): the ledger's own
``class_position``, so the prices here are those the positions read shows and the deals
were struck at. The books are in the pool's currency; what a holder sees is in the class's,
so the class's prices, flows and value are in the class's currency (a deal's own workings
give its amount in it; anything else is converted at the latest rate).

The class's time-weighted index links ``(price after + distribution per unit) / price
before`` at every entry while the class has units on both sides of it: it telescopes to the
ratio of the two prices when nothing was distributed, so a class's return is exactly its
price's. A deal is at the price, so it moves the index only by the rounding of the units it
issued; a class emptied and launched again takes no return for the time it held nothing.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from backend.finance.money import get_currency, quantize_cash, quantize_nav_per_unit
from ledger.interface import EntryType
from reports.journal import Balances, BookEntry, Flow, investor_flows

_ZERO = Decimal(0)
_ONE = Fraction(1)
DEALS = frozenset({EntryType.SUBSCRIPTION, EntryType.REDEMPTION})


@dataclass(frozen=True, slots=True)
class ClassTerms:
    """What the reports need of a class's terms."""

    class_id: str
    name: str
    currency: str
    launch_price: Decimal


@dataclass(frozen=True, slots=True)
class ClassPoint:
    """The class after an entry that moved it."""

    on: date
    entry_type: EntryType
    units: Decimal
    net_assets: Decimal
    """In the pool's currency (the books)."""
    value: Decimal
    """The net assets in the class's currency, rounded once to its minor unit."""
    nav_per_unit: Decimal
    index: Fraction
    paid_in: Decimal
    received: Decimal
    """What the class's holders paid in and received by this entry, in the class's currency."""


@dataclass(frozen=True, slots=True)
class ClassHistory:
    terms: ClassTerms
    points: tuple[ClassPoint, ...] = ()
    _days: tuple[date, ...] = field(default=(), repr=False)

    def at(self, on: date) -> ClassPoint | None:
        i = bisect_right(self._days, on)
        return self.points[i - 1] if i else None

    def price_on(self, on: date) -> Decimal:
        point = self.at(on)
        return point.nav_per_unit if point else self.terms.launch_price

    def index_on(self, on: date) -> Fraction:
        point = self.at(on)
        return point.index if point else _ONE

    def ratio(self, base: date, end: date) -> float | None:
        """Growth over (base, end], less 1: exact until the one conversion to a float."""
        start = self.index_on(base)
        return float(self.index_on(end) / start) - 1.0 if start > 0 else None

    @property
    def track_start(self) -> date | None:
        """The day before the class first had units: its track record's base."""
        first = next((p.on for p in self.points if p.units > 0), None)
        return first - timedelta(days=1) if first else None

    def flows(self, end: date) -> list[Flow]:
        by_date: dict[date, tuple[Decimal, Decimal]] = {}
        for p in self.points:
            if p.on <= end and (p.paid_in or p.received):
                paid, received = by_date.get(p.on, (_ZERO, _ZERO))
                by_date[p.on] = (paid + p.paid_in, received + p.received)
        return [(on, paid, received, _ZERO) for on, (paid, received) in sorted(by_date.items())]

    def struck_prices(self, end: date) -> list[tuple[date, Decimal]]:
        """The price after the last entry of each date other than a deal that moved it: what
        a holder may see without learning of another holder's deal (a deal moves the price by
        the rounding of the units it issued or cancelled at most)."""
        out: dict[date, Decimal] = {}
        last = self.terms.launch_price
        for p in self.points:
            if p.on <= end and p.entry_type not in DEALS and p.nav_per_unit != last:
                out[p.on] = p.nav_per_unit
            last = p.nav_per_unit
        return sorted(out.items())


@dataclass
class _Running:
    terms: ClassTerms
    units: Decimal = _ZERO
    net_assets: Decimal = _ZERO
    price: Decimal = _ZERO
    index: Fraction = _ONE
    points: list[ClassPoint] = field(default_factory=list)


def _price(units: Decimal, net_assets: Decimal, rate: Decimal | None, terms: ClassTerms) -> Decimal:
    if units <= 0 or net_assets <= 0:
        return terms.launch_price
    return quantize_nav_per_unit(Fraction(net_assets) * Fraction(rate or 1) / Fraction(units))


def _in_class(amount: Decimal, rate: Decimal | None, currency: str) -> Decimal:
    if rate is None:
        return amount
    return quantize_cash(Fraction(amount) * Fraction(rate), get_currency(currency))


def _deal_amounts(entry: BookEntry) -> tuple[Decimal, Decimal] | None:
    """A deal's (paid in, received) in the class's currency, from its own workings."""
    dealt = entry.details.get("class_currency")
    if not isinstance(dealt, Mapping) or entry.entry_type not in DEALS:
        return None
    if entry.entry_type is EntryType.SUBSCRIPTION:
        return Decimal(str(dealt["amount"])), _ZERO
    return _ZERO, Decimal(str(dealt["proceeds"]))


def class_histories(
    entries: Sequence[BookEntry], classes: Sequence[ClassTerms], pool_currency: str
) -> tuple[dict[str, ClassHistory], dict[int, str]]:
    """Replay the standing entries (in order) into each class's history, and the class each
    investor holds at the end."""
    running = {c.class_id: _Running(c, price=c.launch_price) for c in classes}
    class_of: dict[int, str] = {}
    rates: dict[str, Decimal] = {}
    books = Balances()

    def rate_of(terms: ClassTerms) -> Decimal | None:
        return None if terms.currency == pool_currency else rates.get(terms.currency)

    def shift(investor: int, sign: int) -> None:
        held = running.get(class_of.get(investor, ""))
        units = books.units.get(investor, _ZERO)
        if held is not None and units > 0:
            held.units += sign * units
            held.net_assets += sign * books.capital.get(investor, _ZERO)

    for entry in entries:
        touched = {investor for _, investor, _ in entry.lines if investor is not None}
        before = {k: (r.units, r.price) for k, r in running.items()}
        for investor in touched:
            shift(investor, -1)
        books.apply(entry.lines)
        if entry.entry_type is EntryType.SUBSCRIPTION and entry.details.get("share_class"):
            class_of[int(entry.details["investor_id"])] = str(entry.details["share_class"])
        for code, rate in (entry.details.get("fx_rates") or {}).items():
            rates[str(code)] = Decimal(str(rate))
        for investor in touched:
            shift(investor, +1)
        moved: dict[str, tuple[Decimal, Decimal]] = {}
        dealt = _deal_amounts(entry)
        for investor, flow in investor_flows(entry).items():
            held = running.get(class_of.get(investor, ""))
            if held is None:
                continue
            rate = rate_of(held.terms)
            paid, received = dealt or (_in_class(x, rate, held.terms.currency) for x in flow)
            p, r = moved.get(held.terms.class_id, (_ZERO, _ZERO))
            moved[held.terms.class_id] = (p + paid, r + received)
        for class_id, held in running.items():
            units_before, price_before = before[class_id]
            rate = rate_of(held.terms)
            held.price = _price(held.units, held.net_assets, rate, held.terms)
            paid, received = moved.get(class_id, (_ZERO, _ZERO))
            if units_before > 0 and held.units > 0:
                paid_out = entry.entry_type is EntryType.DISTRIBUTION
                per_unit = Fraction(received) / Fraction(held.units) if paid_out else Fraction(0)
                held.index *= (Fraction(held.price) + per_unit) / Fraction(price_before)
            last = (
                (held.points[-1].units, held.points[-1].net_assets, held.points[-1].nav_per_unit)
                if held.points
                else (_ZERO, _ZERO, held.terms.launch_price)
            )
            if paid or received or last != (held.units, held.net_assets, held.price):
                held.points.append(
                    ClassPoint(
                        on=entry.on,
                        entry_type=entry.entry_type,
                        units=held.units,
                        net_assets=held.net_assets,
                        value=_in_class(held.net_assets, rate, held.terms.currency),
                        nav_per_unit=held.price,
                        index=held.index,
                        paid_in=paid,
                        received=received,
                    )
                )
    out = {
        class_id: ClassHistory(r.terms, tuple(r.points), tuple(p.on for p in r.points))
        for class_id, r in running.items()
    }
    return out, class_of
