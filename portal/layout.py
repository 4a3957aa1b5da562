"""The app shell every page renders inside: the navbar for this session, then the page."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from portal.components.navbar import navbar
from portal.context import services
from portal.shell import csrf
from portal.shell.session import current_actor


def serve_layout() -> Component:
    """Called by Dash for every page load, so the navbar always matches the session."""
    actor = current_actor()
    page = dbc.Container(dash.page_container, className="pb-5", id="page")
    if actor is None or actor.user_id is None:
        # Only reached outside a session (Dash validates the layout on its first request).
        return html.Div([page])
    email = services().users.get_user(actor, actor.user_id).email
    return html.Div([navbar(actor.role, email, csrf.session_token()), page])
