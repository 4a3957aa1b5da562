"""The portal's house style for charts, and the building blocks every role's figures share.

The figures themselves live with their role: portal/manager/figures.py (a pool's growth,
returns, drawdown, flows, the waterfall split) and portal/investor/figures.py (value over
time, allocation).

Figures are plain Plotly JSON (`{"data": [...], "layout": {...}}`), which dcc.Graph takes as
it is. Building them through plotly.graph_objects validated every point and deep-copied the
"plotly_white" template into each figure: about 11 ms a chart, five charts a pool page,
most of that page's server time. The few things the template gave are in HOUSE_LAYOUT.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

POOL_COLOUR = "#0d6efd"
BENCH_COLOUR = "#6c757d"
LOSS_COLOUR = "#dc3545"
GAIN_COLOUR = "#198754"
MARGIN = {"l": 48, "r": 16, "t": 48, "b": 36}


Figure = dict[str, Any]
"""A Plotly figure as JSON: {"data": [trace, ...], "layout": {...}}."""

_GRID = "#EBF0F8"
_AXIS: dict[str, Any] = {"gridcolor": _GRID, "zerolinecolor": _GRID, "linecolor": _GRID, "automargin": True}
HOUSE_LAYOUT: dict[str, Any] = {
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "font": {"color": "#2a3f5f"},
    "colorway": ["#0d6efd", "#6c757d", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545"],
    "hoverlabel": {"align": "left"},
}
"""What the "plotly_white" template gave these charts: white panels, light grid lines."""


def figure(data: list[dict[str, Any]], **layout: Any) -> Figure:
    """A figure with the house style; `xaxis`/`yaxis` given here are merged into the house axes."""
    xaxis, yaxis = layout.pop("xaxis", {}), layout.pop("yaxis", {})
    return {
        "data": data,
        "layout": {**HOUSE_LAYOUT, "xaxis": {**_AXIS, **xaxis}, "yaxis": {**_AXIS, **yaxis}, **layout},
    }


def chart_layout(
    fig: Figure, title: str, as_of: date | None, *, yaxis: str = "", percent: bool = False
) -> None:
    """A chart's title (with its as-of date), size, legend and y axis, the same on every chart."""
    suffix = f" · as of {as_of.isoformat()}" if as_of else ""
    fig["layout"].update(
        title={"text": f"{title}{suffix}", "font": {"size": 14}},
        margin=MARGIN,
        height=300,
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
    )
    fig["layout"]["yaxis"].update({"title": {"text": yaxis}} if yaxis else {})
    if percent:
        fig["layout"]["yaxis"]["tickformat"] = "+.1%"


def empty_figure(message: str = "No data yet") -> Figure:
    return figure(
        [],
        height=300,
        margin=MARGIN,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "font": {"size": 14, "color": BENCH_COLOUR}}],
    )


def scatter_trace(x: Sequence[Any], y: Sequence[Any], **style: Any) -> dict[str, Any]:
    return {"type": "scatter", "x": list(x), "y": list(y), **style}


def bar_trace(x: Sequence[Any], y: Sequence[float], name: str, colour: str) -> dict[str, Any]:
    return {"type": "bar", "x": list(x), "y": list(y), "name": name, "marker": {"color": colour}}
