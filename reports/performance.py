"""Performance of a pool and of an investor, from a replayed history (pure functions, no I/O).

Each function takes what reports.history rebuilt from the books (and a benchmark's levels)
and returns the report service's schemas, so the API, the portal and a snapshot task per
pool/investor and date all compute the same numbers the same way. The metrics themselves
are reports.metrics; this module only decides what goes into them:

* Pool TWR over (start, end]: open-ended, the unit-price return
  ``metrics.twr_from_prices([P(start), P(end)])`` with P the NAV per unit at the close of
  the date (the launch price before inception); closed-ended, ``metrics.twr`` of the value
  net of unpaid calls, with an event at every contribution and distribution.
* Period returns (MTD, QTD, YTD, 1Y, 3Y, 5Y, SI) from the pool's time-weighted index at the
  close of each base date and of ``end``; annualised only for 365 days or more (GIPS);
  a 1Y/3Y/5Y figure the track record does not cover is null.
* Risk from monthly returns of the index (month-end closes within (start, end]; a trailing
  partial month is left out), 12 periods a year, risk-free rate 0; the maximum drawdown
  and its dates from the index at the close of every date with an entry.
* Money-weighted: XIRR (act/365F) of the cash paid in (negative) and received (positive)
  plus the value at ``end``; TVPI, DPI, RVPI over the cash paid in. Since inception.
* Benchmark: the index's return over (start, end]; KS-PME via metrics.ks_pme with one
  period per flow date and ``end``; direct alpha as the XIRR of the index-compounded flows
  plus the value (the dated form of Gredil, Griffiths & Stucke 2014), an annual rate.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from reports import metrics
from reports.history import InvestorHistory, PoolHistory
from reports.schemas import (
    BenchmarkComparison,
    Drawdown,
    Frequency,
    InvestorPoolPerformance,
    MoneyWeighted,
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


def _clean(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) or math.isinf(value) else value


def month_end(on: date) -> date:
    first_next = date(on.year + (on.month == 12), on.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _previous_month_end(on: date) -> date:
    return on.replace(day=1) - timedelta(days=1)


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def month_ends(start: date, end: date) -> list[date]:
    """Month-end dates m with start <= m <= end."""
    out: list[date] = []
    current = month_end(start)
    while current <= end:
        out.append(current)
        current = month_end(current + timedelta(days=1))
    return out


# -- levels of a benchmark ---------------------------------------------------------------------


class Levels:
    """A benchmark's levels by date; the level on a date is the last one on or before it."""

    def __init__(self, benchmark_id: int, name: str, levels: Sequence[tuple[date, Decimal]]) -> None:
        self.benchmark_id = benchmark_id
        self.name = name
        ordered = sorted(levels)
        self._dates = [d for d, _ in ordered]
        self._levels = [v for _, v in ordered]

    def fingerprint(self) -> str:
        """Changes whenever a level is added or replaced: part of cached reports' keys."""
        digest = hashlib.sha256(repr((self.benchmark_id, self._dates, self._levels)).encode()).hexdigest()
        return digest[:16]

    def on(self, day: date) -> Decimal | None:
        i = bisect_right(self._dates, day)
        return self._levels[i - 1] if i else None


# -- returns -----------------------------------------------------------------------------------


def _index_return(history: PoolHistory, base: date, end: date) -> float | None:
    start_index = history.index_on(base)
    if start_index <= 0:
        return None
    return history.index_on(end) / start_index - 1.0


def pool_twr(history: PoolHistory, start: date, end: date) -> float | None:
    """The pool's time-weighted return over (start, end] (see the module docstring)."""
    if history.open_ended:
        first, last = history.nav_per_unit_on(start), history.nav_per_unit_on(end)
        if first is None or last is None:
            return _index_return(history, start, end)
        return metrics.twr_from_prices([first, last])
    events = [(p.on, p.value_before, p.flow) for p in history.between(start, end) if p.flow]
    try:
        return metrics.twr(history.value_on(start), events, history.value_on(end))
    except ValueError:  # value below zero before money came in (fees on commitments): link per entry
        return _index_return(history, start, end)


def period_returns(history: PoolHistory, end: date) -> list[PeriodReturn]:
    track = history.track_start
    quarter_start = date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    bases: list[tuple[str, date, bool]] = [
        ("MTD", _previous_month_end(end), True),
        ("QTD", quarter_start - timedelta(days=1), True),
        ("YTD", date(end.year - 1, 12, 31), True),
        ("1Y", _years_before(end, 1), False),
        ("3Y", _years_before(end, 3), False),
        ("5Y", _years_before(end, 5), False),
        ("SI", track, False),
    ]
    out = []
    for name, period_base, may_shorten in bases:
        base, partial = period_base, False
        if base < track and may_shorten:
            base, partial = track, True
        days = (end - base).days
        covered = base >= track and end > base
        cumulative = _index_return(history, base, end) if covered else None
        annualised = None
        if cumulative is not None and cumulative > -1:
            annualised = metrics.annualize(cumulative, days)
        out.append(
            PeriodReturn(
                name=name,
                start=base,
                end=end,
                days=days,
                cumulative=cumulative,
                annualised=annualised,
                partial=partial,
            )
        )
    return out


def risk(history: PoolHistory, start: date, end: date) -> Risk:
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
        volatility=_clean(metrics.volatility(monthly, MONTHS_PER_YEAR)) if enough else None,
        sharpe=_clean(metrics.sharpe(monthly, 0.0, MONTHS_PER_YEAR)) if enough else None,
        sortino=_clean(metrics.sortino(monthly, 0.0, MONTHS_PER_YEAR)) if enough else None,
        drawdown=drawdown,
    )


# -- money-weighted ----------------------------------------------------------------------------


def money_weighted(
    flows: Sequence[tuple[date, Decimal, Decimal]], value: Decimal, end: date
) -> MoneyWeighted | None:
    """From (date, paid in, received) and the value at ``end``; None when nothing moved."""
    flows = [f for f in flows if f[0] <= end]
    if not flows:
        return None
    paid_in = sum((f[1] for f in flows), _ZERO)
    received = sum((f[2] for f in flows), _ZERO)
    dates = [f[0] for f in flows] + [end]
    amounts = [float(r - p) for _, p, r in flows] + [float(value)]
    multiples: tuple[float | None, ...] = (None, None, None)
    if paid_in > 0:
        multiples = (
            metrics.tvpi(paid_in, received, value),
            metrics.dpi(paid_in, received, value),
            metrics.rvpi(paid_in, received, value),
        )
    return MoneyWeighted(
        paid_in=paid_in,
        received=received,
        value=value,
        irr=_clean(metrics.xirr(dates, amounts)),
        tvpi=multiples[0],
        dpi=multiples[1],
        rvpi=multiples[2],
    )


def benchmark_comparison(
    levels: Levels, flows: Sequence[tuple[date, Decimal, Decimal]], value: Decimal, start: date, end: date
) -> BenchmarkComparison:
    first, last = levels.on(start), levels.on(end)
    period = float(last / first) - 1.0 if first and last else None
    out = BenchmarkComparison(
        benchmark_id=levels.benchmark_id,
        name=levels.name,
        period_return=period,
        ks_pme=None,
        direct_alpha=None,
    )
    flows = [f for f in flows if f[0] <= end]
    if not flows or sum((f[1] for f in flows), _ZERO) <= 0:
        return out.model_copy(update={"note": "no money paid in: no PME"})
    dates = [f[0] for f in flows]
    paid = [float(f[1]) for f in flows]
    received = [float(f[2]) for f in flows]
    if dates[-1] != end:
        dates, paid, received = [*dates, end], [*paid, 0.0], [*received, 0.0]
    index = [levels.on(d) for d in dates]
    missing = [d for d, level in zip(dates, index, strict=True) if level is None]
    if missing:
        return out.model_copy(update={"note": f"the benchmark has no level on or before {missing[0]}"})
    floats = [float(level) for level in index if level is not None]
    ks = metrics.ks_pme(paid, received, float(value), floats)
    growth = [floats[-1] / level for level in floats]
    compounded = [(r - p) * g for p, r, g in zip(paid, received, growth, strict=True)]
    compounded[-1] += float(value)
    alpha = metrics.xirr(dates, compounded)
    return out.model_copy(update={"ks_pme": _clean(ks), "direct_alpha": _clean(alpha)})


# -- the reports ---------------------------------------------------------------------------------


def pool_performance(
    history: PoolHistory,
    *,
    kind: str,
    start: date,
    end: date,
    benchmark: Levels | None = None,
) -> PoolPerformance:
    """Everything the performance page shows for one pool, as of ``history.as_of``."""
    point = history.at(end)
    twr = pool_twr(history, start, end)
    flows = history.flows(end)
    value = history.value_on(end)
    price = history.nav_per_unit_on(end)
    return PoolPerformance(
        pool_id=history.pool_id,
        kind=kind,
        currency=history.currency.code,
        as_of=history.as_of,
        start=start,
        end=end,
        method="unit_price" if history.open_ended else "linked_valuations",
        net_asset_value=point.nav if point else _ZERO,
        value=value,
        units_outstanding=point.units if point else _ZERO,
        nav_per_unit=price,
        twr=_clean(twr),
        twr_annualised=metrics.annualize(twr, (end - start).days) if twr is not None and twr > -1 else None,
        periods=period_returns(history, end),
        risk=risk(history, start, end),
        money_weighted=money_weighted(flows, value, end),
        benchmark=benchmark_comparison(benchmark, flows, value, start, end) if benchmark else None,
        entries=len([p for p in history.points if p.on <= end]),
    )


def investor_pool_performance(
    investor: InvestorHistory, pool: PoolHistory, *, kind: str, end: date
) -> InvestorPoolPerformance:
    point = investor.at(end)
    value = investor.value_on(end)
    flows = [(p.on, p.paid_in, p.received) for p in investor.points if p.paid_in or p.received]
    first = investor.first_flow_on
    twr: float | None = None
    pool_return: float | None = None
    if first is not None and first <= end:
        events = [(p.on, p.value_before, p.flow) for p in investor.points if p.flow and p.on <= end]
        try:
            twr = metrics.twr(0, events, value)
        except ValueError:
            twr = None
        first_entry = next(p.entry_id for p in investor.points if p.paid_in or p.received)
        position = next((i for i, p in enumerate(pool.points) if p.entry_id == first_entry), None)
        if position is not None:
            base = pool.points[position - 1].index if position else 1.0
            if base > 0:
                pool_return = pool.index_on(end) / base - 1.0
    days = (end - first).days if first is not None else 0
    return InvestorPoolPerformance(
        pool_id=investor.pool_id,
        kind=kind,
        currency=pool.currency.code,
        units=point.units if point else _ZERO,
        capital_account=point.capital if point else _ZERO,
        first_flow_date=first,
        money_weighted=money_weighted(flows, value, end),
        twr=_clean(twr),
        twr_annualised=metrics.annualize(twr, days) if twr is not None and twr > -1 else None,
        pool_twr=_clean(pool_return),
    )


def nav_history(history: PoolHistory, *, start: date, end: date, frequency: Frequency) -> NavHistory:
    if frequency is Frequency.DAILY:
        samples = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    else:
        samples = month_ends(start, end)
        if not samples or samples[-1] != end:
            samples.append(end)
    flows = history.flows(end)
    points: list[NavPoint] = []
    previous = start - timedelta(days=1)
    cursor = 0
    for day in samples:
        inflow = outflow = _ZERO
        while cursor < len(flows) and flows[cursor][0] <= day:
            on, i, o = flows[cursor]
            if on > previous:
                inflow, outflow = inflow + i, outflow + o
            cursor += 1
        point = history.at(day)
        points.append(
            NavPoint(
                date=day,
                net_asset_value=point.nav if point else _ZERO,
                value=point.value if point else _ZERO,
                units_outstanding=point.units if point else _ZERO,
                nav_per_unit=history.nav_per_unit_on(day),
                index=history.index_on(day),
                inflow=inflow,
                outflow=outflow,
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
    )
