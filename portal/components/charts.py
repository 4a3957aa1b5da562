"""Plotly figures for the manager pages, as pure functions of plain data (unit-tested).

Every figure states its as-of date in its title. Returns are fractions in, percentages out;
money axes carry the pool's currency.

Figures are plain Plotly JSON (`{"data": [...], "layout": {...}}`), which dcc.Graph takes as
it is. Building them through plotly.graph_objects validated every point and deep-copied the
"plotly_white" template into each figure: about 11 ms a chart, five charts a pool page,
most of that page's server time. The few things the template gave are in HOUSE_LAYOUT.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from portal.formatting import pct

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
POOL_COLOUR = "#0d6efd"
BENCH_COLOUR = "#6c757d"
LOSS_COLOUR = "#dc3545"
GAIN_COLOUR = "#198754"
_MARGIN = {"l": 48, "r": 16, "t": 48, "b": 36}


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


def _layout(fig: Figure, title: str, as_of: date | None, *, yaxis: str = "", percent: bool = False) -> None:
    suffix = f" · as of {as_of.isoformat()}" if as_of else ""
    fig["layout"].update(
        title={"text": f"{title}{suffix}", "font": {"size": 14}},
        margin=_MARGIN,
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
        margin=_MARGIN,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[{"text": message, "showarrow": False, "font": {"size": 14, "color": BENCH_COLOUR}}],
    )


def _scatter(x: Sequence[Any], y: Sequence[Any], **style: Any) -> dict[str, Any]:
    return {"type": "scatter", "x": list(x), "y": list(y), **style}


def sparkline_svg(values: Sequence[float], width: int = 120, height: int = 28) -> str:
    """The same sparkline as an SVG polyline's points (for grid cells: no Plotly per row)."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / (len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}" for i, v in enumerate(values)
    )


def rebased(values: Sequence[float], base: float = 100.0) -> list[float]:
    if not values or values[0] == 0:
        return list(values)
    first = values[0]
    return [v / first * base for v in values]


def align_benchmark(days: Sequence[date], levels: Sequence[tuple[date, float]]) -> list[float | None]:
    """The benchmark's level on each of `days`: the last level on or before that day."""
    out: list[float | None] = []
    ordered = sorted(levels)
    i, last = 0, None
    for day in days:
        while i < len(ordered) and ordered[i][0] <= day:
            last = ordered[i][1]
            i += 1
        out.append(last)
    return out


def nav_vs_benchmark(
    days: Sequence[date],
    nav_per_unit: Sequence[float],
    benchmark: Sequence[tuple[date, float]] = (),
    *,
    benchmark_name: str = "Benchmark",
    as_of: date | None = None,
    label: str = "NAV per unit",
) -> Figure:
    """Pool NAV per unit (or index) against the benchmark, both rebased to 100 at the first date
    the two share."""
    if not days:
        return empty_figure("No valuations yet")
    bench = align_benchmark(days, benchmark) if benchmark else []
    start = 0
    if bench:
        start = next((i for i, v in enumerate(bench) if v), len(days))
    pool_days, pool_values = list(days[start:]), list(nav_per_unit[start:])
    fig = figure(
        [_scatter(pool_days, rebased(pool_values), name=f"Pool ({label})", line={"color": POOL_COLOUR})]
    )
    if bench and start < len(days):
        bench_values = [float(v) for v in bench[start:] if v is not None]
        fig["data"].append(
            _scatter(
                pool_days,
                rebased(bench_values),
                name=benchmark_name,
                line={"color": BENCH_COLOUR, "dash": "dot"},
            )
        )
    _layout(fig, "Growth of 100 (rebased)", as_of, yaxis="rebased to 100")
    return fig


def cumulative_returns(index: Sequence[float]) -> list[float]:
    if not index or index[0] == 0:
        return []
    return [v / index[0] - 1 for v in index]


def cumulative_return(days: Sequence[date], index: Sequence[float], *, as_of: date | None = None) -> Figure:
    if not days:
        return empty_figure("No valuations yet")
    values = cumulative_returns(index)
    fig = figure(
        [_scatter(days, values, fill="tozeroy", name="Cumulative return", line={"color": POOL_COLOUR})]
    )
    _layout(fig, "Cumulative return (time-weighted)", as_of, percent=True)
    return fig


def drawdowns(index: Sequence[float]) -> list[float]:
    """Each point's fall from the highest level before it (<= 0)."""
    peak = float("-inf")
    out = []
    for value in index:
        peak = max(peak, value)
        out.append(value / peak - 1 if peak > 0 else 0.0)
    return out


def drawdown(days: Sequence[date], index: Sequence[float], *, as_of: date | None = None) -> Figure:
    if not days:
        return empty_figure("No valuations yet")
    fig = figure(
        [_scatter(days, drawdowns(index), fill="tozeroy", name="Drawdown", line={"color": LOSS_COLOUR})]
    )
    _layout(fig, "Drawdown", as_of, percent=True)
    return fig


def monthly_returns(month_ends: Sequence[date], index: Sequence[float]) -> dict[tuple[int, int], float]:
    """{(year, month): return over the month} from month-end index levels (the first point is
    the base: inception or the month-end before the first)."""
    out: dict[tuple[int, int], float] = {}
    for i in range(1, len(month_ends)):
        previous = index[i - 1]
        if previous:
            out[(month_ends[i].year, month_ends[i].month)] = index[i] / previous - 1
    return out


def monthly_heatmap(
    month_ends: Sequence[date], index: Sequence[float], *, as_of: date | None = None
) -> Figure:
    returns = monthly_returns(month_ends, index)
    if not returns:
        return empty_figure("Monthly returns appear after the first month-end")
    years = sorted({year for year, _ in returns})
    z = [[returns.get((year, month)) for month in range(1, 13)] for year in years]
    text = [[pct(v, 1) if v is not None else "" for v in row] for row in z]
    fig = figure(
        [
            {
                "type": "heatmap",
                "z": z,
                "x": list(MONTHS),
                "y": [str(y) for y in years],
                "text": text,
                "texttemplate": "%{text}",
                "colorscale": [[0, LOSS_COLOUR], [0.5, "#ffffff"], [1, GAIN_COLOUR]],
                "zmid": 0,
                "hoverongaps": False,
                "showscale": False,
            }
        ]
    )
    _layout(fig, "Monthly returns", as_of)
    fig["layout"]["hovermode"] = "closest"
    fig["layout"]["yaxis"].update(type="category", autorange="reversed")
    return fig


def flows_bars(
    days: Sequence[date],
    inflows: Sequence[Decimal | float],
    outflows: Sequence[Decimal | float],
    currency: str,
    *,
    as_of: date | None = None,
) -> Figure:
    """Contributions up, distributions down, per period."""
    if not any(inflows) and not any(outflows):
        return empty_figure("No contributions or distributions yet")
    fig = figure(
        [
            _bar(days, [float(v) for v in inflows], "Contributions", GAIN_COLOUR),
            _bar(days, [-abs(float(v)) for v in outflows], "Distributions", LOSS_COLOUR),
        ]
    )
    _layout(fig, "Contributions and distributions", as_of, yaxis=currency)
    fig["layout"]["barmode"] = "relative"
    return fig


def _bar(x: Sequence[Any], y: Sequence[float], name: str, colour: str) -> dict[str, Any]:
    return {"type": "bar", "x": list(x), "y": list(y), "name": name, "marker": {"color": colour}}


def waterfall_split(
    tiers: Mapping[str, Mapping[str, str]], currency: str, *, as_of: date | None = None
) -> Figure:
    """Each waterfall tier's LP and GP amounts, stacked."""
    names = list(tiers)
    labels = [name.replace("_", " ").capitalize() for name in names]
    fig = figure(
        [
            _bar(labels, [float(tiers[n]["lp"]) for n in names], "Investors (LP)", POOL_COLOUR),
            _bar(labels, [float(tiers[n]["gp"]) for n in names], "Manager (GP)", "#fd7e14"),
        ]
    )
    _layout(fig, "Waterfall split by tier", as_of, yaxis=currency)
    fig["layout"].update(barmode="stack", hovermode="closest")
    return fig
