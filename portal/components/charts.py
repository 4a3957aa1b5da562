"""The portal's house style for charts, and the building blocks every role's figures share.

The figures themselves live with their role: portal/manager/figures.py (a pool's growth,
returns, drawdown, flows, the waterfall split) and portal/investor/figures.py (value over
time, allocation).

Figures are plain Plotly JSON (`{"data": [...], "layout": {...}}`), which dcc.Graph takes as
it is. Building them through plotly.graph_objects validated every point and deep-copied the
"plotly_white" template into each figure: about 11 ms a chart, five charts a pool page,
most of that page's server time. The few things the template gave are in HOUSE_LAYOUT.

Every dcc.Graph takes GRAPH_CONFIG, and a chart someone needs to read without seeing it is
built with `chart_with_table`: the graph plus a "Show data" table of the plotted values.
The dark theme recolours the light house style in portal/assets/portal.css.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from dash import dcc, html
from dash.development.base_component import Component

POOL_COLOUR = "#0d6efd"
BENCH_COLOUR = "#6c757d"
LOSS_COLOUR = "#dc3545"
GAIN_COLOUR = "#198754"
MARGIN = {"l": 48, "r": 16, "t": 64, "b": 36}
"""The top margin holds the modebar's row (about 30 px) above the title's, so neither covers
the other: the title sits on the plot area's top edge (TITLE), the modebar at the very top."""
TITLE: dict[str, Any] = {
    "font": {"size": 14},
    "x": 0,
    "xref": "paper",
    "xanchor": "left",
    "y": 1,
    "yref": "paper",
    "yanchor": "bottom",
    "pad": {"b": 8},
}
GRAPH_CONFIG: Any = {"displaylogo": False, "responsive": True, "displayModeBar": "hover"}
"""dcc.Graph's config on every chart: the modebar only while the pointer is over the chart."""


TABLE_DATA = "data-chart-table"
"""The attribute that carries a chart's "Show data" table: {"caption", "columns", "rows"}, every
cell already text."""

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
        title={**TITLE, "text": f"{title}{suffix}"},
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


Cell = str | int | float | Decimal | date | None


def chart_with_table(
    fig: Figure,
    rows: Sequence[Sequence[Cell]],
    caption: str,
    *,
    columns: Sequence[str],
    graph_id: str | None = None,
) -> Component:
    """The chart, and its text alternative: a "Show data" disclosure with a table of the values
    it plots. `caption` names the chart for screen readers (the figure's accessible name);
    `rows` are already formatted (money at its minor unit, percentages with sign) or plain.
    """
    # The table goes to the browser as data and is built there when "Show data" is opened
    # (portal/assets/chart_data.js): as Dash components, the tables of a pool page's five
    # charts were 570 of its 754 components, and Dash's renderer does work for every
    # component on every change of the page, open or not.
    table = {"caption": caption, "columns": list(columns), "rows": [[_cell(v) for v in row] for row in rows]}
    graph_ids: dict[str, Any] = {"id": graph_id} if graph_id else {}
    # The chart's height kept free before Plotly (loaded on demand) draws into it, so what
    # follows does not jump down when it appears. On a wrapper: until its code has loaded,
    # dcc.Graph renders a stand-in that takes no style.
    height = fig.get("layout", {}).get("height")
    graph: Component = dcc.Graph(figure=fig, config=GRAPH_CONFIG, **graph_ids)
    if isinstance(height, int):
        graph = html.Div(graph, style={"minHeight": f"{height}px"})
    carried: dict[str, Any] = {TABLE_DATA: json.dumps(table)}
    holder = html.Div(className="table-responsive mt-2", **carried)
    data = html.Details([html.Summary("Show data"), holder], className="chart-data")
    name: dict[str, Any] = {"aria-label": caption}
    return html.Figure([graph, data], className="mb-0", role="group", **name)


def _cell(value: Cell) -> str:
    if value is None:
        return "—"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


MAX_TABLE_ROWS = 60
"""A daily series' text alternative keeps the last point of each month beyond this many rows."""


def chart_with_data(fig: Figure, caption: str, *, graph_id: str | None = None) -> Component:
    """`chart_with_table` with the table read off the figure itself: one row per x (dates
    thinned to month ends past MAX_TABLE_ROWS) and a column per trace; a donut's slices; a
    heatmap's cells as written on it. Percent axes are written as percentages."""
    columns, rows = figure_rows(fig)
    return chart_with_table(fig, rows, caption, columns=columns, graph_id=graph_id)


def figure_rows(fig: Figure) -> tuple[list[str], list[list[Cell]]]:
    traces = fig.get("data", [])
    if not traces:
        return ["Note"], [[_annotation(fig)]]
    first = traces[0]
    if first.get("type") == "pie":
        total = sum(first["values"]) or 1
        rows: list[list[Cell]] = [
            [label, f"{value:,.2f}", f"{value / total:.1%}"]
            for label, value in zip(first["labels"], first["values"], strict=True)
        ]
        return ["Slice", "Value", "Share"], rows
    if first.get("type") == "heatmap":
        text = first.get("text") or first["z"]
        return ["", *first["x"]], [[y, *row] for y, row in zip(first["y"], text, strict=True)]
    percent = "%" in str(fig.get("layout", {}).get("yaxis", {}).get("tickformat", ""))
    xs = sorted({x for t in traces for x in t.get("x", [])}, key=str)
    if len(xs) > MAX_TABLE_ROWS and all(isinstance(x, date) for x in xs):
        month_last = {(x.year, x.month): x for x in xs}
        xs = sorted(month_last.values())
    values = [dict(zip(t.get("x", []), t.get("y", []), strict=False)) for t in traces]
    table = [[x, *(_number(v.get(x), percent) for v in values)] for x in xs]
    return ["", *(str(t.get("name") or f"Series {i + 1}") for i, t in enumerate(traces))], table


def _number(value: Any, percent: bool) -> Cell:
    if value is None:
        return None
    if percent:
        return f"{value:+.2%}"
    return f"{value:,.2f}"


def _annotation(fig: Figure) -> str:
    notes = fig.get("layout", {}).get("annotations") or [{}]
    return str(notes[0].get("text", "No data"))


PALETTE = ("#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545", "#0dcaf0", "#6c757d")
"""One colour per pool in the charts that show several (no two neighbours the same blue)."""


def donut_trace(parts: Sequence[tuple[str, Decimal]], currency: str) -> dict[str, Any]:
    """An allocation donut: one slice per (name, amount in `currency`), hovers in full."""
    return {
        "type": "pie",
        "labels": [name for name, _ in parts],
        "values": [float(v) for _, v in parts],
        "hole": 0.55,
        "sort": False,
        "marker": {"colors": [PALETTE[i % len(PALETTE)] for i in range(len(parts))]},
        "textinfo": "percent",
        "textposition": "inside",
        "hovertemplate": "%{label}: " + currency + " %{value:,.2f} (%{percent})<extra></extra>",
    }


def footnote(fig: Figure, text: str, *, y: float = -0.3) -> None:
    """A line under the plot saying what it leaves out (a missing rate, an unvalued month)."""
    fig["layout"].setdefault("annotations", []).append(
        {
            "text": text,
            "showarrow": False,
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": y,
            "xanchor": "left",
            "font": {"size": 11, "color": LOSS_COLOUR},
        }
    )
