"""Public-market equivalents: ``ks_pme``, ``direct_alpha``, ``ln_pme`` (per period).

Contributions and distributions are aligned per period with the index levels and
given as non-negative amounts; ``ln_pme`` takes net investor flows instead.

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
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from backend.finance.metrics._inputs import FloatArray, Number, finite_vector, same_length, to_float
from backend.finance.metrics.money_weighted import irr

__all__ = ["direct_alpha", "ks_pme", "ln_pme", "ln_pme_nav"]


def _index_growth_to_end(index: Iterable[Number], periods: int) -> FloatArray:
    levels = finite_vector(index, "index")
    if levels.size != periods:
        raise ValueError(f"index has {levels.size} levels, expected {periods}")
    if np.any(levels <= 0.0):
        raise ValueError("index levels must be positive")
    growth: FloatArray = levels[-1] / levels
    return growth


def _aligned_flows(
    contributions: Iterable[Number], distributions: Iterable[Number]
) -> tuple[FloatArray, FloatArray]:
    paid_in = finite_vector(contributions, "contributions")
    paid_out = finite_vector(distributions, "distributions")
    same_length("contributions", paid_in, "distributions", paid_out)
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
    return (float(np.sum(paid_out * growth)) + to_float(nav, "nav")) / future_paid_in


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
    future_values[-1] += to_float(nav, "nav")
    alpha = irr(future_values)
    return math.nan if alpha is None else alpha


def ln_pme_nav(amounts: Iterable[Number], index: Iterable[Number]) -> float:
    """Long-Nickels PME NAV at the valuation date (index has len(amounts) + 1 levels).

    ``pme_nav_t = pme_nav_{t-1} * index_t / index_{t-1} - amount_t`` from 0, then
    carried to the valuation date; negative amounts (paid in) buy the index.
    It can be negative when the fund distributed more than the index earned.
    """
    flows = finite_vector(amounts, "amounts")
    levels = finite_vector(index, "index")
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
    to_float(nav, "nav")
    flows = finite_vector(amounts, "amounts")
    rate = irr([*flows.tolist(), ln_pme_nav(flows, index)])
    return math.nan if rate is None else rate
