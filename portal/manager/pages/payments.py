"""Payments (manager): per capital call who has paid, who is pending and who is overdue, with
totals; wires waiting for a second person; recording a wire by hand; importing the bank's
statement and matching what it could not; the pool's collection account.

Every id the browser sends (the pool, a payment, a statement line, a request) is checked by
the payment service against the signed-in manager. A wire recorded here, and a statement
line matched by hand, reach the books only once another manager of the pool or an admin
approves them: the approver may not be who recorded it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from backend.payments.interface import (
    CollectionAccountIn,
    LineStatus,
    ManualMatchIn,
    PaymentRequestOut,
    RequestStatus,
    StatementFormat,
    StatementImportOut,
    StatementUpload,
    WireApproval,
    WireIn,
)
from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from backend.pools.interface import PoolKind
from portal.context import services
from portal.formatting import iso, money
from portal.manager.data import list_all_pools
from portal.page_registry import Page
from portal.shared.payments import LIVE, outstanding, payment_row, payment_state, request_badge, table
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
            dcc.Loading(html.Div(id="mgr-pay-content"), type="default", delay_show=300),
            _forms(),
        ]
    )


# -- what the page shows ---------------------------------------------------------------------


def _call_section(requests: list[PaymentRequestOut], names: Mapping[int, str], entry_id: int) -> Any:
    c = requests[0].currency
    due = sum((r.amount_due for r in requests), Decimal(0))
    received = sum((min(r.amount_received, r.amount_due) for r in requests), Decimal(0))
    paid = sum(1 for r in requests if r.status not in OPEN)
    late = sum(1 for r in requests if r.overdue)
    pending = len(requests) - paid - late
    summary = (
        f"Due {money(due, c)} · received {money(received, c)} · outstanding {money(due - received, c)} · "
        f"{paid} paid, {pending} pending, {late} overdue"
    )
    rows = [
        (
            names.get(r.investor_id, f"Investor #{r.investor_id}"),
            money(r.amount_due, c),
            money(r.amount_received, c),
            money(outstanding(r), c),
            money(r.credit, c) if r.credit else "—",
            r.reference,
            request_badge(r),
        )
        for r in requests
    ]
    return html.Div(
        [
            html.H3(f"Capital call #{entry_id}, due {iso(requests[0].due_date)}", className="h6 mt-3 mb-1"),
            html.P(summary, className="small mb-2", id=f"call-{entry_id}-totals"),
            table(
                ("Investor", "Asked", "Received", "Outstanding", "Credit held", "Reference", "Status"),
                rows,
                f"call-{entry_id}",
                "",
            ),
        ]
    )


def _settled_calls(calls: Mapping[int, list[PaymentRequestOut]]) -> Any:
    """Calls paid in full, one line each: the detail is on the pool's transactions."""
    rows = []
    for entry, rs in sorted(calls.items(), reverse=True):
        c = rs[0].currency
        credit = sum((r.credit for r in rs), Decimal(0))
        rows.append(
            (
                f"#{entry}",
                iso(rs[0].due_date),
                str(len(rs)),
                money(sum((r.amount_due for r in rs), Decimal(0)), c),
                money(credit, c) if credit else "—",
            )
        )
    if not rows:
        return html.Div()
    return html.Details(
        [
            html.Summary(f"{len(rows)} capital calls paid in full", className="small mt-2"),
            table(
                ("Call", "Due date", "Investors", "Asked and received", "Credit held"),
                rows,
                "settled-calls",
                "",
            ),
        ]
    )


def _queue(actor: Actor, pool_id: int, names: Mapping[int, str], pool_name: str) -> Any:
    waiting = services().payments.payment_history(actor, pool_id=pool_id, awaiting_approval=True)
    rows = [
        (
            f"P-{w.id}",
            names.get(w.investor_id, f"Investor #{w.investor_id}"),
            money(w.amount, w.currency),
            w.bank_reference or "—",
            iso(w.value_date),
            "you" if w.recorded_by_user_id == actor.user_id else f"user #{w.recorded_by_user_id}",
            html.Div(
                [
                    dbc.Button(
                        "Approve",
                        id={"type": DECIDE, "payment": w.id, "approve": "yes"},
                        size="sm",
                        color="success",
                        className="me-1",
                    ),
                    dbc.Button(
                        "Reject",
                        id={"type": DECIDE, "payment": w.id, "approve": "no"},
                        size="sm",
                        color="outline-danger",
                    ),
                ]
            ),
        )
        for w in waiting
    ]
    return table(
        ("Payment", "Investor", "Amount", "Bank ref", "Value date", "Recorded by", ""),
        rows,
        "wire-queue",
        f"Nothing waiting for approval in {pool_name}.",
    )


def _unmatched(actor: Actor, pool_id: int, options: list[dict[str, Any]]) -> Any:
    lines = services().payments.statement_lines(actor, pool_id, LineStatus.UNMATCHED)
    rows = [
        (
            iso(line.booking_date),
            money(line.amount, line.currency),
            line.payer_name or "—",
            line.remittance or "—",
            line.reason,
            dbc.InputGroup(
                [
                    dbc.Select(
                        id={"type": MATCH_TO, "line": line.id}, options=options, placeholder="Request…"
                    ),
                    dbc.Button("Match", id={"type": MATCH, "line": line.id}, color="secondary"),
                ],
                size="sm",
            ),
        )
        for line in lines
    ]
    return table(
        ("Booked", "Amount", "Payer", "Remittance", "Why unmatched", "Match to (a second person approves)"),
        rows,
        "unmatched-lines",
        "No unmatched money in.",
    )


def content(actor: Actor, pool_id: int) -> tuple[Component, list[dict[str, Any]]]:
    """The page's tables, and the open requests a wire may be recorded against."""
    p = services().payments
    pool = services().pools.get_pool(actor, pool_id)
    requests = p.list_requests(actor, pool_id=pool_id)
    names = services().investors.legal_names(actor, {r.investor_id for r in requests})
    by_call: dict[int, list[PaymentRequestOut]] = defaultdict(list)
    for r in requests:
        by_call[r.source_entry_id].append(r)
    options = [
        {
            "label": f"{names.get(r.investor_id, r.investor_id)}: call #{r.source_entry_id}, "
            f"{money(outstanding(r), r.currency)} outstanding",
            "value": str(r.id),
        }
        for r in requests
        if r.status in OPEN
    ]
    recent = [
        payment_row(x, {pool_id: pool.name}) for x in p.payment_history(actor, pool_id=pool_id)[:RECENT]
    ]
    try:
        account = p.collection_account(actor, pool_id)
        where = f"Wires go to {account.account_name}, {account.iban_masked}" + (
            f", {account.bic}" if account.bic else ""
        )
    except DomainError:
        where = "No collection account yet: investors see no wire instructions until one is set below."
    body = html.Div(
        [
            html.P(where, className="small", id="collection-account"),
            html.H2("Capital calls", className="h5"),
            *(
                [
                    _call_section(rs, names, entry)
                    for entry, rs in sorted(by_call.items(), reverse=True)
                    if any(r.status in OPEN for r in rs)
                ]
                or [html.P("Nothing outstanding on any capital call.", className="text-body-secondary")]
            ),
            _settled_calls({e: rs for e, rs in by_call.items() if all(r.status not in OPEN for r in rs)}),
            html.H2("Waiting for a second approval", className="h5 mt-4"),
            _queue(actor, pool_id, names, pool.name),
            html.H2("Statement lines to match", className="h5 mt-4"),
            _unmatched(actor, pool_id, options),
            html.H2("Recent payments", className="h5 mt-4"),
            table(
                ("Date", "Investor", "How", "Amount", "Applied", "Credit", "Status", "Receipt"),
                [
                    (
                        r["date"],
                        names.get(r["investor_id"], r["investor_id"]),
                        r["rail"],
                        r["amount"],
                        r["applied"],
                        r["credit"],
                        r["status"],
                        r["receipt"],
                    )
                    for r in recent
                ],
                "pool-payments",
                "No payments yet.",
            ),
        ]
    )
    return body, options


def _field(label: str, ident: str, **kwargs: Any) -> Any:
    return dbc.Col(
        [dbc.Label(label, html_for=ident, className="small fw-semibold mb-1"), dbc.Input(id=ident, **kwargs)],
        md=3,
    )


def _forms() -> Component:
    """The pool's write forms: they stay mounted while the tables above redraw."""
    record = dbc.Card(
        dbc.CardBody(
            [
                html.H2("Record a wire received", className="h6"),
                html.P(
                    "It reaches the books once another manager of the pool or an admin approves it.",
                    className="small text-body-secondary",
                ),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                dbc.Label(
                                    "Request", html_for="wire-request", className="small fw-semibold mb-1"
                                ),
                                dbc.Select(id="wire-request", options=[]),
                            ],
                            md=3,
                        ),
                        _field("Amount received", "wire-amount", type="text", inputMode="decimal"),
                        _field("Value date", "wire-value-date", type="date"),
                        _field("Bank reference", "wire-bank-ref", type="text", maxLength=64),
                    ],
                    className="g-2 mb-2",
                ),
                dbc.Button("Record wire", id="wire-record", color="primary", size="sm"),
            ]
        ),
        className="mb-3 mt-4",
    )
    statement = dbc.Card(
        dbc.CardBody(
            [
                html.H2("Import a bank statement", className="h6"),
                html.P(
                    "camt.053, camt.054, MT940 or CSV of the pool's collection account. A file is imported "
                    "whole or not at all; movements imported before are skipped.",
                    className="small text-body-secondary",
                ),
                dbc.Row(
                    [
                        dbc.Col(
                            dbc.Select(
                                id="statement-format",
                                value="camt053",
                                options=[
                                    {"label": f, "value": f} for f in (x.value for x in StatementFormat)
                                ],
                            ),
                            md=2,
                        ),
                        dbc.Col(
                            dcc.Upload(
                                id="statement-file",
                                children=html.Div(["Drop or ", html.A("choose a file")]),
                                max_size=UPLOAD_MAX_BYTES,
                                className="border rounded p-2 small",
                            ),
                            md=6,
                        ),
                        dbc.Col(
                            dbc.Button("Import", id="statement-import", color="primary", size="sm"), md=2
                        ),
                    ],
                    className="g-2",
                ),
            ]
        ),
        className="mb-3",
    )
    account = dbc.Card(
        dbc.CardBody(
            [
                html.H2("Collection account", className="h6"),
                html.P(
                    "Where investors wire capital calls. The IBAN is checked and stored encrypted; "
                    "the change is audited.",
                    className="small text-body-secondary",
                ),
                dbc.Row(
                    [
                        _field("Account name", "account-name", type="text", maxLength=140),
                        _field("IBAN", "account-iban", type="text", maxLength=42),
                        _field("BIC", "account-bic", type="text", maxLength=14),
                    ],
                    className="g-2 mb-2",
                ),
                dbc.Button("Save account", id="account-save", color="secondary", size="sm"),
            ]
        ),
        className="mb-3",
    )
    return html.Div([record, statement, account])


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
        return content(actor, pool_id)
    except DomainError:
        return dbc.Alert("Nothing to show: no such pool, or it is not one of yours.", color="warning"), []


# -- what the page does ----------------------------------------------------------------------


def _done(message: str) -> Any:
    return dbc.Alert(message, color="success", dismissable=True)


def _refused(exc: Exception) -> Any:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        text = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    else:
        text = str(exc)
    return dbc.Alert(f"Not done: {text}", color="danger", dismissable=True)


def _summary(result: StatementImportOut) -> str:
    return (
        f"{result.filename}: {result.lines} new movements ({result.duplicates} imported before): "
        f"{result.matched} matched, {result.returned} returns, {result.unmatched} to match by hand, "
        f"{result.ignored} not investor payments."
    )


def act(actor: Actor, trigger: Any, pool_id: Any, values: Mapping[str, Any]) -> Any:  # noqa: PLR0911
    """One press of a button on the page, as the signed-in manager: what to tell them."""
    p = services().payments
    try:
        if isinstance(trigger, Mapping) and trigger.get("type") == DECIDE:
            approve = trigger.get("approve") == "yes"
            done = p.decide_wire(
                actor,
                int(trigger["payment"]),
                WireApproval(approve=approve, reason="" if approve else "rejected in the portal"),
            )
            return _done(
                f"Payment P-{done.id} {'approved: ' + payment_state(done) if approve else 'rejected'}."
            )
        if isinstance(trigger, Mapping) and trigger.get("type") == MATCH:
            line_id = int(trigger["line"])
            request = values["match"].get(line_id)
            if not request:
                return _refused(ValueError("request_id: choose the request the money is for"))
            wire = p.match_statement_line(
                actor, line_id, ManualMatchIn.model_validate({"request_id": request})
            )
            return _done(f"Matched as payment P-{wire.id}: another manager or an admin approves it.")
        if not isinstance(pool_id, int):
            raise PreventUpdate
        if trigger == "wire-record":
            wire = p.record_wire(
                actor,
                WireIn.model_validate(
                    {
                        "request_id": values["request"] or 0,
                        "amount": values["amount"] or "",
                        "value_date": values["value_date"] or "",
                        "bank_reference": values["bank_ref"] or "",
                    }
                ),
            )
            return _done(f"Recorded as payment P-{wire.id}: another manager or an admin approves it.")
        if trigger == "statement-import":
            contents = values["file"] or ""
            if "," not in contents:
                return _refused(ValueError("file: choose the statement file first"))
            upload = StatementUpload.model_validate(
                {
                    "format": values["format"],
                    "filename": values["filename"] or "statement",
                    "content_base64": contents.split(",", 1)[1],
                }
            )
            return _done(_summary(p.import_statement(actor, pool_id, upload)))
        if trigger == "account-save":
            account = CollectionAccountIn.model_validate(
                {
                    "account_name": values["account_name"] or "",
                    "iban": values["iban"] or "",
                    "bic": values["bic"] or None,
                }
            )
            saved = p.set_collection_account(actor, pool_id, account)
            return _done(f"Collection account saved: {saved.account_name}, {saved.iban_masked}.")
    except (DomainError, ValidationError, ValueError, KeyError, TypeError) as exc:
        return _refused(exc)
    raise PreventUpdate


def _by_line(ids: list[Any], values: list[Any]) -> dict[int, str]:
    out: dict[int, str] = {}
    for ident, value in zip(ids, values, strict=False):
        raw = str(ident.get("line", "")) if isinstance(ident, Mapping) else ""
        if raw.isdigit() and value:
            out[int(raw)] = str(value)
    return out


@PAGE.callback(
    Output("mgr-pay-flash", "children"),
    Output("mgr-pay-refresh", "data"),
    Input({"type": DECIDE, "payment": ALL, "approve": ALL}, "n_clicks"),
    Input({"type": MATCH, "line": ALL}, "n_clicks"),
    Input("wire-record", "n_clicks"),
    Input("statement-import", "n_clicks"),
    Input("account-save", "n_clicks"),
    State({"type": MATCH_TO, "line": ALL}, "value"),
    State({"type": MATCH_TO, "line": ALL}, "id"),
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
        "match": _by_line(match_ids or [], match_values or []),
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
    flash = act(actor, trigger, pool_id, values)
    return flash, (refresh or 0) + 1 if flash is not no_update else no_update
