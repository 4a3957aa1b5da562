"""The investor dashboard's figures: value over time and allocation by pool, as plain Plotly
JSON built on the house style of portal/components/charts.py (pure functions of a Dashboard)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from portal.components.charts import POOL_COLOUR, Figure, empty_figure, figure
from portal.investor.data import Dashboard

PALETTE = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545", "#0dcaf0", "#6c757d")


def value_figure(data: Dashboard) -> Figure:
    """Each pool's value over time, and the total per currency when there are several pools."""
    lines = [line for line in data.pools if line.series]
    if not lines:
        return empty_figure("No holdings yet")
    traces: list[dict[str, Any]] = []
    totals: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for i, line in enumerate(lines):
        points = (
            [*line.series, (data.as_of, line.series[-1][1])]
            if line.series[-1][0] < data.as_of
            else line.series
        )
        traces.append(
            {
                "type": "scatter",
                "x": [d for d, _ in points],
                "y": [float(v) for _, v in points],
                "name": f"{line.name} ({line.currency})",
                "mode": "lines",
                "line": {"shape": "hv", "color": PALETTE[i % len(PALETTE)]},
            }
        )
        totals[line.currency].update({d: Decimal(0) for d, _ in points})
    for currency, days in totals.items():
        mine = [line for line in lines if line.currency == currency]
        if len(mine) < 2:
            continue
        ordered = sorted(days)
        total = [float(sum((_at(line.series, d) for line in mine), Decimal(0))) for d in ordered]
        traces.append(
            {
                "type": "scatter",
                "x": ordered,
                "y": total,
                "name": f"Total ({currency})",
                "mode": "lines",
                "line": {"shape": "hv", "color": "#212529", "width": 3},
            }
        )
    return figure(
        traces,
        title={"text": f"Value over time · as of {data.as_of.isoformat()}", "font": {"size": 14}},
        margin={"l": 56, "r": 16, "t": 48, "b": 36},
        height=320,
        legend={"orientation": "h", "y": -0.2},
        hovermode="x unified",
    )


def _at(series: list[tuple[date, Decimal]], day: date) -> Decimal:
    value = Decimal(0)
    for d, v in series:
        if d > day:
            break
        value = v
    return value


def allocation_figure(data: Dashboard) -> Figure:
    """Allocation by pool: a donut per currency (values are not converted across currencies)."""
    held = [line for line in data.pools if line.value > 0]
    if not held:
        return empty_figure("Nothing allocated yet")
    currencies = sorted({line.currency for line in held})
    traces: list[dict[str, Any]] = []
    width = 1 / len(currencies)
    for i, currency in enumerate(currencies):
        mine = [line for line in held if line.currency == currency]
        traces.append(
            {
                "type": "pie",
                "labels": [line.name for line in mine],
                "values": [float(line.value) for line in mine],
                "hole": 0.55,
                "name": currency,
                "title": {"text": currency},
                "domain": {"x": [i * width, (i + 1) * width]},
                "marker": {"colors": [PALETTE[j % len(PALETTE)] for j in range(len(mine))]},
                "textinfo": "percent",
                "hovertemplate": "%{label}: %{value:,.2f} " + currency + " (%{percent})<extra></extra>",
            }
        )
    return figure(
        traces,
        title={"text": f"Allocation by pool · as of {data.as_of.isoformat()}", "font": {"size": 14}},
        margin={"l": 16, "r": 16, "t": 48, "b": 16},
        height=320,
        legend={"orientation": "h", "y": -0.1},
        colorway=[POOL_COLOUR, *PALETTE],
    )
