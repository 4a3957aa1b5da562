"""The IRR root finder shared by ``xirr``, ``irr``, ``direct_alpha`` and ``ln_pme``.

Numerics only: which root is returned, and when there is none, is the contract
documented in :mod:`backend.finance.metrics.money_weighted`. The solver works in
``s = ln(1 + r)``: Newton safeguarded by bisection (``rtsafe``) on a bracket when
the flows change sign once, otherwise a grid scan of ``s`` polished the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from backend.finance.metrics._inputs import DateLike, FloatArray, day_number

__all__ = ["net_by_day", "solve_rate"]

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


def solve_rate(times: FloatArray, amounts: FloatArray, guess: float) -> float | None:
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


def net_by_day(dates: Sequence[DateLike], amounts: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Same-day flows summed (exactly, with fsum) and zero nets dropped: (days, nets)."""
    days = [day_number(d) for d in dates]
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
