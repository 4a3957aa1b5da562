"""The investor's own share classes: for each holding in a pool with classes, its class's NAV
per unit over time and its returns (reports' HeldClass). Only the class the investor holds,
and only its price: the class's units, net assets and flows are its other holders' positions
(a class with one other holder would give that holder's away), so the report never sends
them to an investor and nothing here could show them."""

from __future__ import annotations

from typing import Any

from portal.components.charts import PALETTE, Figure, chart_layout, empty_figure, figure, scatter_trace
from portal.formatting import DASH, number, pct
from portal.investor.data import Dashboard, PoolLine
from reports.interface import HeldClass

PERIODS = ("MTD", "QTD", "YTD", "1Y", "SI")
COLUMNS = (
    ("pool", "Pool"),
    ("share_class", "Class"),
    ("nav_per_unit", "NAV per unit"),
    *((p, p) for p in PERIODS),
)


def held(data: Dashboard) -> list[tuple[PoolLine, HeldClass]]:
    return [
        (line, line.performance.share_class)
        for line in data.pools
        if line.performance is not None and line.performance.share_class is not None
    ]


def _label(line: PoolLine, k: HeldClass) -> str:
    return f"{line.name} · {k.class_id}{f' — {k.name}' if k.name else ''} ({k.currency})"


def class_rows(data: Dashboard) -> list[dict[str, Any]]:
    rows = []
    for line, k in held(data):
        periods = {p.name: p for p in k.periods}
        row: dict[str, Any] = {
            "pool_id": line.pool_id,
            "pool": line.name,
            "share_class": f"{k.class_id} — {k.name}" if k.name else k.class_id,
            "nav_per_unit": f"{number(k.nav_per_unit, 6)} {k.currency}",
        }
        for name in PERIODS:
            period = periods.get(name)
            row[name] = (
                DASH
                if period is None
                else "no valuation yet"
                if period.no_valuation
                else pct(period.cumulative)
            )
        rows.append(row)
    return rows


def class_price_figure(data: Dashboard) -> Figure:
    """A line per holding's class: its NAV per unit after each valuation or class fee, in its
    own currency (log axis: two classes may be priced 100 and 1,000)."""
    lines = [(line, k) for line, k in held(data) if k.prices]
    if not lines:
        return empty_figure("Your class's price appears after its first valuation")
    fig = figure(
        [
            scatter_trace(
                [p.date for p in k.prices],
                [float(p.nav_per_unit) for p in k.prices],
                name=_label(line, k),
                mode="lines+markers",
                line={"color": PALETTE[i % len(PALETTE)]},
            )
            for i, (line, k) in enumerate(lines)
        ]
    )
    chart_layout(fig, "NAV per unit of your share class", data.as_of, yaxis="NAV per unit")
    if len(lines) > 1:
        fig["layout"]["yaxis"]["type"] = "log"
    return fig
