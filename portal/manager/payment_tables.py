"""What the manager's payments page shows of one pool: each capital call with who has paid,
the four-eyes queue, the statement lines to match, recent payments. Reads only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from backend.payments.interface import (
    LineStatus,
    PaymentRequestOut,
    RequestStatus,
)
from backend.platform.actors import Actor
from backend.platform.errors import DomainError
from portal.context import services
from portal.formatting import iso, money
from portal.shared.payments import outstanding, payment_row, request_badge, table

DECIDE = "mgr-wire-decide"
MATCH_TO = "mgr-line-request"
MATCH = "mgr-line-match"
OPEN = (RequestStatus.OPEN, RequestStatus.PARTIALLY_PAID)
RECENT = 50


def _call_section(requests: list[PaymentRequestOut], names: Mapping[int, str], entry_id: int) -> Any:
    c = requests[0].currency
    due = sum((r.amount_due for r in requests), Decimal(0))
    received = sum((min(r.amount_received, r.amount_due) for r in requests), Decimal(0))
    paid = sum(1 for r in requests if r.status in (RequestStatus.PAID, RequestStatus.OVERPAID))
    late = sum(1 for r in requests if r.overdue)
    pending = sum(1 for r in requests if r.status in OPEN) - late
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
            html.Details(
                [
                    html.Summary(f"Recent payments ({len(recent)})", className="h5 mt-4"),
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
            ),
        ]
    )
    return body, options
