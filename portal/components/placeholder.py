"""What a page's main area shows until its figures arrive: a line saying what is coming, in a
box as tall as the figures usually are (portal.css, .page-placeholder), so what sits below
it is out of sight already and is not pushed about when they arrive (a jump a person
notices, and Chromium counts as layout shift; bench/browser.py prints it per page)."""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component


def page_placeholder(text: str) -> Component:
    return html.Div(text, className="page-placeholder text-body-secondary py-5", role="status")


def chart_placeholder() -> Component:
    """Where a row of charts will be drawn (one chart's height)."""
    return html.Div(className="chart-placeholder")
