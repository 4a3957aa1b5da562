"""Refunding a card or bank debit payment from the manager's payments page: the payment (its
P-number, as the tables show it), how much (by default its credit, else all of it) and why.
One idempotency key per rendering of the form, so a double click refunds once; the payment
service decides whether the manager may."""

from __future__ import annotations

import uuid
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component
from pydantic import ValidationError

from backend.payments.interface import RefundIn
from backend.platform.actors import Actor
from backend.platform.errors import DomainError
from portal.context import services
from portal.formatting import money
from portal.manager.payment_desk import labelled_input
from portal.shared.payments import LIVE, payment_state


def form() -> Component:
    card: Component = dbc.Card(
        dbc.CardBody(
            [
                html.H2("Refund a card or bank debit payment", className="h6"),
                html.P(
                    "Through the gateway, to the card or account that paid. Leave the amount empty to "
                    "give back the payment's credit (an overpayment), or all of it if it has none; "
                    "what was applied to a call is then owed again, and the books follow.",
                    className="small text-body-secondary",
                ),
                dbc.Row(
                    [
                        labelled_input("Payment (P-number)", "refund-payment", type="text", maxLength=24),
                        labelled_input(
                            "Amount (optional)", "refund-amount", type="text", inputMode="decimal"
                        ),
                        labelled_input("Reason", "refund-reason", type="text", maxLength=200),
                    ],
                    className="g-2 mb-2",
                ),
                dbc.Button("Refund", id="refund-send", color="danger", outline=True, size="sm"),
                dcc.Store(id="refund-key", data=uuid.uuid4().hex),
                html.Div(id="mgr-refund-flash", role="status", className="mt-2", **LIVE),
            ]
        ),
        className="mb-3",
    )
    return card


def act(actor: Actor, payment: str | None, amount: str | None, reason: str | None, key: str) -> Any:
    raw = (payment or "").strip().upper().removeprefix("P-").removeprefix("P")
    if not raw.isdigit():
        return dbc.Alert("Not done: payment: give its P-number, as in the tables above", color="danger")
    try:
        body = RefundIn.model_validate(
            {"amount": (amount or "").strip() or None, "reason": (reason or "").strip()}
        )
        done = services().payments.refund_payment(actor, int(raw), body, key)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return dbc.Alert(f"Not done: {where}: {first['msg']}", color="danger")
    except DomainError as exc:
        return dbc.Alert(f"Not done: {exc}", color="danger")
    held = money(done.applied + done.credit, done.currency)
    return dbc.Alert(f"Payment P-{done.id} {payment_state(done)}; it now holds {held}.", color="success")
