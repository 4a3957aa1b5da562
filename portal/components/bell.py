"""The notifications bell in the navbar: the unread count (polled) and a dropdown list.

Read as the signed-in user through the notification service; marking read goes through it
too, so a crafted request can only ever touch the caller's own notifications.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from backend.platform.errors import NotFound
from notifications.interface import NotificationList, NotificationOut
from portal.context import services
from portal.shell.session import current_actor

POLL_MS = 3000
SHOWN = 10
READ_BUTTON = "bell-read"


def bell() -> Component:
    label = html.Span(
        [
            html.Span("Notifications"),
            dbc.Badge("", id="bell-count", color="danger", pill=True, className="ms-1"),
        ]
    )
    menu = dbc.DropdownMenu(
        html.Div(
            html.Div("Loading…", className="px-3 py-2 text-body-secondary"),
            id="bell-list",
            style={"minWidth": "22rem", "maxHeight": "60vh", "overflowY": "auto"},
        ),
        label=label,
        id="bell-menu",
        align_end=True,
        in_navbar=True,
        nav=True,
        toggle_class_name="text-light",
    )
    nav: Component = dbc.Nav(
        [
            menu,
            dcc.Interval(id="bell-poll", interval=POLL_MS, n_intervals=0),
            dcc.Store(id="bell-key", data=None),
            dcc.Store(id="bell-changed", data=0),
        ],
        navbar=True,
        className="me-2",
        id="bell",
    )
    return nav


def _item(n: NotificationOut, buttons: bool = True) -> Any:
    unread = n.read_at is None
    actions: list[Any] = []
    if n.link:
        actions.append(dcc.Link("Open", href=n.link, className="me-3 small"))
    if unread and buttons:
        actions.append(
            dbc.Button(
                "Mark read",
                id={"type": READ_BUTTON, "id": n.id},
                size="sm",
                color="link",
                className="p-0 small",
            )
        )
    return html.Div(
        [
            html.Div(n.title, className="fw-semibold" if unread else ""),
            html.Div(n.body, className="small"),
            html.Div(
                [
                    html.Span(
                        f"{n.created_at:%Y-%m-%d %H:%M} UTC", className="small text-body-secondary me-3"
                    ),
                    *actions,
                ],
                className="d-flex align-items-center",
            ),
        ],
        className="px-3 py-2 border-bottom" + (" border-start border-primary border-3" if unread else ""),
        id=f"notification-{n.id}" if buttons else f"notification-page-{n.id}",
    )


def render_list(found: NotificationList, *, buttons: bool = True) -> list[Any]:
    """The list; `buttons=False` for a second copy on a page (ids must stay unique)."""
    if not found.items:
        return [
            html.Div(
                "No notifications yet.",
                className="px-3 py-2 text-body-secondary",
                id="bell-empty" if buttons else "notifications-empty",
            )
        ]
    if not buttons:
        return [_item(n, buttons=False) for n in found.items]
    head = html.Div(
        [
            html.Span(f"{found.unread} unread", className="small text-body-secondary"),
            dbc.Button(
                "Mark all read",
                id="bell-read-all",
                size="sm",
                color="link",
                className="p-0 small",
                disabled=found.unread == 0,
            ),
        ],
        className="d-flex justify-content-between px-3 pb-2 border-bottom",
    )
    return [head, *[_item(n) for n in found.items]]


def list_key(found: NotificationList) -> str:
    return f"{found.unread}|" + ",".join(f"{n.id}{'r' if n.read_at else 'u'}" for n in found.items)


def register_callbacks() -> None:
    """Register the bell's callbacks with the Dash app being built.

    Called by portal/site.py for every app it builds, while this module is imported once per
    process: callbacks registered at import would reach only the first app built in a process."""
    callback(
        Output("bell-count", "children"),
        Output("bell-list", "children"),
        Output("bell-key", "data"),
        Input("bell-poll", "n_intervals"),
        Input("bell-changed", "data"),
        State("bell-key", "data"),
    )(_refresh)
    callback(
        Output("bell-changed", "data"),
        Input({"type": READ_BUTTON, "id": ALL}, "n_clicks"),
        Input("bell-read-all", "n_clicks"),
        State("bell-changed", "data"),
        prevent_initial_call=True,
    )(_mark)


def _refresh(_ticks: int, _changed: int, shown: str | None) -> tuple[Any, Any, Any]:
    actor = current_actor()
    if actor is None or actor.user_id is None:
        raise PreventUpdate
    found = services().notifications.list_for_user(actor, limit=SHOWN)
    key = list_key(found)
    if key == shown:
        raise PreventUpdate  # nothing new: leave the open dropdown alone
    return (str(found.unread) if found.unread else ""), render_list(found), key


def _mark(_one: list[int | None], _all: int | None, changed: int | None) -> Any:
    actor = current_actor()
    trigger = ctx.triggered_id
    if actor is None or actor.user_id is None or trigger is None or not ctx.triggered[0].get("value"):
        raise PreventUpdate
    notifications = services().notifications
    if trigger == "bell-read-all":
        notifications.mark_all_read(actor)
    elif isinstance(trigger, dict) and trigger.get("type") == READ_BUTTON:
        try:
            notifications.mark_read(actor, int(trigger["id"]))
        except (NotFound, ValueError):
            raise PreventUpdate from None
    return (changed or 0) + 1
