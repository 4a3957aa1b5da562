"""Notifications (every role), on two tabs. Inbox: all of the signed-in user's in-app
notifications, newest first, filtered by what they are about and by unread, with "mark all
read". Preferences: which kinds of notice reach them in the app and by email, saved on each
switch; the formal notices are shown on and locked.

The navbar bell shows the latest few; its callbacks are registered by portal/site.py.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from backend.platform.actors import Actor, Role
from notifications.interface import MAX_LIST, NotificationKind
from portal.components.bell import render_list
from portal.context import services
from portal.page_registry import Page
from portal.shared.notification_preferences import (
    DIGEST,
    DIGEST_FLASH,
    FLASH,
    KIND_LABELS,
    LANGUAGE,
    LANGUAGE_FLASH,
    PREF,
    preferences_section,
    save,
    save_digest,
    save_language,
)
from portal.shell.access import restricted_with_params
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/notifications", name="Notifications")

PREFERENCES_TAB = "preferences"
SWITCHES = {"type": PREF, "kind": ALL, "channel": ALL}


@PAGE.layout
@restricted_with_params(*Role)
def layout(actor: Actor, tab: str = "", **_params: str) -> Component:
    """`?tab=preferences` opens on the preferences, for a link that promises them."""
    return html.Div(
        [
            html.H1("Notifications", className="h3 mb-3", id="page-title"),
            dbc.Tabs(
                [
                    dbc.Tab(inbox(), label="Inbox", tab_id="inbox", class_name="pt-3"),
                    dbc.Tab(
                        preferences_section(actor),
                        label="Preferences",
                        tab_id=PREFERENCES_TAB,
                        class_name="pt-3",
                    ),
                ],
                id="notif-tabs",
                active_tab=PREFERENCES_TAB if tab == PREFERENCES_TAB else "inbox",
            ),
        ]
    )


def inbox() -> Component:
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("About", html_for="notif-kind", className="small fw-semibold"),
                            dcc.Dropdown(
                                id="notif-kind",
                                options=[{"label": "everything", "value": ""}]
                                + [{"label": label, "value": k.value} for k, label in KIND_LABELS.items()],
                                value="",
                                clearable=False,
                            ),
                        ],
                        md=4,
                    ),
                    dbc.Col(
                        dbc.Checklist(
                            id="notif-unread",
                            options=[{"label": "Unread only", "value": "unread"}],
                            value=[],
                            switch=True,
                        ),
                        md=3,
                        className="align-self-end",
                    ),
                    dbc.Col(
                        dbc.Button("Mark all read", id="notif-read-all", size="sm", color="secondary"),
                        md=3,
                        className="align-self-end",
                    ),
                ],
                className="g-2 mb-3",
            ),
            dcc.Store(id="notif-refresh", data=0),
            html.Div(id="notif-summary", className="small text-body-secondary mb-2", role="status"),
            html.Div(className="card py-2", id="notifications-page"),
        ]
    )


def listing(actor: Actor, kind: str | None, unread: list[str] | None) -> tuple[Any, str]:
    chosen = NotificationKind(kind) if kind else None
    found = services().notifications.list_for_user(
        actor, unread_only="unread" in (unread or []), limit=MAX_LIST, kind=chosen
    )
    shown = f"{len(found.items)} shown (newest first, at most {MAX_LIST}); {found.unread} unread in all"
    return render_list(found, buttons=False), shown


@PAGE.callback(
    Output("notifications-page", "children"),
    Output("notif-summary", "children"),
    Input("notif-kind", "value"),
    Input("notif-unread", "value"),
    Input("notif-refresh", "data"),
)
def _show(kind: str | None, unread: list[str] | None, _refresh: int | None) -> tuple[Any, str]:
    actor = current_actor()
    if actor is None:
        return [], ""
    try:
        return listing(actor, kind, unread)
    except ValueError:  # a kind no page offers
        return [], "Choose what to show."


@PAGE.callback(
    Output("notif-refresh", "data"),
    Input("notif-read-all", "n_clicks"),
    State("notif-refresh", "data"),
    prevent_initial_call=True,
)
def _read_all(pressed: int | None, refresh: int | None) -> int:
    actor = current_actor()
    if actor is None or not pressed or ctx.triggered_id != "notif-read-all":
        raise PreventUpdate
    services().notifications.mark_all_read(actor)
    return (refresh or 0) + 1


@PAGE.callback(
    Output(FLASH, "children"),
    Output(SWITCHES, "value"),
    Input(SWITCHES, "value"),
    State(SWITCHES, "id"),
    prevent_initial_call=True,
)
def _save(values: list[Any], ids: list[dict[str, str]]) -> tuple[Any, list[bool]]:
    """Every switch is set back to what the service now holds, so a refused change (a formal
    notice switched off) does not stay off on the screen."""
    actor = current_actor()
    trigger = ctx.triggered_id
    if actor is None or trigger not in ids or len(values) != len(ids):
        raise PreventUpdate
    message, states = save(actor, trigger, values[ids.index(trigger)])
    return message, [
        states.get((i["kind"], i["channel"]), v is True) for i, v in zip(ids, values, strict=True)
    ]


@PAGE.callback(Output(DIGEST_FLASH, "children"), Input(DIGEST, "value"), prevent_initial_call=True)
def _save_digest(value: Any) -> Any:
    actor = current_actor()
    if actor is None:
        raise PreventUpdate
    return save_digest(actor, value)


@PAGE.callback(Output(LANGUAGE_FLASH, "children"), Input(LANGUAGE, "value"), prevent_initial_call=True)
def _save_language(value: Any) -> Any:
    actor = current_actor()
    if actor is None:
        raise PreventUpdate
    return save_language(actor, value)
