"""Email deliveries (admin): every email the platform recorded, newest first, with its state,
tries and last error; a failed or unknown one is resent after a person has checked it (to the
person's address as it is now).

Below them, the template previews (portal/admin/template_previews.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from notifications.interface import (
    Channel,
    DeliveryFilter,
    DeliveryOut,
    DeliveryStatus,
    NotificationKind,
)
from portal.admin.template_previews import preview, previews_section, sample_file
from portal.components.row_actions import actions_column, pressed_row, row_action, row_grid
from portal.context import services
from portal.formatting import DASH
from portal.page_registry import Page
from portal.shared.notification_preferences import KIND_LABELS
from portal.shared.payments import LIVE
from portal.shell.access import restricted
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/admin/emails", name="Emails")

CHANNEL_WORDS = {"email": "email", "sms": "text"}
LATEST = 200
_NEEDS_A_PERSON = (DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN)


@PAGE.layout
@restricted(Role.ADMIN)
def layout(actor: Actor) -> Component:
    return html.Div(
        [
            html.H1("Emails", className="h3 mb-3", id="page-title"),
            html.P(
                "Each email is recorded before it is sent, and sent once. Queued ones wait for the "
                "next round (every 30 s) or, after a mail server outage, for their retry. Failed: the "
                "server refused the address. Unknown: a worker stopped while sending, so it may have "
                "gone; ask the person before resending.",
                className="small text-body-secondary",
            ),
            _providers(actor),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Status", html_for="admin-email-status", className="small fw-semibold"),
                            dcc.Dropdown(
                                id="admin-email-status",
                                options=[{"label": "all", "value": ""}]
                                + [{"label": s.value, "value": s.value} for s in DeliveryStatus],
                                value="",
                                clearable=False,
                            ),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(
                                "Channel", html_for="admin-email-channel", className="small fw-semibold"
                            ),
                            dcc.Dropdown(
                                id="admin-email-channel",
                                options=[
                                    {"label": "all", "value": ""},
                                    {"label": "email", "value": Channel.EMAIL.value},
                                    {"label": "text message", "value": Channel.SMS.value},
                                ],
                                value="",
                                clearable=False,
                            ),
                        ],
                        md=2,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Notice", html_for="admin-email-kind", className="small fw-semibold"),
                            dcc.Dropdown(
                                id="admin-email-kind",
                                options=[{"label": "all", "value": ""}]
                                + [{"label": KIND_LABELS[k], "value": k.value} for k in NotificationKind],
                                value="",
                                clearable=False,
                            ),
                        ],
                        md=4,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(
                                "Address or subject",
                                html_for="admin-email-search",
                                className="small fw-semibold",
                            ),
                            dbc.Input(
                                id="admin-email-search",
                                type="search",
                                maxLength=100,
                                debounce=True,
                                placeholder="part of an address, number or subject",
                            ),
                        ],
                        md=4,
                    ),
                ],
                className="g-2 mb-3",
            ),
            dcc.Store(id="admin-email-refresh", data=0),
            html.Div(id="admin-email-flash", role="status", **LIVE),
            dcc.Loading(html.Div(id="admin-email-log"), type="default", delay_show=300),
            previews_section(),
        ]
    )


_PROVIDERS_LABELLED: dict[str, Any] = {"aria-labelledby": "admin-providers-title"}
CHANNEL_NAMES = {Channel.EMAIL: "Email", Channel.SMS: "Text messages"}


def _when(moment: datetime | None) -> str:
    return f"{moment:%d %b %Y %H:%M} UTC" if moment is not None else DASH


def _providers(actor: Actor) -> Component:
    """Provider health, as the deliveries of the last day show it: the first look when someone
    says a notice never came."""
    try:
        health = services().notifications.provider_health(actor)
    except DomainError as exc:
        return html.Div(dbc.Alert(f"Provider health unavailable: {exc}", color="warning"))
    cards = []
    for h in health:
        states = ", ".join(f"{n:,} {state}" for state, n in sorted(h.by_status.items())) or "none"
        bad = h.verdict.startswith(("behind", "failing"))
        cards.append(
            dbc.Col(
                dbc.Card(
                    dbc.CardBody(
                        [
                            html.H3(CHANNEL_NAMES.get(h.channel, h.channel.value), className="h6 mb-1"),
                            dbc.Badge(
                                h.verdict, color="danger" if bad else "success", className="mb-2 text-wrap"
                            ),
                            html.Dl(
                                [
                                    html.Dt("Provider", className="small"),
                                    html.Dd(
                                        f"{h.provider}, at most {h.rate_per_second.normalize():f} a second",
                                        className="small",
                                    ),
                                    html.Dt(f"Last {h.window_hours} hours", className="small"),
                                    html.Dd(states, className="small"),
                                    html.Dt("Waiting now", className="small"),
                                    html.Dd(
                                        f"{h.waiting:,} ({h.retrying:,} after an error); due since "
                                        f"{_when(h.oldest_waiting_since)}",
                                        className="small",
                                    ),
                                    html.Dt("Last sent", className="small"),
                                    html.Dd(_when(h.last_sent_at), className="small"),
                                    html.Dt("Last error", className="small"),
                                    html.Dd(h.last_error or DASH, className="small text-break"),
                                ],
                                className="mb-0",
                            ),
                        ]
                    ),
                    className="h-100",
                ),
                md=6,
            )
        )
    return html.Section(
        [
            html.H2("Providers", className="h5 mb-2", id="admin-providers-title"),
            dbc.Row(cards, className="g-2"),
        ],
        className="mb-3",
        **_PROVIDERS_LABELLED,
    )


COLUMNS: list[dict[str, Any]] = [
    {"field": "recorded", "headerName": "Recorded (UTC)", "maxWidth": 160},
    {"field": "channel", "headerName": "Channel", "maxWidth": 110},
    {"field": "to", "headerName": "To"},
    {"field": "subject", "headerName": "Subject", "flex": 2},
    {"field": "status", "headerName": "Status", "maxWidth": 120},
    {"field": "attempts", "headerName": "Tries", "maxWidth": 90, "type": "rightAligned"},
    {"field": "error", "headerName": "Last error", "flex": 2},
    actions_column("Action", width=100),
]


def _row(d: DeliveryOut) -> dict[str, Any]:
    resend = [row_action("resend", "Resend", f"Send {d.subject} to {d.to_address} again", primary=True)]
    return {
        "id": d.id,
        "recorded": d.created_at.strftime("%Y-%m-%d %H:%M"),
        "channel": CHANNEL_WORDS.get(d.channel.value, d.channel.value),
        "to": d.to_address,
        "subject": d.subject,
        "status": d.status.value,
        "attempts": d.attempts,
        "error": d.last_error or DASH,
        "actions": resend if d.status in _NEEDS_A_PERSON else [],
    }


def log_table(
    actor: Actor,
    status: str | None,
    channel: str | None = None,
    kind: str | None = None,
    search: str | None = None,
) -> Component:
    query = DeliveryFilter(
        status=DeliveryStatus(status) if status else None,
        channel=Channel(channel) if channel else None,
        kind=NotificationKind(kind) if kind else None,
        search=(search or "").strip()[:100],
        limit=LATEST,
    )
    rows = services().notifications.delivery_log(actor, query=query)
    shown: Component = html.Div(
        [
            html.P(f"{len(rows)} messages (newest first, at most {LATEST})", className="small"),
            row_grid("admin-email-grid", COLUMNS, [_row(d) for d in rows], "No messages recorded."),
        ]
    )
    return shown


def resend(actor: Actor, delivery_id: int) -> Any:
    """Send one failed or unknown message again, as the signed-in administrator; the outcome."""
    try:
        again = services().notifications.resend_delivery(actor, delivery_id)
    except DomainError as exc:
        return dbc.Alert(f"Not done: {exc}", color="danger", dismissable=True)
    return dbc.Alert(f"Queued again to {again.to_address}: it goes in the next round.", color="success")


@PAGE.callback(
    Output("admin-email-log", "children"),
    Input("admin-email-status", "value"),
    Input("admin-email-channel", "value"),
    Input("admin-email-kind", "value"),
    Input("admin-email-search", "value"),
    Input("admin-email-refresh", "data"),
)
def _show(
    status: str | None, channel: str | None, kind: str | None, search: str | None, _refresh: int | None
) -> Any:
    actor = current_actor()
    if actor is None or not actor.is_admin:
        return html.Div()
    try:
        return log_table(actor, status, channel, kind, search if isinstance(search, str) else None)
    except (DomainError, ValueError):
        return html.Div()


@PAGE.callback(
    Output("admin-email-flash", "children"),
    Output("admin-email-refresh", "data"),
    Input("admin-email-grid", "cellRendererData"),
    State("admin-email-refresh", "data"),
    prevent_initial_call=True,
)
def _resend(pressed: object, refresh: int | None) -> tuple[Any, Any]:
    actor = current_actor()
    delivery = pressed_row(pressed, "resend")
    if actor is None or not actor.is_admin or delivery is None:
        raise PreventUpdate
    return resend(actor, delivery), (refresh or 0) + 1


@PAGE.callback(
    Output("admin-preview", "children"),
    Input("admin-preview-kind", "value"),
)
def _preview(choice: str | None) -> Any:
    actor = current_actor()
    if actor is None:
        raise PreventUpdate
    return preview(actor, choice)


@PAGE.callback(
    Output("admin-preview-file", "data"),
    Output("admin-preview-flash", "children"),
    Input("admin-preview-download", "n_clicks"),
    State("admin-preview-kind", "value"),
    prevent_initial_call=True,
)
def _download_sample(clicks: int | None, choice: str | None) -> tuple[Any, Any]:
    actor = current_actor()
    if actor is None or not clicks:
        raise PreventUpdate
    return sample_file(actor, choice)
