"""Performance of a pool and of an investor, from a replayed history (pure functions, no I/O).

Each function takes what reports.history rebuilt from the books (and a benchmark's levels)
and returns the report service's schemas, so the API, the portal and a snapshot task per
pool/investor and date all compute the same numbers the same way. The metrics themselves
are backend.finance.metrics; this module only decides what goes into them. The
time-weighted figures are here; the money-weighted ones and the benchmark comparison
(XIRR, multiples, KS-PME, direct alpha, net and gross of carried interest) are
reports.money_weighted's:

* Pool TWR over (start, end]: one definition, the ratio of the pool's time-weighted index
  at the close of ``end`` to that at the close of ``start`` (reports.history): open-ended,
  the unit price with distributions per unit reinvested (a total return, GIPS 2020);
  closed-ended, the value linked at every entry with the GP's share of distributions paid
  out of the pool like the LPs' (carried interest is an allocation of the pool's return
  between LPs and GP, not a loss of the pool). The period returns, risk and drawdown read
  the same index, so ``twr`` over the track record and ``periods.SI`` are one number.
* Period returns (MTD, QTD, YTD, 1Y, 3Y, 5Y, SI) from the index at the close of each base
  date and of ``end``; annualised only for 365 days or more (GIPS); a 1Y/3Y/5Y figure the
  track record does not cover is null.
* Risk from monthly returns of the index (month-end closes within (start, end]; a trailing
  partial month is left out), 12 periods a year, risk-free rate 0; the maximum drawdown
  and its dates from the index at the close of every date with an entry.
* The pool's money-weighted figures and benchmark comparison are on the investors' net
  flows and value; the LPs' net asset value and value are net of accrued carried interest
  too.
* An investor: their own index (reports.history) from their first flow, before carried
  interest like the pool's; if they hold nothing any more their return ends at their exit
  (the last flow), and the pool's return beside it runs over the same dates. Their
  money-weighted figures are net of their part of the accrued carried interest.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from backend.finance import metrics
from reports.class_history import ClassTerms
from reports.class_performance import class_nav_per_unit, class_performance, held_class
from reports.history import InvestorHistory, PoolHistory
from reports.money_weighted import Levels, benchmark_comparison, finite, money_weighted
from reports.periods import periods_of
from reports.schemas import (
    ClassLabel,
    Drawdown,
    Frequency,
    InvestorPoolPerformance,
    NavHistory,
    NavPoint,
    PeriodReturn,
    PoolPerformance,
    Risk,
)

_ZERO = Decimal(0)
MONTHS_PER_YEAR = 12
MAX_DAILY_POINTS = 20_000
_RECOVERY_TOLERANCE = 1e-12
PER_UNIT_PLACES = Decimal("0.000001")


def month_end(on: date) -> date:
    first_next = date(on.year + (on.month == 12), on.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def month_ends(start: date, end: date) -> list[date]:
    """Month-end dates m with start <= m <= end."""
    out: list[date] = []
    current = month_end(start)
    while current <= end:
        out.append(current)
        current = month_end(current + timedelta(days=1))
    return out


# -- returns -----------------------------------------------------------------------------------


def _index_return(history: PoolHistory, base: date, end: date) -> float | None:
    start_index = history.index_on(base)
    if start_index <= 0:
        return None
    return history.index_on(end) / start_index - 1.0


def pool_twr(history: PoolHistory, start: date, end: date) -> float | None:
    """The pool's time-weighted return over (start, end]: the ratio of its index (see the
    module docstring)."""
    return _index_return(history, start, end)


def _annualised(cumulative: float | None, days: int) -> float | None:
    return metrics.annualize(cumulative, days) if cumulative is not None and cumulative > -1 else None


def period_returns(history: PoolHistory, end: date) -> list[PeriodReturn]:
    """The pool's MTD ... SI (reports.periods), from its index."""
    return periods_of(
        lambda base, to: _index_return(history, base, to),
        history.track_start,
        history.last_valuation_on(end),
        end,
    )


def risk(history: PoolHistory, start: date, end: date) -> Risk:
    """Monthly risk and the drawdown up to the last valuation: the months after it would be
    flat (or fee-only) returns that understate volatility, and a pool never valued has none."""
    valued = history.last_valuation_on(end)
    end = max(start, valued) if valued is not None else start
    samples = [start] + [m for m in month_ends(start, end) if m > start]
    levels = [history.index_on(d) for d in samples]
    monthly = [b / a - 1.0 for a, b in itertools.pairwise(levels) if a > 0]
    enough = len(monthly) >= 2
    # Drawdown on every date with an entry.
    dates = [start, *sorted({p.on for p in history.between(start, end)})]
    path = [history.index_on(d) for d in dates]
    steps = [b / a - 1.0 for a, b in itertools.pairwise(path) if a > 0]
    drawdown = Drawdown(max_drawdown=None, peak_date=None, trough_date=None, recovery_date=None)
    if steps and len(steps) == len(path) - 1:
        peak, trough, _ = metrics.max_drawdown_window(steps)
        # Recovery on the index itself: compounding the steps again could miss it by an ulp.
        high = path[peak] * (1 - _RECOVERY_TOLERANCE)
        later = range(trough + 1, len(path)) if trough else range(0)
        recovery = next((i for i in later if path[i] >= high), None)
        drawdown = Drawdown(
            max_drawdown=metrics.max_drawdown(steps),
            peak_date=dates[peak] if trough else None,
            trough_date=dates[trough] if trough else None,
            recovery_date=dates[recovery] if recovery is not None else None,
        )
    return Risk(
        frequency="monthly",
        observations=len(monthly),
        volatility=finite(metrics.volatility(monthly, MONTHS_PER_YEAR)) if enough else None,
        sharpe=finite(metrics.sharpe(monthly, 0.0, MONTHS_PER_YEAR)) if enough else None,
        sortino=finite(metrics.sortino(monthly, 0.0, MONTHS_PER_YEAR)) if enough else None,
        drawdown=drawdown,
    )


# -- the reports ---------------------------------------------------------------------------------


def pool_performance(
    history: PoolHistory,
    *,
    kind: str,
    start: date,
    end: date,
    benchmark: Levels | None = None,
    classes: Sequence[ClassTerms] = (),
) -> PoolPerformance:
    """Everything the performance page shows for one pool, as of ``history.as_of``; the
    history must have marked accrued carried interest on ``end`` (``carry_on``)."""
    point = history.at(end)
    valued = history.last_valuation_on(end)
    # No valuation in (start, end]: nothing was measured, so no return (not 0%).
    twr = pool_twr(history, start, end) if valued is not None and valued > start else None
    flows = history.flows(end)
    accrued = history.carry_on(end).total
    value = history.net_value_on(end)
    gross_nav = point.nav if point else _ZERO
    return PoolPerformance(
        pool_id=history.pool_id,
        kind=kind,
        currency=history.currency.code,
        as_of=history.as_of,
        start=start,
        end=end,
        method="unit_price" if history.priced_per_unit else "linked_valuations",
        net_asset_value=gross_nav - accrued,
        value=value,
        accrued_carried_interest=accrued,
        gross_net_asset_value=gross_nav,
        gross_value=history.value_on(end),
        units_outstanding=point.units if point else _ZERO,
        nav_per_unit=history.nav_per_unit_on(end),
        twr=finite(twr),
        twr_annualised=_annualised(twr, (end - start).days),
        periods=period_returns(history, end),
        risk=risk(history, start, end),
        money_weighted=money_weighted(flows, value, end, accrued_carry=accrued),
        benchmark=benchmark_comparison(benchmark, flows, value, start, end) if benchmark else None,
        entries=len([p for p in history.points if p.on <= end]),
        last_valuation_date=valued,
        share_classes=class_performance(history, classes, start, end),
    )


def investor_pool_performance(
    investor: InvestorHistory, pool: PoolHistory, *, kind: str, end: date
) -> InvestorPoolPerformance:
    """One investor's figures in one pool. Their TWR is their own index (reports.history)
    from their first flow to ``end``, or to their exit if they hold nothing any more; the
    pool's return beside it runs over the same dates. ``pool`` must have marked accrued
    carried interest on ``end``: the investor's money-weighted figures are net of their part."""
    point = investor.at(end)
    first = investor.first_flow_on
    exited = investor.exited_on(end)
    measured_to = exited or end
    twr: float | None = None
    pool_return: float | None = None
    if first is not None and first <= end:
        twr = investor.index_on(measured_to) - 1.0
        first_entry = next(p.entry_id for p in investor.points if p.paid_in or p.received)
        position = next((i for i, p in enumerate(pool.points) if p.entry_id == first_entry), None)
        if position is not None:
            base = pool.points[position - 1].index if position else 1.0
            if base > 0:
                pool_return = pool.index_on(measured_to) / base - 1.0
    days = (measured_to - first).days if first is not None else 0
    accrued = pool.carry_on(end).of(investor.investor_id)
    value = investor.value_on(end) - accrued
    return InvestorPoolPerformance(
        pool_id=investor.pool_id,
        kind=kind,
        currency=pool.currency.code,
        units=point.units if point else _ZERO,
        capital_account=point.capital if point else _ZERO,
        accrued_carried_interest=accrued,
        first_flow_date=first,
        exit_date=exited,
        money_weighted=money_weighted(investor.flows(end), value, end, accrued_carry=accrued),
        twr=finite(twr),
        twr_annualised=_annualised(twr, days),
        pool_twr=finite(pool_return),
        share_class=held_class(pool, investor.investor_id, end),
    )


def nav_history(
    history: PoolHistory,
    *,
    start: date,
    end: date,
    frequency: Frequency,
    classes: Sequence[ClassTerms] = (),
) -> NavHistory:
    """The pool at the close of each day (or month end, and ``end``) from ``start``: the
    books' values, the time-weighted index every return is read from, and what moved in and
    out (and was paid per unit) during each step; in a pool with share classes, each class's
    NAV per unit (the pool has none)."""
    if frequency is Frequency.DAILY:
        samples = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    else:
        samples = month_ends(start, end)
        if not samples or samples[-1] != end:
            samples.append(end)
    points: list[NavPoint] = []
    previous = start - timedelta(days=1)
    moves = [p for p in history.points if p.on <= end]
    cursor = 0
    for day in samples:
        inflow = outflow = per_unit = _ZERO
        while cursor < len(moves) and moves[cursor].on <= day:
            move = moves[cursor]
            if move.on > previous:
                inflow, outflow = inflow + move.inflow, outflow + move.outflow
                per_unit += move.distribution_per_unit
            cursor += 1
        point = history.at(day)
        points.append(
            NavPoint(
                date=day,
                net_asset_value=point.nav if point else _ZERO,
                value=point.value if point else _ZERO,
                units_outstanding=point.units if point else _ZERO,
                nav_per_unit=history.nav_per_unit_on(day),
                # Shown to the places of a NAV per unit; the index links the exact figure.
                distributions_per_unit=(
                    per_unit.quantize(PER_UNIT_PLACES) if history.priced_per_unit else None
                ),
                index=history.index_on(day),
                inflow=inflow,
                outflow=outflow,
                class_nav_per_unit=class_nav_per_unit(history, classes, day),
            )
        )
        previous = day
    return NavHistory(
        pool_id=history.pool_id,
        currency=history.currency.code,
        frequency=frequency,
        start=start,
        end=end,
        points=points,
        last_valuation_date=history.last_valuation_on(end),
        share_classes=[ClassLabel(class_id=c.class_id, name=c.name, currency=c.currency) for c in classes],
    )
