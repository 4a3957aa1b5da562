"""Placeholder cards for each role's pages until their dashboards arrive."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

NOT_PERMITTED = "Not permitted"


def landing_card(title: str, summary: str, upcoming: Sequence[str]) -> Component:
    return html.Div(
        [
            html.H1(title, className="h3 mb-3", id="page-title"),
            dbc.Card(
                [
                    dbc.CardHeader("What will be here"),
                    dbc.CardBody(
                        [
                            html.P(summary, className="card-text"),
                            html.Ul([html.Li(item) for item in upcoming], className="mb-3"),
                            html.P(
                                "This page is a placeholder: its dashboard arrives in a later release.",
                                className="text-body-secondary small mb-0",
                            ),
                        ]
                    ),
                ],
                id="landing-card",
            ),
        ]
    )


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
