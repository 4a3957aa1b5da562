"""Payments (investor): what the investor is asked to pay, how (wire instructions, "Pay now"
with a saved method), the saved methods, and every payment made with its receipt.

Everything is read and done as the signed-in investor: a request or method id the browser
sends is checked by the payment service against the session's own investor. Card and
account numbers never come here: a method is added as the gateway's token (pm_...), which
its hosted fields produce in the investor's browser.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from backend.payments.interface import MethodIn, PayIn, PaymentRequestOut, RequestStatus, SavedMethodOut
from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from portal.context import services
from portal.formatting import iso, money
from portal.investor import payouts_panel
from portal.page_registry import Page
from portal.shared.payments import LIVE, outstanding, payment_row, request_badge, table
from portal.shared.pools import visible_pools
from portal.shell.access import restricted
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/investor/payments", name="Payments")

PAY = "inv-pay"
PAY_METHOD = "inv-pay-method"
PAY_KEY = "inv-pay-key"
REMOVE = "inv-method-remove"
OPEN = (RequestStatus.OPEN, RequestStatus.PARTIALLY_PAID)
DEMO_TOKENS = "pm_card_visa, pm_card_mastercard, pm_sepaDebit_success, pm_usBankAccount_success"


@PAGE.layout
@restricted(Role.INVESTOR)
def layout(actor: Actor) -> Component:
    return html.Div(
        [
            html.H1("Payments", className="h3 mb-3", id="page-title"),
            dcc.Store(id="investor-payments-refresh", data=0),
            html.Div(id="investor-payments-flash", role="status", **LIVE),
            dcc.Loading(html.Div(id="investor-payments-content"), type="default", delay_show=300),
            dcc.Store(id="investor-payouts-refresh", data=0),
            html.Div(id="investor-payouts-panel"),
            html.Div(id="investor-payouts-flash", role="status", **LIVE),
            payouts_panel.account_form(),
        ]
    )


def _instructions(actor: Actor, request: PaymentRequestOut) -> Any:
    try:
        wire = services().payments.wire_instructions(actor, request.id)
    except DomainError as exc:
        return dbc.Alert(f"No wire instructions yet: {exc}", color="light", className="small mb-0")
    rows = [
        ("Beneficiary", wire.beneficiary),
        ("IBAN", wire.iban),
        ("BIC", wire.bic or "—"),
        ("Reference (quote it exactly)", wire.reference),
        ("Amount", money(wire.amount, wire.currency)),
        ("Due", iso(wire.due_date)),
    ]
    return html.Dl(
        [
            item
            for k, v in rows
            for item in (html.Dt(k, className="col-sm-4"), html.Dd(v, className="col-sm-8"))
        ],
        className="row small mb-0",
    )


def _pay_now(request: PaymentRequestOut, methods: list[SavedMethodOut] | None) -> Any:
    if methods is None:
        return html.P(
            "Card and bank debit payments are not available right now: pay by wire.", className="small"
        )
    if not methods:
        return html.P("Add a card or bank account below to pay here.", className="small text-body-secondary")
    ident = {"request": request.id}
    return dbc.InputGroup(
        [
            dbc.Select(
                id={"type": PAY_METHOD, **ident},
                options=[{"label": m.label, "value": m.token} for m in methods],
                value=methods[0].token,
                style={"maxWidth": "22rem"},
            ),
            dbc.Button(
                f"Pay {money(outstanding(request), request.currency)} now",
                id={"type": PAY, **ident},
                color="primary",
            ),
            # One key per rendering: a double click pays once; a new rendering is a new attempt.
            dcc.Store(id={"type": PAY_KEY, **ident}, data=str(uuid.uuid4())),
        ],
        size="sm",
    )


def _request_card(
    actor: Actor, request: PaymentRequestOut, pool_name: str, methods: list[SavedMethodOut] | None
) -> Any:
    c = request.currency
    figures = (
        f"Due {money(request.amount_due, c)} · received {money(request.amount_received, c)} · "
        f"outstanding {money(outstanding(request), c)} · due by {iso(request.due_date)}"
    )
    return dbc.Card(
        [
            dbc.CardHeader([html.Strong(f"{pool_name}: capital call"), request_badge(request)]),
            dbc.CardBody(
                [
                    html.P(figures, className="mb-2"),
                    html.H3("Pay by wire", className="h6"),
                    _instructions(actor, request),
                    html.H3("Or pay now", className="h6 mt-3"),
                    _pay_now(request, methods),
                ]
            ),
        ],
        className="mb-3",
        id=f"request-{request.id}",
    )


def _methods_card(methods: list[SavedMethodOut] | None) -> Any:
    if methods is None:
        listed: Any = html.P("The payment gateway is not answering: try again shortly.", className="small")
    elif not methods:
        listed = html.P("No saved methods.", className="small text-body-secondary")
    else:
        listed = html.Ul(
            [
                html.Li(
                    [
                        html.Span(m.label, className="me-2"),
                        dbc.Button(
                            "Remove",
                            id={"type": REMOVE, "token": m.token},
                            size="sm",
                            color="link",
                            className="p-0",
                        ),
                    ]
                )
                for m in methods
            ],
            className="list-unstyled small",
        )
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Saved cards and bank accounts", className="h6"),
                listed,
                dbc.Label(
                    "Add: the token from the gateway's secure form",
                    html_for="inv-method-token",
                    className="small",
                ),
                dbc.InputGroup(
                    [
                        dbc.Input(id="inv-method-token", placeholder="pm_…", debounce=True, maxLength=100),
                        dbc.Button("Add", id="inv-method-add", color="secondary"),
                    ],
                    size="sm",
                    style={"maxWidth": "30rem"},
                ),
                html.Div(
                    "Card and account numbers are typed into the gateway's own form, never into "
                    f"this site. Demo gateway tokens: {DEMO_TOKENS}.",
                    className="form-text",
                ),
            ]
        ),
        className="mb-3",
    )


def content(actor: Actor) -> Component:
    p = services().payments
    requests = p.list_requests(actor)
    history = p.payment_history(actor)
    names = {pid: pool.name for pid, pool in visible_pools(actor).items()}
    try:
        methods: list[SavedMethodOut] | None = p.payment_methods(actor)
    except DomainError:
        methods = None
    due = [r for r in requests if r.status in OPEN]
    settled = [r for r in requests if r.status not in OPEN]
    settled_rows = [
        (
            names.get(r.pool_id, f"Pool {r.pool_id}"),
            iso(r.due_date),
            money(r.amount_due, r.currency),
            money(r.amount_received, r.currency),
            money(r.credit, r.currency) if r.credit else "—",
            request_badge(r),
        )
        for r in settled
    ]
    history_rows = [
        (row["date"], row["pool"], row["rail"], row["amount"], row["status"], row["receipt"])
        for row in (payment_row(x, names) for x in history)
    ]
    return html.Div(
        [
            html.H2("To pay", className="h5"),
            *(
                [_request_card(actor, r, names.get(r.pool_id, f"Pool {r.pool_id}"), methods) for r in due]
                or [
                    html.P(
                        "Nothing to pay: no open capital calls.",
                        className="text-body-secondary",
                        id="nothing-due",
                    )
                ]
            ),
            _methods_card(methods),
            html.H2("Settled requests", className="h5 mt-4"),
            table(
                ("Pool", "Due date", "Asked", "Received", "Credit held", "Status"),
                settled_rows,
                "settled-requests",
                "None yet.",
            ),
            html.H2("Payment history and receipts", className="h5 mt-4"),
            table(
                ("Date", "Pool", "How", "Amount", "Status", "Receipt"),
                history_rows,
                "payment-history",
                "No payments yet.",
            ),
        ]
    )


@PAGE.callback(Output("investor-payments-content", "children"), Input("investor-payments-refresh", "data"))
def _render(_refresh: int | None) -> Component:
    actor = current_actor()
    if actor is None or actor.role is not Role.INVESTOR:
        return html.Div()
    return content(actor)


def act(
    actor: Actor,
    trigger: Mapping[str, Any] | str,
    chosen: Mapping[int, str],
    keys: Mapping[int, str],
    token: str | None,
) -> Any:
    """Pay, add or remove as the investor; the flash message says what happened."""
    p = services().payments
    try:
        if trigger == "inv-method-add":
            saved = p.add_payment_method(actor, MethodIn.model_validate({"token": (token or "").strip()}))
            return dbc.Alert(f"Saved: {saved.label}.", color="success", dismissable=True)
        if isinstance(trigger, Mapping) and trigger.get("type") == REMOVE:
            p.remove_payment_method(actor, MethodIn.model_validate({"token": str(trigger["token"])}))
            return dbc.Alert("Removed.", color="success", dismissable=True)
        if isinstance(trigger, Mapping) and trigger.get("type") == PAY:
            request_id = int(trigger["request"])
            method = PayIn.model_validate({"method": chosen.get(request_id, "")})
            paid = p.pay(actor, request_id, method, keys.get(request_id) or str(uuid.uuid4()))
            words = {
                "succeeded": "received",
                "processing": "processing: a bank debit takes a few days to settle",
                "pending": "queued: the payment gateway has not confirmed it yet; it is retried "
                "automatically, and charged once at most",
                "failed": f"failed ({paid.failure_reason or 'refused by the gateway'}); "
                "try another method or pay by wire",
            }.get(paid.status.value, paid.status.value)
            return dbc.Alert(
                f"Payment P-{paid.id} of {money(paid.amount, paid.currency)}: {words}.",
                color="success" if paid.status.value in ("succeeded", "processing", "pending") else "danger",
                dismissable=True,
            )
    except DomainError as exc:
        return dbc.Alert(f"Not done: {exc}", color="danger", dismissable=True)
    except ValueError as exc:  # pydantic: a token not shaped like the gateway's
        return dbc.Alert(f"Not done: {_first_error(exc)}", color="danger", dismissable=True)
    raise PreventUpdate


def _by_request(ids: list[dict[str, Any]], values: list[str | None]) -> dict[int, str]:
    """The browser's values by request id; an id that is not a number names no request."""
    out: dict[int, str] = {}
    for ident, value in zip(ids, values, strict=False):
        raw = str(ident.get("request", "")) if isinstance(ident, Mapping) else ""
        if raw.isdigit():
            out[int(raw)] = str(value or "")
    return out


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)


@PAGE.callback(
    Output("investor-payments-flash", "children"),
    Output("investor-payments-refresh", "data"),
    Input({"type": PAY, "request": ALL}, "n_clicks"),
    Input({"type": REMOVE, "token": ALL}, "n_clicks"),
    Input("inv-method-add", "n_clicks"),
    State({"type": PAY_METHOD, "request": ALL}, "value"),
    State({"type": PAY_METHOD, "request": ALL}, "id"),
    State({"type": PAY_KEY, "request": ALL}, "data"),
    State({"type": PAY_KEY, "request": ALL}, "id"),
    State("inv-method-token", "value"),
    State("investor-payments-refresh", "data"),
    prevent_initial_call=True,
)
def _act(  # noqa: PLR0917 - Dash passes inputs and states positionally
    pay_clicks: list[int | None],
    remove_clicks: list[int | None],
    add_clicks: int | None,
    methods: list[str | None],
    method_ids: list[dict[str, Any]],
    keys: list[str | None],
    key_ids: list[dict[str, Any]],
    token: str | None,
    refresh: int | None,
) -> tuple[Any, Any]:
    actor = current_actor()
    trigger = ctx.triggered_id
    if actor is None or actor.role is not Role.INVESTOR or trigger is None:
        raise PreventUpdate
    if not any(t.get("value") for t in ctx.triggered):
        raise PreventUpdate  # a button appearing (n_clicks None), not a click
    chosen = _by_request(method_ids, methods)
    known = _by_request(key_ids, keys)
    flash = act(actor, trigger, chosen, known, token)
    return flash, (refresh or 0) + 1 if flash is not no_update else no_update


payouts_panel.declare(PAGE)
