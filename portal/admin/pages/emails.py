"""Email deliveries (admin): every email the platform recorded, newest first, with its state,
tries and last error; a failed or unknown one is resent after a person has checked it (to the
person's address as it is now)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from notifications.interface import DeliveryOut, DeliveryStatus
from portal.context import services
from portal.formatting import DASH
from portal.page_registry import Page
from portal.shared.payments import LIVE, table
from portal.shell.access import restricted
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/admin/emails", name="Emails")

RESEND = "admin-email-resend"
COLUMNS = ("Recorded (UTC)", "To", "Subject", "Status", "Tries", "Last error", "")
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
            dbc.Row(
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
                    md=3,
                ),
                className="mb-3",
            ),
            dcc.Store(id="admin-email-refresh", data=0),
            html.Div(id="admin-email-flash", role="status", **LIVE),
            dcc.Loading(html.Div(id="admin-email-log"), type="default", delay_show=300),
        ]
    )


def _row(d: DeliveryOut) -> tuple[Any, ...]:
    resend = (
        dbc.Button("Resend", id={"type": RESEND, "delivery": d.id}, size="sm", color="outline-primary")
        if d.status in _NEEDS_A_PERSON
        else ""
    )
    return (
        d.created_at.strftime("%Y-%m-%d %H:%M"),
        d.to_address,
        d.subject,
        d.status.value,
        d.attempts,
        d.last_error or DASH,
        resend,
    )


def log_table(actor: Actor, status: str | None) -> Component:
    chosen = DeliveryStatus(status) if status else None
    rows = services().notifications.delivery_log(actor, status=chosen, limit=LATEST)
    shown: Component = html.Div(
        [
            html.P(f"{len(rows)} emails (newest first, at most {LATEST})", className="small"),
            table(COLUMNS, [_row(d) for d in rows], "admin-email-rows", "No emails recorded."),
        ]
    )
    return shown


def resend(actor: Actor, trigger: Any) -> Any:
    if not isinstance(trigger, Mapping) or trigger.get("type") != RESEND:
        raise PreventUpdate
    try:
        again = services().notifications.resend_delivery(actor, int(trigger["delivery"]))
    except (DomainError, ValueError, KeyError) as exc:
        return dbc.Alert(f"Not done: {exc}", color="danger", dismissable=True)
    return dbc.Alert(f"Queued again to {again.to_address}: it goes in the next round.", color="success")


@PAGE.callback(
    Output("admin-email-log", "children"),
    Input("admin-email-status", "value"),
    Input("admin-email-refresh", "data"),
)
def _show(status: str | None, _refresh: int | None) -> Any:
    actor = current_actor()
    if actor is None or not actor.is_admin:
        return html.Div()
    try:
        return log_table(actor, status)
    except (DomainError, ValueError):
        return html.Div()


@PAGE.callback(
    Output("admin-email-flash", "children"),
    Output("admin-email-refresh", "data"),
    Input({"type": RESEND, "delivery": ALL}, "n_clicks"),
    State("admin-email-refresh", "data"),
    prevent_initial_call=True,
)
def _resend(_clicks: list[int | None], refresh: int | None) -> tuple[Any, Any]:
    actor = current_actor()
    if actor is None or not actor.is_admin or not any(t.get("value") for t in ctx.triggered):
        raise PreventUpdate
    return resend(actor, ctx.triggered_id), (refresh or 0) + 1
