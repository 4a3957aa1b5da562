"""The shared chart pieces: a chart's text alternative, and the title kept clear of the modebar."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from dash import dcc, html

from portal.components.charts import (
    GRAPH_CONFIG,
    MARGIN,
    TABLE_DATA,
    chart_layout,
    chart_with_table,
    figure,
    scatter_trace,
)
from portal.dash_app import INDEX


def _walk(node: Any) -> list[Any]:
    children = getattr(node, "children", None)
    if children is None:
        kids: list[Any] = []
    elif isinstance(children, list | tuple):
        kids = list(children)
    else:
        kids = [children]
    return [node, *(n for kid in kids for n in _walk(kid))]


def test_a_chart_comes_with_a_table_of_its_values_and_a_name() -> None:
    fig = figure([scatter_trace([date(2025, 1, 31)], [100.0], name="Pool")])
    found = chart_with_table(
        fig,
        [(date(2025, 1, 31), "€1,234.50"), (date(2025, 2, 28), None)],
        "Net asset value by month",
        columns=("Month end", "NAV"),
        graph_id="nav-chart",
    )
    assert isinstance(found, html.Figure)
    assert found.to_plotly_json()["props"]["aria-label"] == "Net asset value by month"
    nodes = _walk(found)
    graph = next(n for n in nodes if isinstance(n, dcc.Graph))
    props = graph.to_plotly_json()["props"]  # Dash's props, not declared attributes
    assert props["id"] == "nav-chart" and props["config"] == GRAPH_CONFIG and props["figure"] is fig
    assert any(isinstance(n, html.Summary) and n.children == "Show data" for n in nodes)
    # The table travels as data, built in the browser when "Show data" is opened
    # (portal/assets/chart_data.js; tests/e2e/test_accessibility_browser.py opens one).
    assert not any(isinstance(n, html.Table | html.Td | html.Th) for n in nodes)
    box = next(n for n in nodes if isinstance(n, html.Div) and TABLE_DATA in n.to_plotly_json()["props"])
    assert json.loads(box.to_plotly_json()["props"][TABLE_DATA]) == {
        "caption": "Net asset value by month",
        "columns": ["Month end", "NAV"],
        "rows": [["2025-01-31", "€1,234.50"], ["2025-02-28", "—"]],
    }


def test_the_title_sits_below_the_modebar_row_and_the_modebar_shows_on_hover() -> None:
    fig = figure([scatter_trace([1], [Decimal(1)])])
    chart_layout(fig, "Growth of 100", date(2025, 6, 30))
    title = fig["layout"]["title"]
    # Anchored to the plot area's top edge, inside a top margin tall enough for the modebar.
    assert (title["yref"], title["y"], title["yanchor"]) == ("paper", 1, "bottom")
    assert fig["layout"]["margin"]["t"] == MARGIN["t"] >= 60
    assert title["text"] == "Growth of 100 · as of 2025-06-30"
    assert GRAPH_CONFIG["displayModeBar"] == "hover" and GRAPH_CONFIG["displaylogo"] is False


def test_the_index_page_names_its_language_and_sets_the_theme_before_paint() -> None:
    assert '<html lang="en">' in INDEX
    head = INDEX.split("</head>")[0]
    assert '<script src="/assets/theme.js"></script>' in head
    assert head.index("theme.js") < head.index("{%css%}")
