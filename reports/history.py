"""Rebuild a pool's history, and an investor's, from the journal (pure functions, no I/O).

The books are the only source: every figure here is a sum of postings. The report service
reads a pool's entries through the ledger service (never its tables), turns them into
:class:`BookEntry` values and replays them here; a snapshot task can do the same per pool
and date. Which entries stand as of a cut-off, their order, the values (nav, value, an
investor's stake) and the external flows are reports.journal's; this module replays them
into a point per entry and links the time-weighted index (the points, and how a report reads
them, are reports.history_points').

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
    Closed-ended, and an open-ended pool with share classes (its units are priced per class,
    so no one price is the pool's: a deal in a class priced 1,000 beside one priced 100
    would move an average of the two with no gain or loss): sub-period returns of the value
    linked at every entry,
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

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from backend.finance import metrics
from backend.finance.investor_terms import InvestorTerms
from backend.finance.money import Currency
from backend.finance.unitisation import nav_per_unit
from ledger.interface import EntryType, PoolTerms
from reports.carry import NO_CARRY, CarryAccrual, CarryBook
from reports.class_history import ClassTerms, class_histories
from reports.history_points import MEASURED_RETURN, InvestorHistory, InvestorPoint, PoolHistory, PoolPoint
from reports.journal import (
    Balances,
    BookEntry,
    Flow,
    Line,
    carry_paid,
    investor_flows,
    pool_flow,
    standing,
)

# The journal's names the replay's callers (statements, tests, the service) have always
# imported from here, before they moved to reports.journal; the points, before they moved to
# reports.history_points.
__all__ = [
    "MEASURED_RETURN",
    "BookEntry",
    "Flow",
    "InvestorHistory",
    "InvestorPoint",
    "Line",
    "PoolHistory",
    "PoolPoint",
    "carry_paid",
    "investor_flows",
    "investor_history",
    "pool_flow",
    "pool_history",
    "standing",
]

_ZERO = Decimal(0)


def _growth(before: Decimal, after_less_flow: Decimal) -> float:
    """One sub-period's growth; 1.0 when no capital was at risk at its start."""
    if before <= 0:
        return 1.0
    return max(float(after_less_flow / before), 0.0)


def _unit_price(nav: Decimal, units: Decimal, currency: Currency) -> Decimal | None:
    """NAV per unit, or None without units or without a positive net asset value."""
    if units <= 0 or nav <= 0:
        return None
    return nav_per_unit(nav, units, currency).nav_per_unit


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
    investor_terms: Mapping[int, InvestorTerms] | None = None,
    share_classes: Sequence[ClassTerms] = (),
    commitments: Mapping[int, Decimal] | None = None,
) -> PoolHistory:
    """Replay the pool's standing entries as of ``as_of`` into a point per entry.

    With ``terms`` (the pool's posting terms, waterfall included) a closed-ended pool's
    accrued carried interest is marked at the close of each date of ``carry_on`` (up to
    ``as_of``), from the books as they stand then, with ``investor_terms`` (side letters)
    lowering some investors' carry as a distribution would (an American pool's deals are
    funded pro rata to ``commitments``, as the ledger funds them). Each mark runs the waterfall
    once, so only the dates a report shows are marked. With ``share_classes`` (the pool's
    classes) the pool's index is its linked value and each class gets its own history.
    """
    books = Balances()
    carry = CarryBook(None if open_ended else terms, investor_terms, commitments)
    pending = sorted({d for d in carry_on if d <= as_of})
    marks: dict[date, CarryAccrual] = {}

    def mark_until(day: date | None) -> None:
        """Mark every pending date before ``day`` (all of them when None)."""
        while pending and (day is None or pending[0] < day):
            marks[pending[0]] = carry.accrual(books.value, pending[0]) if carry.active else NO_CARRY
            pending.pop(0)

    points: list[PoolPoint] = []
    index = 1.0
    unit_priced = open_ended and not share_classes
    replayed = standing(entries, as_of)
    for entry in replayed:
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
        if unit_priced:
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
    classes, class_of = class_histories(replayed, share_classes, currency.code) if share_classes else ({}, {})
    return PoolHistory(
        pool_id=pool_id,
        open_ended=open_ended,
        unit_priced=unit_priced,
        currency=currency,
        inception=inception,
        initial_nav_per_unit=initial_nav_per_unit,
        as_of=as_of,
        points=tuple(points),
        carry=marks,
        classes=classes,
        class_of=class_of,
    )


def investor_history(
    entries: Sequence[BookEntry], *, investor_id: int, pool_id: int, as_of: date
) -> InvestorHistory:
    """Replay the standing entries that touch the investor's accounts."""
    books = Balances()
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
