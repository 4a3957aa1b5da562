"""The role-aware navbar: that role's links, who is signed in, and a logout button."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from backend.platform.actors import Role
from portal.components.bell import bell
from portal.navigation import LINKS, SITE_TITLE, home_path
from portal.shell.csrf import FORM_FIELD


def link_id(href: str) -> str:
    return "nav" + href.replace("/", "-")


def navbar(role: Role, email: str, csrf_token: str) -> Component:
    links = [
        dbc.NavItem(dbc.NavLink(link.label, href=link.href, active="exact", id=link_id(link.href)))
        for link in LINKS[role]
    ]
    # A real form POST, not a Dash callback: logout must work even if the app's JS fails,
    # and the CSRF token rides along as a hidden field like on every other form.
    logout = html.Form(
        [
            dcc.Input(type="hidden", name=FORM_FIELD, value=csrf_token, id="logout-csrf"),
            dbc.Button("Log out", type="submit", color="light", outline=True, size="sm", id="logout-button"),
        ],
        action="/logout",
        method="POST",
        className="d-flex mb-0",
        id="logout-form",
    )
    bar: Component = dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(SITE_TITLE, href=home_path(role)),
                dbc.Nav(links, navbar=True, className="me-auto", id="nav-links"),
                bell(),
                html.Span(
                    [
                        html.Span(email, id="navbar-email"),
                        html.Span(f" · {role.value}", className="opacity-75"),
                    ],
                    className="navbar-text me-3",
                ),
                logout,
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        expand="md",
        className="mb-4",
        id="navbar",
    )
    return bar
