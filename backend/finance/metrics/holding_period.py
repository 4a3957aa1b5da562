"""Time-weighted and holding-period returns: ``twr``, ``modified_dietz``, linking, annualising.

Conventions (portfolio flows: positive = money entering the portfolio):

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
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from backend.finance.metrics._inputs import (
    DAYS_PER_YEAR,
    DateLike,
    Number,
    day_number,
    finite_vector,
    to_float,
    vector,
)

__all__ = [
    "annualize",
    "link",
    "modified_dietz",
    "twr",
    "twr_from_prices",
    "unit_price_total_return",
]


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
    ordered = sorted(events, key=lambda event: day_number(event[0]))
    growth = 1.0
    start_value = to_float(begin_value, "begin_value")
    for _, before, flow in ordered:
        value_before = to_float(before, "value_before_flow")
        growth *= _sub_period_growth(start_value, value_before)
        start_value = value_before + to_float(flow, "flow")
    growth *= _sub_period_growth(start_value, to_float(end_value, "end_value"))
    return growth - 1.0


def twr_from_prices(prices: Iterable[Number]) -> float:
    """Return of a unit price (NAV per unit) series: ``last / first - 1``."""
    values = finite_vector(prices, "prices")
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
    values = finite_vector(prices, "prices")
    paid = finite_vector(distributions, "distributions")
    if values.size == 0:
        raise ValueError("prices is empty")
    if paid.size != values.size - 1:
        raise ValueError(f"distributions: need one per sub-period ({values.size - 1}), got {paid.size}")
    if np.any(values[:-1] <= 0.0):
        raise ValueError("prices: a sub-period must start at a positive price")
    return float(np.prod((values[1:] + paid) / values[:-1]) - 1.0)


def link(returns: Iterable[Number]) -> float:
    """Geometric linking of sub-period returns: ``prod(1 + r) - 1``."""
    values = vector(returns, "returns")
    return float(np.prod(1.0 + values) - 1.0)


def annualize(
    cumulative_return: Number, days: Number, *, days_per_year: float = DAYS_PER_YEAR
) -> float | None:
    """``(1 + R) ** (365 / days) - 1``; None for periods shorter than a year (GIPS)."""
    period = to_float(days, "days")
    if period < days_per_year:
        return None
    growth = 1.0 + to_float(cumulative_return, "cumulative_return")
    if growth < 0.0:
        raise ValueError("cannot annualise a loss of more than 100%")
    return float(growth ** (days_per_year / period) - 1.0)


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
    first, last = day_number(start), day_number(end)
    if last <= first:
        raise ValueError("end must be after start")
    begin = to_float(begin_value, "begin_value")
    net_flow = 0.0
    weighted_flow = 0.0
    for when, amount in flows:
        day = day_number(when)
        if not first <= day <= last:
            raise ValueError(f"flow dated {when} is outside the period")
        value = to_float(amount, "flow")
        net_flow += value
        weighted_flow += value * (last - day) / (last - first)
    average_capital = begin + weighted_flow
    if average_capital == 0.0:
        raise ValueError("average capital is zero: modified Dietz return is undefined")
    return (to_float(end_value, "end_value") - begin - net_flow) / average_capital
