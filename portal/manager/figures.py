"""The manager pages' figures: a pool's growth against its benchmark, returns, drawdown, monthly
returns, flows, the waterfall split, and the overview's sparklines.

Pure functions of plain data (unit-tested), built on the house style of
portal/components/charts.py. Every figure states its as-of date in its title. Returns are
fractions in, percentages out; money axes carry the pool's currency.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from portal.components.charts import (
    BENCH_COLOUR,
    GAIN_COLOUR,
    LOSS_COLOUR,
    PALETTE,
    POOL_COLOUR,
    Figure,
    bar_trace,
    chart_layout,
    empty_figure,
    figure,
    scatter_trace,
)
from portal.formatting import pct

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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
        [scatter_trace(pool_days, rebased(pool_values), name=f"Pool ({label})", line={"color": POOL_COLOUR})]
    )
    if bench and start < len(days):
        bench_values = [float(v) for v in bench[start:] if v is not None]
        fig["data"].append(
            scatter_trace(
                pool_days,
                rebased(bench_values),
                name=benchmark_name,
                line={"color": BENCH_COLOUR, "dash": "dot"},
            )
        )
    chart_layout(fig, "Growth of 100 (rebased)", as_of, yaxis="rebased to 100")
    return fig


WIDE_PRICES = 3.0
"""Classes whose prices differ more than this many times share a log axis: on a linear one the
cheap class's line would lie flat along the bottom."""


def class_nav_lines(
    days: Sequence[date],
    prices: Mapping[str, Sequence[float]],
    *,
    as_of: date | None = None,
) -> Figure:
    """A pool with share classes: each class's NAV per unit (its own line, named by its label,
    in its own currency), not the meaningless NAV / all units of the pool."""
    if not days or not prices:
        return empty_figure("No valuations yet")
    fig = figure(
        [
            scatter_trace(days, list(values), name=label, line={"color": PALETTE[i % len(PALETTE)]})
            for i, (label, values) in enumerate(prices.items())
        ]
    )
    chart_layout(fig, "NAV per unit of each class", as_of, yaxis="NAV per unit")
    drawn = [v for values in prices.values() for v in values if v > 0]
    if drawn and max(drawn) > WIDE_PRICES * min(drawn):
        fig["layout"]["yaxis"]["type"] = "log"
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
        [scatter_trace(days, values, fill="tozeroy", name="Cumulative return", line={"color": POOL_COLOUR})]
    )
    chart_layout(fig, "Cumulative return (time-weighted)", as_of, percent=True)
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
        [scatter_trace(days, drawdowns(index), fill="tozeroy", name="Drawdown", line={"color": LOSS_COLOUR})]
    )
    chart_layout(fig, "Drawdown", as_of, percent=True)
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
    month_ends: Sequence[date],
    index: Sequence[float],
    *,
    as_of: date | None = None,
    valued_to: date | None = None,
) -> Figure:
    """Monthly returns by year; a month that starts after the last valuation (``valued_to``)
    is blank and says "no valuation yet": its index moved by fees at most, not by the market."""
    if valued_to is None:
        return empty_figure("Monthly returns appear after the first valuation")
    measured = monthly_returns(month_ends, index)
    returns = {ym: r for ym, r in measured.items() if date(*ym, 1) <= valued_to}
    unvalued = set(measured) - set(returns)
    if not returns:
        return empty_figure("Monthly returns appear after the first month-end")
    years = sorted({year for year, _ in measured})
    z = [[returns.get((year, month)) for month in range(1, 13)] for year in years]
    text = [
        [
            pct(v, 1) if v is not None else ("no val." if (year, month) in unvalued else "")
            for month, v in enumerate(row, start=1)
        ]
        for year, row in zip(years, z, strict=True)
    ]
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
                "hovertemplate": "%{x} %{y}: %{text}<extra></extra>",
                "hoverongaps": False,
                "showscale": False,
            }
        ]
    )
    chart_layout(fig, "Monthly returns", as_of)
    if unvalued:
        fig["layout"]["annotations"] = [
            {
                "text": f"Months after {valued_to.isoformat()}: no valuation yet",
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.18,
                "xanchor": "left",
                "font": {"size": 11, "color": BENCH_COLOUR},
            }
        ]
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
    open_ended: bool = False,
) -> Figure:
    """Money in up, money out down, per period: subscriptions and redemptions in an
    open-ended pool (whose outflows are mostly redemptions, not distributions), contributions
    and distributions in a closed-ended one. Hovers carry the currency, amounts in full."""
    if open_ended:
        money_in, money_out = "Subscriptions", "Redemptions and distributions"
    else:
        money_in, money_out = "Contributions", "Distributions"
    if not any(inflows) and not any(outflows):
        return empty_figure(f"No {money_in.lower()} or {money_out.lower()} yet")
    hover = "%{x|%Y-%m}: " + currency + " %{y:,.2f}<extra>%{fullData.name}</extra>"
    fig = figure(
        [
            {**bar_trace(days, [float(v) for v in inflows], money_in, GAIN_COLOUR), "hovertemplate": hover},
            {
                **bar_trace(days, [-abs(float(v)) for v in outflows], money_out, LOSS_COLOUR),
                "hovertemplate": hover,
            },
        ]
    )
    chart_layout(fig, f"{money_in} and {money_out.lower()}", as_of, yaxis=currency)
    fig["layout"]["barmode"] = "relative"
    fig["layout"]["yaxis"]["tickformat"] = ",.0f"
    return fig


def waterfall_split(
    tiers: Mapping[str, Mapping[str, str]], currency: str, *, as_of: date | None = None
) -> Figure:
    """Each waterfall tier's LP and GP amounts, stacked."""
    names = list(tiers)
    labels = [name.replace("_", " ").capitalize() for name in names]
    fig = figure(
        [
            bar_trace(labels, [float(tiers[n]["lp"]) for n in names], "Investors (LP)", POOL_COLOUR),
            bar_trace(labels, [float(tiers[n]["gp"]) for n in names], "Manager (GP)", "#fd7e14"),
        ]
    )
    chart_layout(fig, "Waterfall split by tier", as_of, yaxis=currency)
    fig["layout"].update(barmode="stack", hovermode="closest")
    return fig
