"""Vectorised metrics (``*_many``): one value per series of a (series x periods) array.

Each takes a 2-D array (series x periods; a 1-D array is one series) and returns
a 1-D array with one value per series. NaN marks a missing observation (for
example before a fund's inception): each row's result equals the scalar function
(:mod:`~backend.finance.metrics.risk`, :mod:`~backend.finance.metrics.holding_period`)
applied to that row with its NaNs removed. They are written on whole arrays
rather than by calling the scalar functions, for speed over thousands of series
(``bench/analytics.py`` benchmarks them).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from backend.finance.metrics._inputs import FloatArray

__all__ = [
    "link_many",
    "max_drawdown_many",
    "sharpe_many",
    "sortino_many",
    "twr_from_prices_many",
    "volatility_many",
]


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


def _row_count_mean(values: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """Per-row (count, mean) over non-NaN entries, and the mask of observed entries when
    some are missing (None when none is)."""
    mean = values.mean(axis=1)
    if not np.isnan(mean).any():
        # The common case (no gaps: a gap makes its row's mean NaN, so the means say so
        # without a pass over the matrix) skips the masking passes: ~3x faster.
        return np.full(values.shape[0], float(values.shape[1])), mean, None
    observed = ~np.isnan(values)
    count = observed.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(observed, values, 0.0).sum(axis=1) / count
    return count, mean, observed


def _row_mean_std(values: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per-row (count, mean, sample std) over non-NaN entries; NaN where undefined."""
    count, mean, observed = _row_count_mean(values)
    if observed is None:
        deviation = values - mean[:, np.newaxis]
    else:
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
    linked: FloatArray = np.prod(growth, axis=1) - 1.0
    if np.isnan(linked).any():  # a gap makes its row's product NaN: only then mask and redo
        np.copyto(growth, 1.0, where=np.isnan(growth))
        linked = np.prod(growth, axis=1) - 1.0
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
    count, mean, _ = _row_count_mean(excess)  # its standard deviation is not needed
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
