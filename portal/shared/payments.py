"""How payments read on every role's page: statuses as words and colours, payments as table
rows, a request's outstanding amount. Pure functions of the payment service's answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from backend.payments.interface import (
    PaymentOut,
    PaymentRequestOut,
    PaymentStatus,
    PayoutOut,
    PayoutStatus,
    Rail,
    RequestStatus,
)
from portal.formatting import DASH, iso, money

LIVE: dict[str, Any] = {"aria-live": "polite"}
"""A flash message's region: screen readers announce what an action did."""

RAIL_NAMES = {
    Rail.GATEWAY: "Card / bank debit",
    Rail.BANK_TRANSFER: "Wire",
    Rail.BOOKS: "Entered in the books",
}

_PAYMENT_COLOURS = {
    PaymentStatus.PENDING: "secondary",
    PaymentStatus.PROCESSING: "info",
    PaymentStatus.SUCCEEDED: "success",
    PaymentStatus.FAILED: "danger",
    PaymentStatus.CANCELED: "secondary",
    PaymentStatus.PARTIALLY_REFUNDED: "warning",
    PaymentStatus.REFUNDED: "warning",
    PaymentStatus.REVERSED: "danger",
}
_REQUEST_WORDS = {
    RequestStatus.OPEN: "Open",
    RequestStatus.PARTIALLY_PAID: "Partly paid",
    RequestStatus.PAID: "Paid",
    RequestStatus.OVERPAID: "Overpaid (credit held)",
    RequestStatus.CANCELED: "Canceled (call reversed)",
}


def outstanding(request: PaymentRequestOut) -> Decimal:
    return max(request.amount_due - request.amount_received, Decimal(0))


def request_badge(request: PaymentRequestOut) -> Any:
    if request.overdue:
        return dbc.Badge("Overdue", color="danger", className="ms-1")
    colour = "success" if request.status in (RequestStatus.PAID, RequestStatus.OVERPAID) else "secondary"
    return dbc.Badge(_REQUEST_WORDS[request.status], color=colour, className="ms-1")


def payment_state(payment: PaymentOut) -> str:
    """The status as a person reads it: a wire waiting for its second approver says so."""
    if payment.awaiting_approval:
        return "awaiting approval"
    word = payment.status.value.replace("_", " ")
    return f"{word}: {payment.failure_reason}" if payment.failure_reason else word


def payment_badge(payment: PaymentOut) -> Any:
    colour = "warning" if payment.awaiting_approval else _PAYMENT_COLOURS[payment.status]
    return dbc.Badge(payment_state(payment), color=colour)


def receipt(payment: PaymentOut) -> str:
    """What identifies the payment to the investor's bank and to the books."""
    parts = [f"P-{payment.id}"]
    if payment.bank_reference:
        parts.append(f"bank ref {payment.bank_reference}")
    if payment.gateway_payment_id:
        parts.append(payment.gateway_payment_id)
    if payment.ledger_entry_id:
        parts.append(f"books entry #{payment.ledger_entry_id}")
    return " · ".join(parts)


def payment_row(payment: PaymentOut, pool_names: Mapping[int, str]) -> dict[str, Any]:
    c = payment.currency
    return {
        "id": payment.id,
        "date": iso(payment.value_date or payment.created_at.date()),
        "pool": pool_names.get(payment.pool_id, f"Pool {payment.pool_id}"),
        "investor_id": payment.investor_id,
        "rail": RAIL_NAMES[payment.rail],
        "amount": money(payment.amount, c),
        "applied": money(payment.applied, c),
        "credit": money(payment.credit, c) if payment.credit else DASH,
        "status": payment_state(payment),
        "receipt": receipt(payment),
    }


def payout_rows(payouts: Sequence[PayoutOut], pool_names: Mapping[int, str]) -> list[dict[str, Any]]:
    """Payouts as rows: what each was for, where it is, and why it waits if it does."""
    return [
        {
            "id": x.id,
            "pool": pool_names.get(x.pool_id, f"Pool {x.pool_id}"),
            "investor_id": x.investor_id,
            "kind": f"{x.kind.value} of {iso(x.effective_date)} (entry #{x.source_entry_id})",
            "amount": money(x.amount, x.currency),
            "status": x.status.value,
            "note": x.hold_reason
            or (f"file #{x.batch_id}" if x.batch_id else "")
            or (f"gateway transfer {x.gateway_transfer_id}" if x.gateway_transfer_id else ""),
            "held": x.status is PayoutStatus.HELD,
            "batch_id": x.batch_id,
        }
        for x in payouts
    ]


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], ident: str, empty: str) -> Any:
    """A plain, small table (the pages' lists are short: one call's investors, one queue)."""
    if not rows:
        return html.P(empty, className="text-body-secondary small", id=ident)
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h, scope="col") for h in headers])),
            html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in rows]),
        ],
        size="sm",
        striped=True,
        responsive=True,
        className="small",
        id=ident,
    )
