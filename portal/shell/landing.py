"""What a page shows someone whose role does not give them access to it."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

NOT_PERMITTED = "Not permitted"


def not_permitted() -> Component:
    alert: Component = dbc.Alert(
        [
            html.H1(NOT_PERMITTED, className="h4 alert-heading"),
            html.P("Your role does not give you access to this page.", className="mb-0"),
        ],
        color="danger",
        id="not-permitted",
    )
    return alert
