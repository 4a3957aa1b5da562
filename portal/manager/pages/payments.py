"""Payments (manager): per capital call who has paid, who is pending and who is overdue, with
totals; wires waiting for a second person; recording a wire by hand; importing the bank's
statement and matching what it could not; the pool's collection account.

Every id the browser sends (the pool, a payment, a statement line, a request) is checked by
the payment service against the signed-in manager. A wire recorded here, and a statement
line matched by hand, reach the books only once another manager of the pool or an admin
approves them: the approver may not be who recorded it.
"""

from __future__ import annotations

import uuid
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from backend.payments.interface import (
    RequestStatus,
)
from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from backend.pools.interface import PoolKind
from portal.components.placeholder import page_placeholder
from portal.manager import payment_desk, payment_tables, payouts_panel, refund_form
from portal.manager.data import list_all_pools
from portal.page_registry import Page
from portal.shared.payments import LIVE
from portal.shell.access import restricted_with_params
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/manager/payments", name="Payments")

DECIDE = "mgr-wire-decide"
MATCH_TO = "mgr-line-request"
MATCH = "mgr-line-match"
OPEN = (RequestStatus.OPEN, RequestStatus.PARTIALLY_PAID)
UPLOAD_MAX_BYTES = 5 * 1024 * 1024
RECENT = 50


@PAGE.layout
@restricted_with_params(Role.MANAGER)
def layout(actor: Actor, pool: str = "", **_params: str) -> Component:
    pools = list_all_pools(actor)
    chosen = int(pool) if pool.isdigit() and any(p.id == int(pool) for p in pools) else None
    if chosen is None and pools:
        # Capital calls are what is paid here: start on the first pool that makes them.
        calling = [p for p in pools if p.kind is PoolKind.CLOSED_ENDED]
        chosen = (calling or pools)[0].id
    return html.Div(
        [
            html.H1("Payments", className="h3 mb-3", id="page-title"),
            dbc.Row(
                dbc.Col(
                    [
                        dbc.Label("Pool", html_for="mgr-pay-pool", className="small fw-semibold"),
                        dcc.Dropdown(
                            id="mgr-pay-pool",
                            options=[
                                {"label": f"{p.name} ({p.base_currency})", "value": p.id} for p in pools
                            ],
                            value=chosen,
                            clearable=False,
                        ),
                    ],
                    md=6,
                ),
                className="mb-3",
            ),
            dcc.Store(id="mgr-pay-refresh", data=0),
            html.Div(id="mgr-pay-flash", role="status", **LIVE),
            dcc.Loading(
                html.Div(page_placeholder("Loading the pool's payments…"), id="mgr-pay-content"),
                type="default",
                delay_show=300,
            ),
            dcc.Store(id="mgr-payouts-refresh", data=0),
            html.Div(id="mgr-payouts-panel"),
            html.Div(id="mgr-payouts-flash", role="status", **LIVE),
            payouts_panel.file_form(),
            payment_desk.forms(),
            refund_form.form(),
        ]
    )


@PAGE.callback(
    Output("mgr-pay-content", "children"),
    Output("wire-request", "options"),
    Input("mgr-pay-pool", "value"),
    Input("mgr-pay-refresh", "data"),
)
def _render(pool_id: Any, _refresh: int | None) -> tuple[Any, Any]:
    actor = current_actor()
    if actor is None or actor.role is not Role.MANAGER or not isinstance(pool_id, int):
        return html.Div(), []
    try:
        return payment_tables.content(actor, pool_id)
    except DomainError:
        return dbc.Alert("Nothing to show: no such pool, or it is not one of yours.", color="warning"), []


@PAGE.callback(
    Output("mgr-pay-flash", "children"),
    Output("mgr-pay-refresh", "data"),
    Input({"type": payment_tables.DECIDE, "payment": ALL, "approve": ALL}, "n_clicks"),
    Input({"type": payment_tables.MATCH, "line": ALL}, "n_clicks"),
    Input("wire-record", "n_clicks"),
    Input("statement-import", "n_clicks"),
    Input("account-save", "n_clicks"),
    State({"type": payment_tables.MATCH_TO, "line": ALL}, "value"),
    State({"type": payment_tables.MATCH_TO, "line": ALL}, "id"),
    State("mgr-pay-pool", "value"),
    State("wire-request", "value"),
    State("wire-amount", "value"),
    State("wire-value-date", "value"),
    State("wire-bank-ref", "value"),
    State("statement-format", "value"),
    State("statement-file", "contents"),
    State("statement-file", "filename"),
    State("account-name", "value"),
    State("account-iban", "value"),
    State("account-bic", "value"),
    State("mgr-pay-refresh", "data"),
    prevent_initial_call=True,
)
def _act(*args: Any) -> tuple[Any, Any]:
    (
        _decide,
        _match,
        _record,
        _import,
        _save,
        match_values,
        match_ids,
        pool_id,
        request,
        amount,
        value_date,
        bank_ref,
        fmt,
        contents,
        filename,
        account_name,
        iban,
        bic,
        refresh,
    ) = args
    actor = current_actor()
    trigger = ctx.triggered_id
    if actor is None or actor.role is not Role.MANAGER or trigger is None:
        raise PreventUpdate
    if not any(t.get("value") for t in ctx.triggered):
        raise PreventUpdate  # buttons drawn afresh, not pressed
    values = {
        "match": payment_desk.by_line(match_ids or [], match_values or []),
        "request": request,
        "amount": amount,
        "value_date": value_date,
        "bank_ref": bank_ref,
        "format": fmt,
        "file": contents,
        "filename": filename,
        "account_name": account_name,
        "iban": iban,
        "bic": bic,
    }
    flash = payment_desk.act(actor, trigger, pool_id, values)
    return flash, (refresh or 0) + 1 if flash is not no_update else no_update


@PAGE.callback(
    Output("mgr-payouts-panel", "children"),
    Input("mgr-pay-pool", "value"),
    Input("mgr-payouts-refresh", "data"),
)
def _render_payouts(pool_id: Any, _refresh: int | None) -> Component:
    actor = current_actor()
    if actor is None or actor.role is not Role.MANAGER or not isinstance(pool_id, int):
        return html.Div()
    try:
        return payouts_panel.panel(actor, pool_id)
    except DomainError:
        return html.Div()


@PAGE.callback(
    Output("mgr-payouts-flash", "children"),
    Output("mgr-payouts-refresh", "data"),
    Input({"type": payouts_panel.RELEASE, "payout": ALL}, "n_clicks"),
    Input("payout-file-create", "n_clicks"),
    Input("payout-transfers-send", "n_clicks"),
    State("mgr-pay-pool", "value"),
    State("payout-file-date", "value"),
    State("mgr-payouts-refresh", "data"),
    prevent_initial_call=True,
)
def _payout_action(
    _release: list[int | None],
    _create: int | None,
    _send: int | None,
    pool_id: Any,
    day: str | None,
    refresh: int | None,
) -> tuple[Any, Any]:
    actor = current_actor()
    trigger = ctx.triggered_id
    if actor is None or actor.role is not Role.MANAGER or trigger is None:
        raise PreventUpdate
    if not any(t.get("value") for t in ctx.triggered):
        raise PreventUpdate  # buttons drawn afresh, not pressed
    flash = payouts_panel.act(actor, trigger, pool_id, day)
    if flash is None:
        raise PreventUpdate
    return flash, (refresh or 0) + 1


@PAGE.callback(
    Output("mgr-refund-flash", "children"),
    Output("refund-key", "data"),
    Output("mgr-pay-refresh", "data", allow_duplicate=True),
    Input("refund-send", "n_clicks"),
    State("refund-payment", "value"),
    State("refund-amount", "value"),
    State("refund-reason", "value"),
    State("refund-key", "data"),
    State("mgr-pay-refresh", "data"),
    prevent_initial_call=True,
)
def _refund(*args: Any) -> tuple[Any, Any, Any]:
    pressed, payment, amount, reason, key, refresh = args
    actor = current_actor()
    if actor is None or actor.role is not Role.MANAGER or not pressed:
        raise PreventUpdate
    flash = refund_form.act(actor, payment, amount, reason, key or uuid.uuid4().hex)
    # A new key once it went through, so the next refund is a new one; the same after a refusal.
    fresh = uuid.uuid4().hex if flash.color == "success" else no_update
    return flash, fresh, (refresh or 0) + 1
