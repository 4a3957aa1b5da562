"""Payments (admin): the reconciliation's differences with what to do about each, the
gateway's and the webhooks' health, and the audit of every change to bank details.

Nothing here corrects anything: a difference is listed for a person to resolve, and a run
on demand only reads the gateway and the statements again.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from backend.payments.interface import GatewayHealthOut, ReconciliationOut
from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError, NotFound
from portal.admin.data import audit_rows
from portal.context import services
from portal.formatting import DASH, iso, money
from portal.page_registry import Page
from portal.shared.payments import LIVE, table
from portal.shared.pools import visible_pools
from portal.shell.access import restricted
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/admin/payments", name="Payments")

BANK_DETAIL_CHANGES = "payment.collection_account_set"
AUDIT_ROWS = 100


@PAGE.layout
@restricted(Role.ADMIN)
def layout(actor: Actor) -> Component:
    yesterday = date.today() - timedelta(days=1)
    return html.Div(
        [
            html.H1("Payments", className="h3 mb-3", id="page-title"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(
                                "Reconcile the day", html_for="recon-date", className="small fw-semibold"
                            ),
                            dbc.Input(id="recon-date", type="date", value=yesterday.isoformat()),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        dbc.Button("Run reconciliation now", id="recon-run", color="primary"),
                        md=3,
                        className="align-self-end",
                    ),
                ],
                className="g-2 mb-3",
            ),
            dcc.Store(id="admin-pay-refresh", data=0),
            html.Div(id="admin-pay-flash", role="status", **LIVE),
            dcc.Loading(html.Div(id="admin-pay-content"), type="default", delay_show=300),
        ]
    )


def _health(health: GatewayHealthOut) -> Any:
    last = (
        f"{health.last_event_type} at {health.last_event_at:%Y-%m-%d %H:%M} UTC"
        if health.last_event_at
        else "none yet"
    )
    rows = [
        (f"Webhook events, last {health.window_hours} h", str(health.events)),
        ("… of which moved no payment (other event types, stale news, unknown payment)", str(health.ignored)),
        ("Last event", last),
        ("Gateway attempts unanswered for over an hour", str(health.stuck_attempts)),
        ("Payments the books do not hold yet", str(health.books_behind)),
        ("Waiting for a second approval", str(health.awaiting_approval)),
        ("Statement credits to match by hand", str(health.unmatched_lines)),
    ]
    by_type = ", ".join(f"{k}: {v}" for k, v in health.events_by_type.items()) or DASH
    warn = health.stuck_attempts or health.books_behind
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Gateway and webhooks", className="h6"),
                table(("", ""), rows, "gateway-health", ""),
                html.P(f"By type: {by_type}", className="small text-body-secondary mb-1"),
                dbc.Alert(
                    "Attempts stuck or books behind: run `python app.py payments sweep`, then look at the "
                    "reconciliation below.",
                    color="warning",
                    className="small mb-0",
                )
                if warn
                else None,
            ]
        ),
        className="mb-3",
    )


def _reconciliation(run: ReconciliationOut | None) -> Any:
    if run is None:
        return html.P("No reconciliation has run yet.", className="text-body-secondary", id="recon-none")
    head = (
        f"Run #{run.run_id} for {iso(run.on_date)} at {run.created_at:%Y-%m-%d %H:%M} UTC: "
        f"{run.gateway_entries} gateway movements, {run.statement_lines} statement lines, "
        f"{run.payments_checked} payments checked, {len(run.differences)} differences."
    )
    rows = [
        (
            d.kind.value.replace("_", " "),
            str(d.pool_id or DASH),
            f"P-{d.payment_id}" if d.payment_id else DASH,
            d.source,
            money(d.amount, d.currency) if d.amount is not None and d.currency else DASH,
            d.detail,
            d.action,
        )
        for d in run.differences
    ]
    return html.Div(
        [
            html.P(head, className="small", id="recon-head"),
            dbc.Alert(f"The gateway could not be read: {run.gateway_error}", color="danger")
            if run.gateway_error
            else None,
            table(
                ("Difference", "Pool", "Payment", "Found in", "Amount", "Detail", "What to do"),
                rows,
                "recon-differences",
                "No differences: the gateway, the bank and the books agree.",
            ),
        ]
    )


def content(actor: Actor) -> Component:
    p = services().payments
    try:
        run: ReconciliationOut | None = p.reconciliation(actor)
    except NotFound:
        run = None
    names = {f"pool {pid}": f"{pool.name} (#{pid})" for pid, pool in visible_pools(actor).items()}
    changes = [
        (r["when"], r["actor"], names.get(r["object"], r["object"]), r["change"])
        for r in audit_rows(actor, None, BANK_DETAIL_CHANGES, None, AUDIT_ROWS)
    ]
    return html.Div(
        [
            _health(p.gateway_health(actor)),
            html.H2("Reconciliation", className="h5"),
            _reconciliation(run),
            html.H2("Bank detail changes", className="h5 mt-4"),
            table(
                ("When (UTC)", "Who", "Pool", "Change (masked)"),
                changes,
                "bank-detail-audit",
                "No bank details have been set or changed.",
            ),
        ]
    )


@PAGE.callback(Output("admin-pay-content", "children"), Input("admin-pay-refresh", "data"))
def _render(_refresh: int | None) -> Component:
    actor = current_actor()
    if actor is None or not actor.is_admin:
        return html.Div()
    return content(actor)


@PAGE.callback(
    Output("admin-pay-flash", "children"),
    Output("admin-pay-refresh", "data"),
    Input("recon-run", "n_clicks"),
    State("recon-date", "value"),
    State("admin-pay-refresh", "data"),
    prevent_initial_call=True,
)
def _run(clicks: int | None, day: str | None, refresh: int | None) -> tuple[Any, Any]:
    actor = current_actor()
    if actor is None or not clicks:
        raise PreventUpdate
    try:
        on = date.fromisoformat(str(day or ""))
    except ValueError:
        return dbc.Alert("Not run: on: give a date as YYYY-MM-DD.", color="danger"), no_update
    try:
        run = services().payments.run_reconciliation(actor, on)
    except DomainError as exc:
        return dbc.Alert(f"Not run: {exc}", color="danger"), no_update
    found = len(run.differences)
    return dbc.Alert(
        f"Reconciled {iso(on)}: {found} differences.",
        color="success" if not found else "warning",
        dismissable=True,
    ), (refresh or 0) + 1
