"""Shown for any path no page claims (Dash looks this module up by its name)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from portal.page_registry import Page

PAGE = Page(__name__, path="/404", name="Not found")


@PAGE.layout
def layout(**_query: object) -> Component:
    alert: Component = dbc.Alert(
        [
            html.H1("Page not found", className="h4 alert-heading"),
            html.P(["There is no page at this address. ", dcc.Link("Go to the start page", href="/")]),
        ],
        color="warning",
        id="not-found",
    )
    return alert
