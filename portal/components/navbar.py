"""The role-aware navbar: that role's links, who is signed in, the theme, and a logout button.

Below Bootstrap's lg breakpoint the links, theme menu, account and logout fold behind a
toggler (a phone would otherwise spend 190 px of its height on them); the bell stays beside
the toggler so new notifications show on every screen. Opening the menu and picking a theme
are client-side callbacks (portal/assets/theme.js): no server round trip for either.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html
from dash.development.base_component import Component

from backend.platform.actors import Role
from portal.components.bell import bell
from portal.navigation import LINKS, SITE_TITLE, home_path
from portal.shell.csrf import FORM_FIELD

THEMES = (("light", "Light"), ("dark", "Dark"), ("auto", "Auto (follow the system)"))
"""The theme menu's items: a stored choice, or "auto" for the OS's prefers-color-scheme."""


def link_id(href: str) -> str:
    return "nav" + href.replace("/", "-")


def theme_menu() -> Component:
    menu: Component = dbc.DropdownMenu(
        [dbc.DropdownMenuItem(label, id=f"theme-{key}", n_clicks=0) for key, label in THEMES],
        label="Theme",  # replaced on load by the current choice
        id="theme-menu",
        align_end=True,
        in_navbar=True,
        nav=True,
        toggle_class_name="text-light",
    )
    nav: Component = dbc.Nav(menu, navbar=True, className="me-lg-2", id="theme")
    return nav


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
    # An html.Button, not dbc.NavbarToggler: it carries aria-controls/aria-expanded, which
    # the client-side callback keeps in step with the menu.
    aria: dict[str, Any] = {
        "aria-controls": "navbar-collapse",
        "aria-expanded": "false",
        "aria-label": "Menu",
    }
    toggler = html.Button(
        html.Span(className="navbar-toggler-icon"),
        className="navbar-toggler",
        type="button",
        id="navbar-toggler",
        n_clicks=0,
        **aria,
    )
    account = html.Span(
        [
            html.Span(email, id="navbar-email"),
            html.Span(f" · {role.value}"),
        ],
        className="navbar-text me-lg-3 text-break",
    )
    menu = dbc.Collapse(
        [
            dbc.Nav(links, navbar=True, className="me-auto", id="nav-links"),
            theme_menu(),
            account,
            logout,
        ],
        id="navbar-collapse",
        is_open=False,
        navbar=True,
        className="pb-2 pb-lg-0",
    )
    bar: Component = dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(SITE_TITLE, href=home_path(role)),
                html.Div([bell(), toggler], className="d-flex align-items-center ms-auto order-lg-last"),
                menu,
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        expand="lg",
        className="mb-4",
        id="navbar",
    )
    return bar


def register_callbacks(app: Dash) -> None:
    """The navbar's client-side callbacks, on the app being built (portal/dash_app.py)."""
    app.clientside_callback(  # type: ignore[no-untyped-call]  # Dash leaves it unannotated
        ClientsideFunction("portal", "toggleNavbar"),
        Output("navbar-collapse", "is_open"),
        Output("navbar-toggler", "aria-expanded"),
        Input("navbar-toggler", "n_clicks"),
        State("navbar-collapse", "is_open"),
    )
    app.clientside_callback(  # type: ignore[no-untyped-call]
        ClientsideFunction("portal", "chooseTheme"),
        Output("theme-menu", "label"),
        *(Input(f"theme-{key}", "n_clicks") for key, _ in THEMES),
    )
