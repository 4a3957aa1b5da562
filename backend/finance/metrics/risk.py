"""Scalar risk metrics on a return series (quantstats / empyrical conventions).

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
  zero deviation) are NaN, as in quantstats; a NaN return propagates.

The vectorised ``*_many`` variants are in :mod:`backend.finance.metrics.vectorised`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from backend.finance.metrics._inputs import FloatArray, Number, vector
from backend.finance.metrics.holding_period import link

__all__ = [
    "cagr",
    "calmar",
    "downside_deviation",
    "max_drawdown",
    "max_drawdown_window",
    "sharpe",
    "sortino",
    "volatility",
]


def _wealth_path(returns: FloatArray) -> FloatArray:
    wealth: FloatArray = np.concatenate(([1.0], np.cumprod(1.0 + returns)))
    return wealth


def max_drawdown(returns: Iterable[Number]) -> float:
    """Largest peak-to-trough fall of compounded wealth starting at 1.0 (<= 0)."""
    wealth = _wealth_path(vector(returns, "returns"))
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
    wealth = _wealth_path(vector(returns, "returns"))
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
    values = vector(returns, "returns")
    if values.size < 2:
        return math.nan
    return float(np.std(values, ddof=1)) * math.sqrt(periods_per_year)


def downside_deviation(
    returns: Iterable[Number], required_return: float = 0.0, periods_per_year: float = 252
) -> float:
    """``sqrt(mean(min(r - MAR, 0) ** 2)) * sqrt(periods_per_year)`` over all obs.

    ``periods_per_year=1`` gives the per-period figure.
    """
    shortfall = np.minimum(vector(returns, "returns") - required_return, 0.0)
    if shortfall.size == 0:
        return math.nan
    return math.sqrt(float(np.mean(shortfall * shortfall))) * math.sqrt(periods_per_year)


def sharpe(returns: Iterable[Number], risk_free: float = 0.0, periods_per_year: float = 252) -> float:
    """Annualised Sharpe ratio; ``risk_free`` is a per-period rate. NaN if std is 0."""
    excess = vector(returns, "returns") - risk_free
    if excess.size < 2:
        return math.nan
    deviation = float(np.std(excess, ddof=1))
    if deviation == 0.0:
        return math.nan
    return float(np.mean(excess)) / deviation * math.sqrt(periods_per_year)


def sortino(returns: Iterable[Number], required_return: float = 0.0, periods_per_year: float = 252) -> float:
    """Annualised Sortino ratio with downside deviation over all observations."""
    excess = vector(returns, "returns") - required_return
    downside = downside_deviation(excess, 0.0, 1)
    if not downside > 0.0:
        return math.nan
    return float(np.mean(excess)) / downside * math.sqrt(periods_per_year)


def cagr(returns: Iterable[Number], periods_per_year: float = 252) -> float:
    """``(1 + link(r)) ** (periods_per_year / n) - 1`` as quantstats' CAGR.

    Unlike ``annualize`` this does not refuse short periods; use ``annualize``
    for anything reported under GIPS.
    """
    values = vector(returns, "returns")
    if values.size == 0:
        return math.nan
    return float((1.0 + link(values)) ** (periods_per_year / values.size) - 1.0)


def calmar(returns: Iterable[Number], periods_per_year: float = 252) -> float:
    """``cagr / |max_drawdown|``; NaN without a drawdown."""
    values = vector(returns, "returns")
    drawdown = max_drawdown(values)
    if drawdown == 0.0:
        return math.nan
    return cagr(values, periods_per_year) / abs(drawdown)
