"""The app shell every page renders inside: a skip link, the navbar for this session, then
the page in the document's one <main> landmark (what screen readers jump to)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from portal.components.navbar import navbar
from portal.context import services
from portal.shell import csrf
from portal.shell.session import current_actor

MAIN_ID = "main"


def _main() -> Component:
    # tabIndex -1: the skip link moves keyboard focus here, not only the scroll position.
    return html.Main(
        dbc.Container(dash.page_container, className="pb-5", id="page"), id=MAIN_ID, tabIndex="-1"
    )


def serve_layout() -> Component:
    """Called by Dash for every page load, so the navbar always matches the session."""
    actor = current_actor()
    if actor is None or actor.user_id is None:
        # Only reached outside a session (Dash validates the layout on its first request).
        return html.Div([_main()])
    email = services().users.get_user(actor, actor.user_id).email
    skip = html.A(
        "Skip to main content",
        href=f"#{MAIN_ID}",
        className="visually-hidden-focusable skip-link",
        id="skip-link",
    )
    return html.Div([skip, navbar(actor.role, email, csrf.session_token()), _main()])
