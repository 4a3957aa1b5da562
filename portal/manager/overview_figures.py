"""The manager overview's charts, in the manager's reporting currency: assets under management
over time (stacked by pool), allocation by pool, and net flows by month.

Each pool's month-end figure is converted at that month end's rate (the rate of the figure's
date). A month whose rate is missing is left out of the converted series and named under the
chart, never drawn as zero. Pure functions of the gathered Overview (unit-tested).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from portal.components.charts import (
    GAIN_COLOUR,
    LOSS_COLOUR,
    PALETTE,
    Figure,
    bar_trace,
    chart_layout,
    donut_trace,
    empty_figure,
    figure,
    footnote,
)
from portal.manager.overview_data import Overview
from portal.shared.reporting_currency import DatedAmount


def _money_hover(currency: str) -> str:
    return "%{fullData.name}: " + currency + " %{y:,.2f}<extra></extra>"


def aum_over_time(data: Overview) -> Figure:
    """Each pool's NAV at every month end, converted, stacked: the top edge is the AUM."""
    conv = data.conversion
    if conv is None or not any(s.navs for s in data.series):
        return empty_figure("Assets under management appear after the first month end")
    traces, missing = [], 0
    for i, s in enumerate(data.series):
        points = [(d, conv.of(DatedAmount(v, s.pool.base_currency, d))) for d, v in s.navs]
        missing += sum(1 for _, v in points if v is None)
        shown = [(d, v) for d, v in points if v is not None]
        if not shown:
            continue
        traces.append(
            {
                "type": "scatter",
                "x": [d for d, _ in shown],
                "y": [float(v) for _, v in shown],
                "name": s.pool.name,
                "mode": "lines",
                "stackgroup": "aum",
                "line": {"width": 1, "color": PALETTE[i % len(PALETTE)]},
                "hovertemplate": _money_hover(data.reporting),
            }
        )
    if not traces:
        return empty_figure(f"No FX rates to show the pools in {data.reporting}")
    fig = figure(traces)
    chart_layout(fig, f"Assets under management ({data.reporting})", data.as_of, yaxis=data.reporting)
    fig["layout"]["yaxis"]["tickformat"] = ",.0f"
    if missing:
        footnote(fig, f"{missing} month-end figures have no FX rate and are left out")
    return fig


def allocation(data: Overview) -> Figure:
    """One donut of NAV by pool on the overview's date, all in the reporting currency."""
    conv = data.conversion
    parts = []
    for row in data.rows:
        value = conv.of(DatedAmount(Decimal(row["nav_exact"]), row["currency"], data.as_of)) if conv else None
        if value is not None and value > 0:
            parts.append((row["pool_name"], value))
    if not parts:
        return empty_figure("Nothing allocated yet")
    fig = figure([donut_trace(parts, data.reporting)])
    chart_layout(fig, f"Allocation by pool ({data.reporting})", data.as_of)
    fig["layout"]["hovermode"] = "closest"
    return fig


def net_flows(data: Overview) -> Figure:
    """Money in and out of all pools by month, converted at each month end's rate."""
    conv = data.conversion
    into: dict[date, Decimal] = defaultdict(Decimal)
    out_of: dict[date, Decimal] = defaultdict(Decimal)
    missing = 0
    for s in data.series:
        for day, flow in s.flows:
            if not flow or conv is None:
                continue
            value = conv.of(DatedAmount(flow, s.pool.base_currency, day))
            if value is None:
                missing += 1
            elif value > 0:
                into[day] += value
            else:
                out_of[day] += value
    days = sorted(set(into) | set(out_of))
    if not days:
        return empty_figure("No money in or out yet")
    hover = "%{x|%Y-%m}: " + data.reporting + " %{y:,.2f}<extra>%{fullData.name}</extra>"
    fig = figure(
        [
            {
                **bar_trace(days, [float(into[d]) for d in days], "Money in", GAIN_COLOUR),
                "hovertemplate": hover,
            },
            {
                **bar_trace(days, [float(out_of[d]) for d in days], "Money out", LOSS_COLOUR),
                "hovertemplate": hover,
            },
        ]
    )
    chart_layout(fig, f"Net flows by month ({data.reporting})", data.as_of, yaxis=data.reporting)
    fig["layout"].update(barmode="relative")
    fig["layout"]["yaxis"]["tickformat"] = ",.0f"
    if missing:
        footnote(fig, f"{missing} monthly flows have no FX rate and are left out")
    return fig
