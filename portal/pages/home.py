"""The site root: a welcome that points each role at its own pages."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from backend.platform.actors import Actor, Role
from portal.navigation import LINKS
from portal.page_registry import Page
from portal.shell.access import restricted

PAGE = Page(__name__, path="/", name="Home")


@PAGE.layout
@restricted(*Role)
def layout(actor: Actor) -> Component:
    return html.Div(
        [
            html.H1("Welcome", className="h3 mb-3", id="page-title"),
            dbc.Card(
                dbc.CardBody(
                    [
                        html.P(f"You are signed in as {actor.role.value}. Your pages:"),
                        html.Ul(
                            [html.Li(dcc.Link(link.label, href=link.href)) for link in LINKS[actor.role]]
                        ),
                    ]
                ),
                id="landing-card",
            ),
        ]
    )
