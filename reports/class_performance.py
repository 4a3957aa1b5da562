"""Each share class's figures, from its own history (pure, no I/O; reports.class_history).

Time-weighted, in the class's own currency: its return over (start, end] is its index at the
close of end over that at the close of start, less 1, which is its NAV per unit at end over
that at start when it paid nothing out (a euro class's return is the euro investor's, the
rate's moves included, a hedged class's hedge result too). As for the pool: no valuation in
(start, end], no return (null, not 0%); annualised only for 365 days or more; MTD ... SI
from the day before the class first had units.

Money-weighted, in the class's currency too: its holders' subscriptions, redemption proceeds
and distributions, and the class's net assets at end, as reports.money_weighted computes the
pool's (IRR, TVPI, DPI, RVPI; classes accrue no carried interest).

An investor sees only the price-based figures of its own class (:func:`held_class`): the
class's units, net assets and flows are the other holders' positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from backend.finance import metrics
from reports.class_history import ClassHistory, ClassTerms
from reports.history import PoolHistory
from reports.money_weighted import finite, money_weighted
from reports.periods import periods_of
from reports.schemas import ClassPerformance, ClassPricePoint, HeldClass, PeriodReturn

_ZERO = Decimal(0)


def _history(history: PoolHistory, terms: ClassTerms) -> ClassHistory:
    return history.classes.get(terms.class_id) or ClassHistory(terms)


def class_nav_per_unit(history: PoolHistory, classes: Sequence[ClassTerms], on: date) -> dict[str, Decimal]:
    """Each class's NAV per unit at the close of ``on``."""
    return {c.class_id: _history(history, c).price_on(on) for c in classes}


def _periods(history: PoolHistory, own: ClassHistory, end: date) -> list[PeriodReturn]:
    track = own.track_start
    if track is None or track >= end:
        return []
    return periods_of(own.ratio, track, history.last_valuation_on(end), end)


def class_performance(
    history: PoolHistory, classes: Sequence[ClassTerms], start: date, end: date
) -> list[ClassPerformance]:
    """Each class's figures over (start, end] (see the module docstring)."""
    valued = history.last_valuation_on(end)
    out = []
    for terms in classes:
        own = _history(history, terms)
        track = own.track_start
        base = max(start, track) if track is not None else end
        twr = own.ratio(start, end) if base < end and valued is not None and valued > start else None
        days = (end - base).days
        point = own.at(end)
        out.append(
            ClassPerformance(
                class_id=terms.class_id,
                name=terms.name,
                currency=terms.currency,
                units=point.units if point else _ZERO,
                net_asset_value=point.net_assets if point else _ZERO,
                nav_per_unit=own.price_on(end),
                twr=finite(twr),
                twr_annualised=metrics.annualize(twr, days) if twr is not None and twr > -1 else None,
                periods=_periods(history, own, end),
                money_weighted=money_weighted(own.flows(end), point.value if point else _ZERO, end),
            )
        )
    return out


def held_class(history: PoolHistory, investor_id: int, end: date) -> HeldClass | None:
    """The class the investor holds at ``history.as_of``, as the investor may see it; None in a
    pool without classes."""
    class_id = history.class_of.get(investor_id)
    own = history.classes.get(class_id) if class_id is not None else None
    if own is None:
        return None
    terms = own.terms
    return HeldClass(
        class_id=terms.class_id,
        name=terms.name,
        currency=terms.currency,
        nav_per_unit=own.price_on(end),
        periods=_periods(history, own, end),
        prices=[ClassPricePoint(date=on, nav_per_unit=price) for on, price in own.struck_prices(end)],
    )
