"""The investor dashboard's figures: value over time and allocation by pool, as plain Plotly
JSON built on the house style of portal/components/charts.py (pure functions of a Dashboard and
its consolidation into the investor's reporting currency)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from portal.components.charts import (
    PALETTE,
    POOL_COLOUR,
    TITLE,
    Figure,
    donut_trace,
    empty_figure,
    figure,
    footnote,
)
from portal.investor.consolidation import Consolidated
from portal.investor.data import Dashboard
from portal.shared.reporting_currency import DatedAmount

TOTAL_COLOUR = "#212529"


def value_figure(data: Dashboard, cons: Consolidated) -> Figure:
    """Each holding's value over time and their total, all in the reporting currency at each
    day's rate (one axis, one currency); a day whose rate is missing is a gap, not a zero."""
    lines = [line for line in data.pools if line.series]
    if not lines or not cons.days:
        return empty_figure("No holdings yet")
    r = cons.reporting
    hover = "%{fullData.name}: " + r + " %{y:,.2f}<extra></extra>"
    traces: list[dict[str, Any]] = []
    total: dict[date, Decimal | None] = {}
    for i, line in enumerate(lines):
        points = cons.line_values(line)
        for day, value in points:
            before = total.get(day, Decimal(0))
            total[day] = None if value is None or before is None else before + value
        traces.append(
            {
                "type": "scatter",
                "x": [d for d, _ in points],
                "y": [float(v) if v is not None else None for _, v in points],
                "name": line.name if line.currency == r else f"{line.name} ({line.currency} in {r})",
                "mode": "lines",
                "line": {"color": PALETTE[i % len(PALETTE)]},
                "hovertemplate": hover,
            }
        )
    if len(lines) > 1:
        days = sorted(total)
        traces.append(
            {
                "type": "scatter",
                "x": days,
                "y": [float(v) if (v := total[d]) is not None else None for d in days],
                "name": f"Total ({r})",
                "mode": "lines",
                "line": {"color": TOTAL_COLOUR, "width": 3},
                "hovertemplate": hover,
            }
        )
    fig = figure(
        traces,
        title={**TITLE, "text": f"Value over time in {r} · as of {data.as_of.isoformat()}"},
        margin={"l": 56, "r": 16, "t": 64, "b": 36},
        height=320,
        legend={"orientation": "h", "y": -0.2},
        hovermode="x unified",
        yaxis={"title": {"text": r}, "tickformat": ",.0f"},
    )
    return fig


def allocation_figure(data: Dashboard, cons: Consolidated) -> Figure:
    """Allocation by pool: one donut of every holding's value in the reporting currency at the
    rate of the dashboard's date; a holding with no rate is named below, not drawn as zero."""
    r = cons.reporting
    parts, missing = [], []
    for line in data.pools:
        if line.value <= 0:
            continue
        value = cons.conversion.of(DatedAmount(line.value, line.currency, data.as_of))
        if value is None:
            missing.append(line.name)
        else:
            parts.append((line.name, value))
    if not parts:
        return empty_figure("Nothing allocated yet" if not missing else f"No FX rate to show holdings in {r}")
    fig = figure(
        [donut_trace(parts, r)],
        title={**TITLE, "text": f"Allocation by pool in {r} · as of {data.as_of.isoformat()}"},
        margin={"l": 16, "r": 16, "t": 64, "b": 16},
        height=320,
        legend={"orientation": "h", "y": -0.1},
        colorway=[POOL_COLOUR, *PALETTE],
    )
    if missing:
        footnote(fig, f"No {r} rate for {', '.join(missing)}", y=-0.05)
    return fig
