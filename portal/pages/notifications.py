"""Notifications (every role): the signed-in user's in-app notifications, newest first.

The navbar bell shows the same list; its callbacks are registered by portal/site.py.
"""

from __future__ import annotations

from dash import html
from dash.development.base_component import Component

from backend.platform.actors import Actor, Role
from portal.components.bell import render_list
from portal.context import services
from portal.page_registry import Page
from portal.shell.access import restricted

PAGE = Page(__name__, path="/notifications", name="Notifications")


@PAGE.layout
@restricted(*Role)
def layout(actor: Actor) -> Component:
    found = services().notifications.list_for_user(actor, limit=100)
    return html.Div(
        [
            html.H1("Notifications", className="h3 mb-3", id="page-title"),
            html.Div(render_list(found, buttons=False), className="card py-2", id="notifications-page"),
        ]
    )
