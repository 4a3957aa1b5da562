"""Performance, private-markets and risk metrics as pure functions (no I/O).

Every function here is deterministic and side-effect free; the conventions below
are part of the contract and are pinned by ``tests/unit/reports/test_metrics.py``.

Inputs and outputs
    Numbers may be ``float``, ``int``, ``Decimal`` or anything ``float()`` accepts
    (numpy scalars too); they are converted with ``float()`` and every result is a
    ``float`` (or ``None`` / NaN where a function says so). Nothing is rounded.
    Invalid input (mismatched lengths, NaN in cash flows, a date outside the
    period, no paid-in capital, zero average capital) raises ``ValueError``;
    the scalar risk functions let a NaN return propagate instead.

Dates
    A date is a ``datetime.date`` (``datetime`` and ``pandas.Timestamp`` are dates
    and are truncated to whole days) or an ISO-8601 string ``"YYYY-MM-DD"``.

Sign conventions
    * Investor cash flows (``xirr``, ``xnpv``, ``irr``, ``ln_pme`` amounts):
      negative = paid in by the investor (contribution, purchase),
      positive = received by the investor (distribution, redemption, final value).
    * Portfolio flows (``modified_dietz``, ``twr``): the portfolio's view,
      positive = money entering the portfolio (subscription),
      negative = money leaving it (redemption, paid-out income).
    * PE multiples and KS-PME / direct alpha take contributions and distributions
      as separate non-negative amounts (a negative one raises ``ValueError``).

Money-weighted returns (IRR family)
    * ``xirr`` / ``xnpv`` use Excel's act/365F: ``t = (date - earliest date) days
      / 365`` with annual compounding, ``NPV(r) = sum a_i (1 + r) ** -t_i``; the
      earliest date is not discounted; leap days are not special; the order of
      the flows is irrelevant and same-day flows are netted before solving.
    * ``irr`` is periodic: flow ``i`` is at ``t = i`` periods; the rate is per period.
    * No solution -> ``None``: fewer than two distinct dates with a non-zero net
      flow, or all net flows of one sign (this includes a total loss such as
      ``[-100, 0]``, whose only limit is -100%: it is *not* reported as -1.0).
    * Which root: the solver works in ``s = ln(1 + r)`` (so ``r > -1`` always).
      With exactly one sign change in the time-ordered net flows the IRR is
      unique (Laguerre's extension of Descartes' rule of signs) and is
      found by Newton's method safeguarded by bisection on a bracket
      (``rtsafe``): it cannot diverge and it stops at the float resolution of the
      exact root (~1e-15). With several sign changes there may be several IRRs:
      the one returned is the root **closest to ``guess``** (default 0.1, Excel's
      default), found by scanning a grid of ``s`` (steps of 0.02 / horizon in
      years or periods while ``|s * horizon| <= 40``, then 0.5% geometric steps)
      and polishing each sign change the same way. Roots where the NPV only
      touches zero, or two roots within one grid step, may be missed; if no
      root is found the result is ``None``. A rate too large for a float
      (``ln(1 + r) >= 709``) or nearer to -100% than float resolution
      (``1 + r`` rounds to 0) is ``None``.

Time-weighted and holding-period returns
    * ``twr`` links sub-period returns geometrically; a sub-period ends just
      before each external flow (``value_before_flow``) and the next starts from
      ``value_before_flow + flow``. Event dates only order the events.
    * ``modified_dietz``: ``(end - begin - sum F) / (begin + sum w_i F_i)`` with
      ``w_i = (end - date_i) / (end - start)`` in calendar days (a flow on the
      start date counts fully, one on the end date not at all).
    * ``link``: ``prod(1 + r_i) - 1``.
    * ``unit_price_total_return``: ``prod((P_i + d_i) / P_(i-1)) - 1``, a unit price
      series with the distributions per unit paid in each sub-period reinvested (the
      total return of a distributing unitised fund, GIPS 2020).
    * ``annualize``: ``(1 + R) ** (365 / days) - 1`` on an actual/365 basis, and
      ``None`` for periods shorter than 365 days because GIPS forbids
      annualising returns for periods under one year (so a 365-day year
      qualifies, and a 366-day leap year too).

Private markets (per period)
    * ``dpi = D / C``, ``rvpi = NAV / C``, ``tvpi = (D + NAV) / C`` with C and D
      the sums of contributions and distributions (scalars or sequences).
    * ``ks_pme`` (Kaplan-Schoar): every flow is carried to the last period by
      ``index[-1] / index[t]``; ``(sum FV(D) + NAV) / sum FV(C)``.
    * ``direct_alpha`` (Gredil, Griffiths & Stucke 2014): the periodic IRR of the
      index-compounded net flows ``(D_t - C_t) * index[-1] / index[t]`` with NAV
      added at the last period. It is a rate per period of the index series
      (quarterly index -> quarterly alpha); ``math.log1p(alpha)`` gives the
      continuously compounded version and ``(1 + alpha) ** periods_per_year - 1``
      the annual one.
    * ``ln_pme`` (Long-Nickels): the periodic IRR of the actual flows with the
      fund NAV replaced by the PME NAV of an index portfolio that mirrors them.
    * These return NaN when the IRR they need does not exist.

Risk (quantstats / empyrical conventions)
    * ``volatility = std(r, ddof=1) * sqrt(periods_per_year)``.
    * ``sharpe = mean(r - rf) / std(r - rf, ddof=1) * sqrt(periods_per_year)``;
      ``risk_free`` is a rate *per period* subtracted from each return (quantstats
      instead takes an annual rate and de-annualises it).
    * ``sortino = mean(r - MAR) / DD * sqrt(periods_per_year)`` with downside
      deviation ``DD = sqrt(mean(min(r - MAR, 0) ** 2))`` over *all* observations.
    * ``max_drawdown`` is measured on compounded wealth ``prod(1 + r)`` starting
      from 1.0, so a first-period loss is a drawdown; result in [-1, 0] for
      returns >= -100%. ``max_drawdown_window`` gives (peak, trough, recovery)
      as wealth-path indices: 0 is the start, ``i`` is after ``returns[i - 1]``.
    * ``cagr = (1 + link(r)) ** (periods_per_year / n) - 1`` and
      ``calmar = cagr / |max_drawdown|`` follow quantstats and do not apply the
      GIPS one-year rule (use ``annualize`` for reported returns).
    * Ratios with a zero or undefined denominator (fewer than 2 observations,
      zero deviation) are NaN, as in quantstats.

Vectorised variants (``*_many``)
    Take a 2-D array (series x periods; a 1-D array is one series) and return a
    1-D array with one value per series. NaN marks a missing observation (for
    example before a fund's inception): each row's result equals the scalar
    function applied to that row with its NaNs removed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from typing import SupportsFloat, TypeAlias

import numpy as np
import numpy.typing as npt

Number: TypeAlias = SupportsFloat
DateLike: TypeAlias = date | str
FloatArray: TypeAlias = npt.NDArray[np.float64]
Amounts: TypeAlias = Number | Iterable[Number]
_Sized: TypeAlias = Sequence[object] | FloatArray

__all__ = [
    "annualize",
    "cagr",
    "calmar",
    "direct_alpha",
    "downside_deviation",
    "dpi",
    "irr",
    "ks_pme",
    "link",
    "link_many",
    "ln_pme",
    "ln_pme_nav",
    "max_drawdown",
    "max_drawdown_many",
    "max_drawdown_window",
    "modified_dietz",
    "rvpi",
    "sharpe",
    "sharpe_many",
    "sortino",
    "sortino_many",
    "tvpi",
    "twr",
    "twr_from_prices",
    "twr_from_prices_many",
    "unit_price_total_return",
    "volatility",
    "volatility_many",
    "xirr",
    "xnpv",
]

DAYS_PER_YEAR = 365.0
"""Day-count basis of xirr/xnpv (Excel act/365F) and of ``annualize``."""

DEFAULT_GUESS = 0.1
"""Excel's default IRR guess; picks the root when several exist."""

_SCAN_HALF_WIDTH = 40.0
_SCAN_STEP = 0.02
_SCAN_GROWTH = 1.005
_SCAN_CHUNK_ELEMENTS = 1 << 20
# ln(1 + r) outside these bounds gives r == -1.0 or r == inf in floats.
_MIN_LOG_RATE = -36.0
_MAX_LOG_RATE = 709.0
_MAX_BRACKET_LOG_RATE = 2048.0
_MAX_ITERATIONS = 300
_STEP_TOLERANCE = 1e-15
# Same-day netting can leave float dust (e.g. 0.1 + 0.2 - 0.3); treating it as a
# real flow would add a spurious sign change.
_NETTING_DUST = 1e-12


# --------------------------------------------------------------------------- #
# Input conversion
# --------------------------------------------------------------------------- #


def _to_float(value: Number, name: str) -> float:
    result = float(value)
    if math.isnan(result):
        raise ValueError(f"{name} is NaN")
    return result


def _vector(values: Iterable[Number], name: str) -> FloatArray:
    if isinstance(values, np.ndarray):
        array = np.asarray(values, dtype=np.float64)
    else:
        array = np.array([float(v) for v in values], dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    return array


def _finite_vector(values: Iterable[Number], name: str) -> FloatArray:
    array = _vector(values, name)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _day_number(value: DateLike) -> int:
    if isinstance(value, str):
        return date.fromisoformat(value[:10]).toordinal()
    return value.toordinal()


def _same_length(name_a: str, a: _Sized, name_b: str, b: _Sized) -> None:
    if len(a) != len(b):
        raise ValueError(f"{name_a} and {name_b} differ in length: {len(a)} != {len(b)}")


# --------------------------------------------------------------------------- #
# IRR solver (shared by xirr, irr, direct_alpha, ln_pme)
# --------------------------------------------------------------------------- #


def _scaled_npv(log_rate: float, times: FloatArray, amounts: FloatArray) -> tuple[float, float]:
    """NPV and its derivative in s = ln(1 + r), both times one positive factor.

    The factor keeps the largest discount term at 1 so nothing overflows however
    extreme s is; signs, roots and the Newton ratio f/f' are unaffected.
    """
    exponents = -times * log_rate
    terms = amounts * np.exp(exponents - exponents.max())
    return float(terms.sum()), float(-(terms * times).sum())


def _polish_root(times: FloatArray, amounts: FloatArray, lo: float, hi: float, start: float) -> float:
    """Root in s inside a sign-changing bracket: Newton safeguarded by bisection.

    A Newton step that would leave the bracket, or that fails to shrink it fast
    enough, is replaced by a bisection step (Numerical Recipes' rtsafe), so the
    iteration converges quadratically near the root and can never diverge.
    """
    f_lo, _ = _scaled_npv(lo, times, amounts)
    if f_lo == 0.0:
        return lo
    f_hi, _ = _scaled_npv(hi, times, amounts)
    if f_hi == 0.0:
        return hi
    if f_lo > 0.0:
        lo, hi = hi, lo
    x = start if min(lo, hi) < start < max(lo, hi) else 0.5 * (lo + hi)
    previous_step = step = abs(hi - lo)
    f, df = _scaled_npv(x, times, amounts)
    for _ in range(_MAX_ITERATIONS):
        newton_leaves_bracket = ((x - hi) * df - f) * ((x - lo) * df - f) > 0.0
        newton_too_slow = abs(2.0 * f) > abs(previous_step * df)
        previous_step = step
        if newton_leaves_bracket or newton_too_slow:
            step = 0.5 * (hi - lo)
            x = lo + step
        else:
            step = f / df
            x -= step
        if abs(step) <= _STEP_TOLERANCE * (1.0 + abs(x)):
            return x
        f, df = _scaled_npv(x, times, amounts)
        if f == 0.0:
            return x
        if f < 0.0:
            lo = x
        else:
            hi = x
    return x


def _sign_changes(amounts: FloatArray) -> int:
    signs = np.sign(amounts)
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


def _unique_root(times: FloatArray, amounts: FloatArray, start: float) -> float | None:
    """The only root when the time-ordered flows change sign exactly once.

    Below the root the NPV has the sign of the latest flow, above it that of the
    earliest, so doubling a bracket outwards from zero must capture it.
    """
    sign_low, sign_high = np.sign(amounts[-1]), np.sign(amounts[0])
    lo, hi = -0.5, 0.5
    while np.sign(_scaled_npv(lo, times, amounts)[0]) not in (sign_low, 0.0):
        if lo < -_MAX_BRACKET_LOG_RATE:
            return None
        lo, hi = 2.0 * lo, lo
    while np.sign(_scaled_npv(hi, times, amounts)[0]) not in (sign_high, 0.0):
        if hi > _MAX_BRACKET_LOG_RATE:
            return None
        lo, hi = hi, 2.0 * hi
    return _polish_root(times, amounts, lo, hi, start)


def _scan_grid(horizon: float) -> FloatArray:
    """Log-rates to scan: fine steps of total log-growth over the flows' horizon
    near zero, then 0.5% geometric steps out to the float limits of r."""
    fine = np.arange(-_SCAN_HALF_WIDTH, _SCAN_HALF_WIDTH + _SCAN_STEP / 2, _SCAN_STEP) / horizon
    edge = _SCAN_HALF_WIDTH / horizon
    outward = edge * _SCAN_GROWTH ** np.arange(1, 1 + math.ceil(math.log(1e6) / math.log(_SCAN_GROWTH)))
    grid = np.concatenate((-outward[::-1], fine, outward))
    within: FloatArray = grid[(grid >= _MIN_LOG_RATE) & (grid <= _MAX_LOG_RATE)]
    return within


def _scan_roots(times: FloatArray, amounts: FloatArray) -> list[float]:
    """All roots in s found between sign changes on a grid (several-IRR case)."""
    grid = _scan_grid(float(times[-1] - times[0]))
    signs = np.empty_like(grid)
    # Chunks bound the (grid x flows) temporary for accounts with thousands of flows.
    chunk = max(1, _SCAN_CHUNK_ELEMENTS // times.size)
    for first in range(0, grid.size, chunk):
        exponents = -np.outer(grid[first : first + chunk], times)
        exponents -= exponents.max(axis=1, keepdims=True)
        signs[first : first + chunk] = np.sign(np.exp(exponents) @ amounts)
    roots = [float(s) for s in grid[signs == 0.0]]
    for i in np.flatnonzero(signs[:-1] * signs[1:] < 0.0):
        lo, hi = float(grid[i]), float(grid[i + 1])
        roots.append(_polish_root(times, amounts, lo, hi, 0.5 * (lo + hi)))
    return roots


def _solve_rate(times: FloatArray, amounts: FloatArray, guess: float) -> float | None:
    """IRR of flows at ``times`` (strictly increasing) per unit of time, or None."""
    if amounts.size < 2 or np.all(amounts > 0.0) or np.all(amounts < 0.0):
        return None
    scale = float(np.abs(amounts).max())
    amounts = amounts / scale
    start = math.log1p(guess) if guess > -1.0 else 0.0
    if _sign_changes(amounts) == 1:
        root = _unique_root(times, amounts, start)
        candidates = [] if root is None else [root]
    else:
        candidates = _scan_roots(times, amounts)
    rates = [r for r in (math.expm1(s) for s in candidates if s < _MAX_LOG_RATE) if r > -1.0]
    if not rates:
        return None
    return min(rates, key=lambda r: abs(r - guess))


def _net_by_day(dates: Sequence[DateLike], amounts: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Same-day flows summed (exactly, with fsum) and zero nets dropped: (days, nets)."""
    days = [_day_number(d) for d in dates]
    by_day: dict[int, list[float]] = {}
    for day, amount in zip(days, amounts.tolist(), strict=True):
        by_day.setdefault(day, []).append(amount)
    largest = float(np.abs(amounts).max()) if amounts.size else 0.0
    ordered = sorted((day, math.fsum(values)) for day, values in by_day.items())
    kept = [(day, net) for day, net in ordered if abs(net) > _NETTING_DUST * largest]
    return (
        np.array([day for day, _ in kept], dtype=np.float64),
        np.array([net for _, net in kept], dtype=np.float64),
    )


# --------------------------------------------------------------------------- #
# Money-weighted returns
# --------------------------------------------------------------------------- #


def xnpv(rate: Number, dates: Sequence[DateLike], amounts: Iterable[Number]) -> float:
    """Net present value at an annual ``rate`` on act/365F, as Excel's XNPV.

    Each flow is discounted by ``(1 + rate) ** ((date - earliest date) / 365)``,
    so the earliest flow is not discounted. ``rate`` must exceed -1.
    """
    r = _to_float(rate, "rate")
    if r <= -1.0:
        raise ValueError("rate must be greater than -1")
    values = _finite_vector(amounts, "amounts")
    _same_length("dates", dates, "amounts", values)
    if values.size == 0:
        return 0.0
    days = np.array([_day_number(d) for d in dates], dtype=np.float64)
    years = (days - days.min()) / DAYS_PER_YEAR
    return float(np.sum(values * np.exp(-years * math.log1p(r))))


def xirr(dates: Sequence[DateLike], amounts: Iterable[Number], guess: float = DEFAULT_GUESS) -> float | None:
    """Annual IRR of dated flows on act/365F, as Excel's XIRR; None if none exists.

    Same-day flows are netted and order is irrelevant. See the module docstring
    for which root is returned when there are several.
    """
    values = _finite_vector(amounts, "amounts")
    _same_length("dates", dates, "amounts", values)
    days, nets = _net_by_day(dates, values)
    if nets.size < 2:
        return None
    return _solve_rate((days - days[0]) / DAYS_PER_YEAR, nets, guess)


def irr(amounts: Iterable[Number], guess: float = DEFAULT_GUESS) -> float | None:
    """Periodic IRR of flows one period apart (flow i at t = i), as Excel's IRR.

    None when there is no solution; with several roots, the one closest to
    ``guess``.
    """
    values = _finite_vector(amounts, "amounts")
    nonzero = np.flatnonzero(values)
    return _solve_rate(nonzero.astype(np.float64), values[nonzero], guess)


def modified_dietz(
    begin_value: Number,
    end_value: Number,
    flows: Iterable[tuple[DateLike, Number]],
    start: DateLike,
    end: DateLike,
) -> float:
    """Modified Dietz holding-period return over [start, end].

    Flows are portfolio flows (inflow positive), each weighted by
    ``(end - date) / (end - start)`` in calendar days.
    """
    first, last = _day_number(start), _day_number(end)
    if last <= first:
        raise ValueError("end must be after start")
    begin = _to_float(begin_value, "begin_value")
    net_flow = 0.0
    weighted_flow = 0.0
    for when, amount in flows:
        day = _day_number(when)
        if not first <= day <= last:
            raise ValueError(f"flow dated {when} is outside the period")
        value = _to_float(amount, "flow")
        net_flow += value
        weighted_flow += value * (last - day) / (last - first)
    average_capital = begin + weighted_flow
    if average_capital == 0.0:
        raise ValueError("average capital is zero: modified Dietz return is undefined")
    return (_to_float(end_value, "end_value") - begin - net_flow) / average_capital


# --------------------------------------------------------------------------- #
# Time-weighted and holding-period returns
# --------------------------------------------------------------------------- #


def _sub_period_growth(start_value: float, end_value: float) -> float:
    if start_value == 0.0:
        if end_value == 0.0:
            # Nothing invested (e.g. before the launch subscription): no return.
            return 1.0
        raise ValueError("a sub-period starts at zero value but ends with value")
    return end_value / start_value


def twr(
    begin_value: Number,
    events: Iterable[tuple[DateLike, Number, Number]],
    end_value: Number,
) -> float:
    """True time-weighted return (cumulative, not annualised).

    ``events`` are ``(date, value_before_flow, flow)``: the portfolio value just
    before a portfolio flow (inflow positive) on that date. Events are taken in
    date order (stable for equal dates). A sub-period that starts and ends at
    zero value contributes no return, so a fund may start from 0 with a launch
    subscription event whose ``value_before_flow`` is 0.
    """
    ordered = sorted(events, key=lambda event: _day_number(event[0]))
    growth = 1.0
    start_value = _to_float(begin_value, "begin_value")
    for _, before, flow in ordered:
        value_before = _to_float(before, "value_before_flow")
        growth *= _sub_period_growth(start_value, value_before)
        start_value = value_before + _to_float(flow, "flow")
    growth *= _sub_period_growth(start_value, _to_float(end_value, "end_value"))
    return growth - 1.0


def twr_from_prices(prices: Iterable[Number]) -> float:
    """Return of a unit price (NAV per unit) series: ``last / first - 1``."""
    values = _finite_vector(prices, "prices")
    if values.size == 0:
        raise ValueError("prices is empty")
    return float(values[-1] / values[0] - 1.0)


def unit_price_total_return(prices: Iterable[Number], distributions: Iterable[Number]) -> float:
    """Total return of a unit price series with distributions reinvested (GIPS 2020).

    ``prices`` are ``P_0 .. P_n`` (NAV per unit at the end of each sub-period, ``P_0`` at
    the start) and ``distributions`` ``d_1 .. d_n`` the cash paid per unit in each
    sub-period, at its end (the price ``P_i`` is after it): the sub-period returns
    ``(P_i + d_i) / P_(i-1) - 1`` are linked geometrically. With no distributions this is
    ``twr_from_prices``; ignoring a distribution would count it as a loss.
    """
    values = _finite_vector(prices, "prices")
    paid = _finite_vector(distributions, "distributions")
    if values.size == 0:
        raise ValueError("prices is empty")
    if paid.size != values.size - 1:
        raise ValueError(f"distributions: need one per sub-period ({values.size - 1}), got {paid.size}")
    if np.any(values[:-1] <= 0.0):
        raise ValueError("prices: a sub-period must start at a positive price")
    return float(np.prod((values[1:] + paid) / values[:-1]) - 1.0)


def link(returns: Iterable[Number]) -> float:
    """Geometric linking of sub-period returns: ``prod(1 + r) - 1``."""
    values = _vector(returns, "returns")
    return float(np.prod(1.0 + values) - 1.0)


def annualize(
    cumulative_return: Number, days: Number, *, days_per_year: float = DAYS_PER_YEAR
) -> float | None:
    """``(1 + R) ** (365 / days) - 1``; None for periods shorter than a year (GIPS)."""
    period = _to_float(days, "days")
    if period < days_per_year:
        return None
    growth = 1.0 + _to_float(cumulative_return, "cumulative_return")
    if growth < 0.0:
        raise ValueError("cannot annualise a loss of more than 100%")
    return float(growth ** (days_per_year / period) - 1.0)


# --------------------------------------------------------------------------- #
# Private-markets multiples and PMEs
# --------------------------------------------------------------------------- #


def _non_negative_total(amounts: Amounts, name: str) -> float:
    values = list(amounts) if isinstance(amounts, Iterable) else [amounts]
    floats = [_to_float(v, name) for v in values]
    if any(v < 0.0 for v in floats):
        raise ValueError(f"{name} must be given as non-negative amounts")
    return math.fsum(floats)


def _paid_in(contributions: Amounts) -> float:
    total = _non_negative_total(contributions, "contributions")
    if total == 0.0:
        raise ValueError("no contributions: the multiple is undefined")
    return total


def dpi(contributions: Amounts, distributions: Amounts, nav: Number) -> float:
    """Distributions to paid-in: ``sum(distributions) / sum(contributions)``."""
    _to_float(nav, "nav")
    return _non_negative_total(distributions, "distributions") / _paid_in(contributions)


def rvpi(contributions: Amounts, distributions: Amounts, nav: Number) -> float:
    """Residual value to paid-in: ``nav / sum(contributions)``."""
    _non_negative_total(distributions, "distributions")
    return _to_float(nav, "nav") / _paid_in(contributions)


def tvpi(contributions: Amounts, distributions: Amounts, nav: Number) -> float:
    """Total value to paid-in: ``(sum(distributions) + nav) / sum(contributions)``."""
    total_value = _non_negative_total(distributions, "distributions") + _to_float(nav, "nav")
    return total_value / _paid_in(contributions)


def _index_growth_to_end(index: Iterable[Number], periods: int) -> FloatArray:
    levels = _finite_vector(index, "index")
    if levels.size != periods:
        raise ValueError(f"index has {levels.size} levels, expected {periods}")
    if np.any(levels <= 0.0):
        raise ValueError("index levels must be positive")
    growth: FloatArray = levels[-1] / levels
    return growth


def _aligned_flows(
    contributions: Iterable[Number], distributions: Iterable[Number]
) -> tuple[FloatArray, FloatArray]:
    paid_in = _finite_vector(contributions, "contributions")
    paid_out = _finite_vector(distributions, "distributions")
    _same_length("contributions", paid_in, "distributions", paid_out)
    if paid_in.size == 0:
        raise ValueError("no periods")
    if np.any(paid_in < 0.0) or np.any(paid_out < 0.0):
        raise ValueError("contributions and distributions must be non-negative amounts")
    return paid_in, paid_out


def ks_pme(
    contributions: Iterable[Number],
    distributions: Iterable[Number],
    nav: Number,
    index: Iterable[Number],
) -> float:
    """Kaplan-Schoar PME: index-compounded (distributions + nav) / contributions.

    All three sequences are aligned per period; ``nav`` is at the last period.
    Each flow at period t is scaled by ``index[-1] / index[t]``.
    """
    paid_in, paid_out = _aligned_flows(contributions, distributions)
    growth = _index_growth_to_end(index, paid_in.size)
    future_paid_in = float(np.sum(paid_in * growth))
    if future_paid_in == 0.0:
        raise ValueError("no contributions: KS-PME is undefined")
    return (float(np.sum(paid_out * growth)) + _to_float(nav, "nav")) / future_paid_in


def direct_alpha(
    contributions: Iterable[Number],
    distributions: Iterable[Number],
    nav: Number,
    index: Iterable[Number],
) -> float:
    """Direct alpha per period: IRR of index-compounded net flows plus nav; NaN if none.

    Continuous version: ``math.log1p(direct_alpha(...))``.
    """
    paid_in, paid_out = _aligned_flows(contributions, distributions)
    future_values = (paid_out - paid_in) * _index_growth_to_end(index, paid_in.size)
    future_values[-1] += _to_float(nav, "nav")
    alpha = irr(future_values)
    return math.nan if alpha is None else alpha


def ln_pme_nav(amounts: Iterable[Number], index: Iterable[Number]) -> float:
    """Long-Nickels PME NAV at the valuation date (index has len(amounts) + 1 levels).

    ``pme_nav_t = pme_nav_{t-1} * index_t / index_{t-1} - amount_t`` from 0, then
    carried to the valuation date; negative amounts (paid in) buy the index.
    It can be negative when the fund distributed more than the index earned.
    """
    flows = _finite_vector(amounts, "amounts")
    levels = _finite_vector(index, "index")
    if levels.size != flows.size + 1:
        raise ValueError("index must have exactly one more level than amounts")
    if np.any(levels <= 0.0):
        raise ValueError("index levels must be positive")
    pme_nav = 0.0
    for t, amount in enumerate(flows.tolist()):
        growth = levels[t] / levels[t - 1] if t else 1.0
        pme_nav = pme_nav * float(growth) - amount
    return pme_nav * float(levels[-1] / levels[-2])


def ln_pme(amounts: Iterable[Number], nav: Number, index: Iterable[Number]) -> float:
    """Long-Nickels PME: periodic IRR of the flows ending in the PME NAV; NaN if none.

    ``amounts`` are the fund's net flows per period (negative = paid in) and
    ``index`` has one more level, the last at the valuation date (period
    ``len(amounts)``). By construction the fund's own ``nav`` does not enter the
    PME rate (the PME NAV replaces it); it is validated and is what the rate is
    compared with: the fund IRR is ``irr([*amounts, nav])`` and the LN-PME spread
    is that minus this.
    """
    _to_float(nav, "nav")
    flows = _finite_vector(amounts, "amounts")
    rate = irr([*flows.tolist(), ln_pme_nav(flows, index)])
    return math.nan if rate is None else rate


# --------------------------------------------------------------------------- #
# Risk metrics (scalar)
# --------------------------------------------------------------------------- #


def _wealth_path(returns: FloatArray) -> FloatArray:
    wealth: FloatArray = np.concatenate(([1.0], np.cumprod(1.0 + returns)))
    return wealth


def max_drawdown(returns: Iterable[Number]) -> float:
    """Largest peak-to-trough fall of compounded wealth starting at 1.0 (<= 0)."""
    wealth = _wealth_path(_vector(returns, "returns"))
    return float(np.min(wealth / np.maximum.accumulate(wealth) - 1.0))


def max_drawdown_window(returns: Iterable[Number]) -> tuple[int, int, int | None]:
    """``(peak, trough, recovery)`` of the maximum drawdown as wealth-path indices.

    Index 0 is the starting wealth 1.0 before the first return and index ``i``
    is the wealth after ``returns[i - 1]``; with ``dates[i]`` the date of
    ``returns[i]``, index ``i >= 1`` is ``dates[i - 1]``. The trough is the first
    lowest point, the peak the last time the running high was set before it, and
    recovery the first index back at or above that high (None if not yet).
    Without any drawdown the result is ``(0, 0, None)``.
    """
    wealth = _wealth_path(_vector(returns, "returns"))
    drawdowns = wealth / np.maximum.accumulate(wealth) - 1.0
    trough = int(np.argmin(drawdowns))
    if drawdowns[trough] >= 0.0:
        return 0, 0, None
    high = float(np.max(wealth[: trough + 1]))
    peak = int(np.flatnonzero(wealth[: trough + 1] == high)[-1])
    recovered = np.flatnonzero(wealth[trough + 1 :] >= high)
    recovery = int(recovered[0]) + trough + 1 if recovered.size else None
    return peak, trough, recovery


def volatility(returns: Iterable[Number], periods_per_year: float = 252) -> float:
    """Annualised sample volatility: ``std(r, ddof=1) * sqrt(periods_per_year)``."""
    values = _vector(returns, "returns")
    if values.size < 2:
        return math.nan
    return float(np.std(values, ddof=1)) * math.sqrt(periods_per_year)


def downside_deviation(
    returns: Iterable[Number], required_return: float = 0.0, periods_per_year: float = 252
) -> float:
    """``sqrt(mean(min(r - MAR, 0) ** 2)) * sqrt(periods_per_year)`` over all obs.

    ``periods_per_year=1`` gives the per-period figure.
    """
    shortfall = np.minimum(_vector(returns, "returns") - required_return, 0.0)
    if shortfall.size == 0:
        return math.nan
    return math.sqrt(float(np.mean(shortfall * shortfall))) * math.sqrt(periods_per_year)


def sharpe(returns: Iterable[Number], risk_free: float = 0.0, periods_per_year: float = 252) -> float:
    """Annualised Sharpe ratio; ``risk_free`` is a per-period rate. NaN if std is 0."""
    excess = _vector(returns, "returns") - risk_free
    if excess.size < 2:
        return math.nan
    deviation = float(np.std(excess, ddof=1))
    if deviation == 0.0:
        return math.nan
    return float(np.mean(excess)) / deviation * math.sqrt(periods_per_year)


def sortino(returns: Iterable[Number], required_return: float = 0.0, periods_per_year: float = 252) -> float:
    """Annualised Sortino ratio with downside deviation over all observations."""
    excess = _vector(returns, "returns") - required_return
    downside = downside_deviation(excess, 0.0, 1)
    if not downside > 0.0:
        return math.nan
    return float(np.mean(excess)) / downside * math.sqrt(periods_per_year)


def cagr(returns: Iterable[Number], periods_per_year: float = 252) -> float:
    """``(1 + link(r)) ** (periods_per_year / n) - 1`` as quantstats' CAGR.

    Unlike ``annualize`` this does not refuse short periods; use ``annualize``
    for anything reported under GIPS.
    """
    values = _vector(returns, "returns")
    if values.size == 0:
        return math.nan
    return float((1.0 + link(values)) ** (periods_per_year / values.size) - 1.0)


def calmar(returns: Iterable[Number], periods_per_year: float = 252) -> float:
    """``cagr / |max_drawdown|``; NaN without a drawdown."""
    values = _vector(returns, "returns")
    drawdown = max_drawdown(values)
    if drawdown == 0.0:
        return math.nan
    return cagr(values, periods_per_year) / abs(drawdown)


# --------------------------------------------------------------------------- #
# Vectorised risk metrics (rows = series, columns = periods, NaN = missing)
# --------------------------------------------------------------------------- #


def _matrix(values: npt.ArrayLike) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2:
        raise ValueError("expected a 2-D array (series x periods)")
    return array


def _row_sum_of_squares(values: FloatArray) -> FloatArray:
    squares: FloatArray = np.einsum("ij,ij->i", values, values)
    return squares


def _row_mean_std(values: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per-row (count, mean, sample std) over non-NaN entries; NaN where undefined."""
    observed = ~np.isnan(values)
    if observed.all():
        # The common case (no gaps) skips the masking passes: ~3x faster.
        count = np.full(values.shape[0], float(values.shape[1]))
        mean = values.mean(axis=1)
        deviation = values - mean[:, np.newaxis]
    else:
        count = observed.sum(axis=1).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(observed, values, 0.0).sum(axis=1) / count
        deviation = np.where(observed, values - mean[:, np.newaxis], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        std = np.sqrt(_row_sum_of_squares(deviation) / (count - 1.0))
    std[count < 2] = np.nan
    return count, mean, std


def _safe_ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio: FloatArray = np.where(denominator > 0.0, numerator / denominator, np.nan)
    return ratio


def _minus(values: FloatArray, rate: float) -> FloatArray:
    return values - rate if rate else values


def link_many(returns: npt.ArrayLike) -> FloatArray:
    """``link`` per row; a missing return is no return."""
    growth = 1.0 + _matrix(returns)
    if np.isnan(growth).any():
        np.copyto(growth, 1.0, where=np.isnan(growth))
    linked: FloatArray = np.prod(growth, axis=1) - 1.0
    return linked


def volatility_many(returns: npt.ArrayLike, periods_per_year: float = 252) -> FloatArray:
    """``volatility`` per row."""
    _, _, std = _row_mean_std(_matrix(returns))
    result: FloatArray = std * math.sqrt(periods_per_year)
    return result


def sharpe_many(returns: npt.ArrayLike, risk_free: float = 0.0, periods_per_year: float = 252) -> FloatArray:
    """``sharpe`` per row."""
    _, mean, std = _row_mean_std(_minus(_matrix(returns), risk_free))
    return _safe_ratio(mean, std) * math.sqrt(periods_per_year)


def sortino_many(
    returns: npt.ArrayLike, required_return: float = 0.0, periods_per_year: float = 252
) -> FloatArray:
    """``sortino`` per row."""
    excess = _minus(_matrix(returns), required_return)
    count, mean, _ = _row_mean_std(excess)
    shortfall = np.fmin(excess, 0.0)  # fmin maps a missing (NaN) return to no shortfall
    with np.errstate(invalid="ignore", divide="ignore"):
        downside = np.sqrt(_row_sum_of_squares(shortfall) / count)
    return _safe_ratio(mean, downside) * math.sqrt(periods_per_year)


_ROW_BLOCK = 32


def max_drawdown_many(returns: npt.ArrayLike) -> FloatArray:
    """``max_drawdown`` per row (wealth from 1.0; a missing return leaves it flat)."""
    values = _matrix(returns)
    result = np.zeros(values.shape[0])
    # Blocks of rows keep the wealth and peak temporaries in cache: ~2x faster
    # than whole-matrix passes for thousands of long series.
    for first in range(0, values.shape[0], _ROW_BLOCK):
        wealth = np.add(values[first : first + _ROW_BLOCK], 1.0)
        wealth[np.isnan(wealth)] = 1.0
        np.cumprod(wealth, axis=1, out=wealth)
        peak = np.maximum.accumulate(wealth, axis=1)
        np.maximum(peak, 1.0, out=peak)
        np.divide(wealth, peak, out=peak)
        if peak.shape[1]:
            result[first : first + _ROW_BLOCK] = np.minimum(peak.min(axis=1) - 1.0, 0.0)
    return result


def twr_from_prices_many(prices: npt.ArrayLike) -> FloatArray:
    """``twr_from_prices`` per row: last observed / first observed unit price - 1."""
    values = _matrix(prices)
    observed = ~np.isnan(values)
    rows = np.arange(values.shape[0])
    first = np.argmax(observed, axis=1)
    last = values.shape[1] - 1 - np.argmax(observed[:, ::-1], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = values[rows, last] / values[rows, first] - 1.0
    result[~observed.any(axis=1)] = np.nan
    return result
