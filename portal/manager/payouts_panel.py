"""The pool's payouts on the manager's payments page: what each distribution and redemption
owes each investor, held ones to review and release, and paying them (a payment file for the
bank, or transfers through the gateway).
The page (portal/manager/pages/payments.py) lays it out and declares the callbacks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component
from pydantic import ValidationError

from backend.payments.interface import PayoutFileIn
from backend.platform.actors import Actor
from backend.platform.errors import DomainError
from portal.context import services
from portal.shared.payments import payout_rows, table

RELEASE = "mgr-payout-release"
COLUMNS = ("Investor", "For", "Amount", "Status", "Note / file", "")
OPEN_PAYOUTS = ("held", "ready", "instructed")


def file_url(batch_id: int) -> str:
    return f"/api/v1/payments/payout-files/{batch_id}"


def panel(actor: Actor, pool_id: int) -> Component:
    payouts = services().payments.list_payouts(actor, pool_id)
    names = services().investors.legal_names(actor, {x.investor_id for x in payouts})
    rows = [
        (
            names.get(r["investor_id"], f"Investor #{r['investor_id']}"),
            r["kind"],
            r["amount"],
            r["status"],
            html.A(r["note"], href=file_url(r["batch_id"])) if r["batch_id"] else r["note"],
            dbc.Button("Release", id={"type": RELEASE, "payout": r["id"]}, size="sm", color="outline-primary")
            if r["held"]
            else "",
        )
        for r in payout_rows(payouts, {})
    ]
    # What is still on its way first; paid, returned and canceled ones fold away.
    moving = [row for row, x in zip(rows, payouts, strict=True) if x.status.value in OPEN_PAYOUTS]
    done = [row for row, x in zip(rows, payouts, strict=True) if x.status.value not in OPEN_PAYOUTS]
    return html.Div(
        [
            html.H2("Payouts", className="h5 mt-4"),
            html.P(
                "Held payouts wait for you: no verified account yet, or one verified in the last days "
                "(review it, then release). Ready payouts go into the next payment file.",
                className="small text-body-secondary",
            ),
            table(COLUMNS, moving, "pool-payouts", "No payouts on their way."),
            html.Details(
                [
                    html.Summary(f"Paid, returned or canceled ({len(done)})", className="small"),
                    table(COLUMNS, done, "pool-payouts-done", ""),
                ]
            )
            if done
            else None,
        ]
    )


def file_form() -> Component:
    form: Component = dbc.Card(
        dbc.CardBody(
            [
                html.H2("Pay the ready payouts", className="h6"),
                html.P(
                    "Either one pain.001 credit-transfer file for the bank, from the pool's collection "
                    "account (SEPA: EUR only; the bank's statement then marks each payout paid), or a "
                    "transfer through the payment gateway for each, in the pool's currency (paid when "
                    "the gateway confirms it; one the investor's bank refuses comes back as returned).",
                    className="small text-body-secondary",
                ),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                dbc.Label(
                                    "Execution date",
                                    html_for="payout-file-date",
                                    className="small fw-semibold",
                                ),
                                dbc.Input(id="payout-file-date", type="date"),
                            ],
                            md=3,
                        ),
                        dbc.Col(
                            dbc.Button(
                                "Create payment file", id="payout-file-create", color="primary", size="sm"
                            ),
                            md=3,
                            className="align-self-end",
                        ),
                        dbc.Col(
                            dbc.Button(
                                "Pay through the gateway",
                                id="payout-transfers-send",
                                color="outline-primary",
                                size="sm",
                            ),
                            md=3,
                            className="align-self-end",
                        ),
                    ],
                    className="g-2",
                ),
            ]
        ),
        className="mb-3",
    )
    return form


def act(actor: Actor, trigger: Any, pool_id: Any, execution_date: str | None) -> Any:
    """Release a held payout, or make the pool's payment file, as the signed-in manager."""
    p = services().payments
    try:
        if isinstance(trigger, Mapping) and trigger.get("type") == RELEASE:
            released = p.release_payout(actor, int(trigger["payout"]))
            return dbc.Alert(f"Payout {released.id} released: it goes into the next file.", color="success")
        if trigger == "payout-file-create" and isinstance(pool_id, int):
            request = PayoutFileIn.model_validate(
                {"execution_date": execution_date or date.today().isoformat()}
            )
            batch, _ = p.create_payout_file(actor, pool_id, request)
            return dbc.Alert(
                [
                    f"File {batch.message_id}: {batch.payouts} payouts, {batch.total} {batch.currency}. ",
                    html.A("Download it for the bank", href=file_url(batch.id)),
                ],
                color="success",
            )
        if trigger == "payout-transfers-send" and isinstance(pool_id, int):
            sent = p.send_payouts_through_gateway(actor, pool_id)
            paid = [x for x in sent if x.status.value == "paid"]
            waiting = len(sent) - len(paid)
            text = f"{len(paid)} payouts paid through the gateway"
            if waiting:
                text += f"; {waiting} waiting for the gateway's answer or held (see their notes)"
            return dbc.Alert(text + ".", color="success" if not waiting else "warning")
    except (DomainError, ValidationError, ValueError, KeyError) as exc:
        return dbc.Alert(f"Not done: {exc}", color="danger")
    return None
