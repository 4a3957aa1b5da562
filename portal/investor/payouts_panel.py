"""The investor's payouts on the payments page: the bank account distributions are paid into
(changed with the password, then verified by the administrator by a call-back), and every
payout with where it is. The page (portal/investor/pages/payments.py) lays it out."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component
from pydantic import ValidationError

from backend.payments.interface import PayoutAccountIn, PayoutAccountOut, PayoutAccountStatus
from backend.platform.actors import Actor
from backend.platform.errors import DomainError
from portal.context import services
from portal.formatting import iso
from portal.shared.payments import payout_rows, table
from portal.shared.pools import visible_pools

PAYOUT_COLUMNS = ("Pool", "For", "Amount", "Status", "Note")


def _account_line(account: PayoutAccountOut) -> str:
    text = f"{account.account_name}, {account.iban_masked}" + (f", {account.bic}" if account.bic else "")
    if account.status is PayoutAccountStatus.PENDING:
        return f"{text}: waiting for verification (we call you on the number we have on file)"
    if account.held_until:
        return (
            f"{text}: verified {iso(account.verified_at.date() if account.verified_at else None)}; payouts "
            f"are reviewed by the manager until {iso(account.held_until)}"
        )
    return text


def panel(actor: Actor) -> Component:
    p = services().payments
    accounts = p.payout_accounts(actor)
    current = next((a for a in accounts if a.status is PayoutAccountStatus.VERIFIED), None)
    waiting = next((a for a in accounts if a.status is PayoutAccountStatus.PENDING), None)
    names = {pid: pool.name for pid, pool in visible_pools(actor).items()}
    rows = [
        (r["pool"], r["kind"], r["amount"], r["status"], r["note"])
        for r in payout_rows(p.list_payouts(actor), names)
    ]
    lines = [
        html.P(
            f"Paid into: {_account_line(current)}"
            if current
            else "No bank account on file yet: distributions wait until you add one.",
            className="small mb-1",
            id="payout-account-current",
        )
    ]
    if waiting:
        lines.append(html.P(f"Change requested: {_account_line(waiting)}", className="small mb-1"))
    return html.Div(
        [
            html.H2("Distributions and redemption proceeds", className="h5 mt-4"),
            *lines,
            table(PAYOUT_COLUMNS, rows, "investor-payouts", "Nothing paid out to you yet."),
        ]
    )


def account_form() -> Component:
    def field(label: str, ident: str, **kwargs: Any) -> Any:
        return dbc.Col(
            [
                dbc.Label(label, html_for=ident, className="small fw-semibold mb-1"),
                dbc.Input(id=ident, **kwargs),
            ],
            md=3,
        )

    card: Component = dbc.Card(
        dbc.CardBody(
            [
                html.H2("Change the bank account for payouts", className="h6"),
                html.P(
                    "Confirm with your password. The administrator then calls you on the number we have on "
                    "file before anything is paid into it, and the manager reviews the first payouts.",
                    className="small text-body-secondary",
                ),
                dbc.Row(
                    [
                        field("Account holder", "payout-account-name", type="text", maxLength=140),
                        field("IBAN", "payout-account-iban", type="text", maxLength=42),
                        field("BIC (optional)", "payout-account-bic", type="text", maxLength=14),
                        field(
                            "Your password",
                            "payout-account-password",
                            type="password",
                            autoComplete="current-password",
                        ),
                    ],
                    className="g-2 mb-2",
                ),
                dbc.Button("Request the change", id="payout-account-save", color="secondary", size="sm"),
            ]
        ),
        className="mb-3 mt-3",
    )
    return card


def request_change(
    actor: Actor, name: str | None, iban: str | None, bic: str | None, password: str | None
) -> Any:
    try:
        account = PayoutAccountIn.model_validate(
            {"account_name": name or "", "iban": iban or "", "bic": bic or None, "password": password or ""}
        )
        saved = services().payments.request_payout_account(actor, account)
    except ValidationError as exc:
        first = exc.errors()[0]
        return dbc.Alert(
            f"Not changed: {'.'.join(str(x) for x in first['loc'])}: {first['msg']}", color="danger"
        )
    except DomainError as exc:
        return dbc.Alert(f"Not changed: {exc}", color="danger")
    return dbc.Alert(
        f"Requested: {saved.account_name}, {saved.iban_masked}. "
        "Nothing is paid into it until it is verified.",
        color="success",
        dismissable=True,
    )
