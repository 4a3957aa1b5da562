"""Money-weighted returns: the IRR family (``xirr``, ``xnpv``, ``irr``).

Conventions (investor cash flows: negative = paid in, positive = received):

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

The solver itself is :mod:`backend.finance.metrics._irr_solver`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from backend.finance.metrics._inputs import (
    DAYS_PER_YEAR,
    DateLike,
    Number,
    day_number,
    finite_vector,
    same_length,
    to_float,
)
from backend.finance.metrics._irr_solver import net_by_day, solve_rate

__all__ = ["DEFAULT_GUESS", "irr", "xirr", "xnpv"]

DEFAULT_GUESS = 0.1
"""Excel's default IRR guess; picks the root when several exist."""


def xnpv(rate: Number, dates: Sequence[DateLike], amounts: Iterable[Number]) -> float:
    """Net present value at an annual ``rate`` on act/365F, as Excel's XNPV.

    Each flow is discounted by ``(1 + rate) ** ((date - earliest date) / 365)``,
    so the earliest flow is not discounted. ``rate`` must exceed -1.
    """
    r = to_float(rate, "rate")
    if r <= -1.0:
        raise ValueError("rate must be greater than -1")
    values = finite_vector(amounts, "amounts")
    same_length("dates", dates, "amounts", values)
    if values.size == 0:
        return 0.0
    days = np.array([day_number(d) for d in dates], dtype=np.float64)
    years = (days - days.min()) / DAYS_PER_YEAR
    return float(np.sum(values * np.exp(-years * math.log1p(r))))


def xirr(dates: Sequence[DateLike], amounts: Iterable[Number], guess: float = DEFAULT_GUESS) -> float | None:
    """Annual IRR of dated flows on act/365F, as Excel's XIRR; None if none exists.

    Same-day flows are netted and order is irrelevant. See the module docstring
    for which root is returned when there are several.
    """
    values = finite_vector(amounts, "amounts")
    same_length("dates", dates, "amounts", values)
    days, nets = net_by_day(dates, values)
    if nets.size < 2:
        return None
    return solve_rate((days - days[0]) / DAYS_PER_YEAR, nets, guess)


def irr(amounts: Iterable[Number], guess: float = DEFAULT_GUESS) -> float | None:
    """Periodic IRR of flows one period apart (flow i at t = i), as Excel's IRR.

    None when there is no solution; with several roots, the one closest to
    ``guess``.
    """
    values = finite_vector(amounts, "amounts")
    nonzero = np.flatnonzero(values)
    return solve_rate(nonzero.astype(np.float64), values[nonzero], guess)
