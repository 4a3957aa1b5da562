"""The investor's payouts on the payments page: the bank account distributions are paid into
(changed with the password, confirmed with the code emailed to the investor, then verified by
the administrator by a call-back), and every payout with where it is. The page
(portal/investor/pages/payments.py) lays it out and gives it its callbacks (declare)."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from backend.payments.interface import (
    PayoutAccountCode,
    PayoutAccountIn,
    PayoutAccountOut,
    PayoutAccountStatus,
)
from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from portal.context import services
from portal.formatting import iso
from portal.page_registry import Page
from portal.shared.payments import payout_rows, table
from portal.shared.pools import visible_pools
from portal.shell.session import current_actor

PAYOUT_COLUMNS = ("Pool", "For", "Amount", "Status", "Note")


def _account_line(account: PayoutAccountOut) -> str:
    text = f"{account.account_name}, {account.iban_masked}" + (f", {account.bic}" if account.bic else "")
    if account.status is PayoutAccountStatus.UNCONFIRMED:
        until = f"{account.code_expires_at:%H:%M} UTC" if account.code_expires_at else "a few minutes"
        return f"{text}: enter the code we emailed you below (it works until {until})"
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
    waiting = next(
        (a for a in accounts if a.status in (PayoutAccountStatus.UNCONFIRMED, PayoutAccountStatus.PENDING)),
        None,
    )
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
                    "Ask with your password, then confirm with the code we email to your sign-in address. "
                    "The administrator then calls you on the number we have on file before anything is "
                    "paid into it, and the manager reviews the first payouts.",
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
                dbc.Row(
                    [
                        field(
                            "Code from the email",
                            "payout-account-code",
                            type="text",
                            inputMode="numeric",
                            maxLength=6,
                            autoComplete="one-time-code",
                        ),
                        dbc.Col(
                            dbc.Button(
                                "Confirm the change",
                                id="payout-account-confirm",
                                color="secondary",
                                size="sm",
                            ),
                            md="auto",
                            className="align-self-end",
                        ),
                    ],
                    className="g-2 mt-2",
                ),
            ]
        ),
        className="mb-3 mt-3 payout-account-form",  # portal.css: shown once what is above it is in
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
        f"Requested: {saved.account_name}, {saved.iban_masked}. We have emailed you a code: enter it "
        "below to confirm. Nothing is paid into it until it is confirmed and verified.",
        color="success",
        dismissable=True,
    )


def confirm_change(actor: Actor, code: str | None) -> Any:
    """The investor's latest unconfirmed change, confirmed with the code from the email."""
    try:
        entered = PayoutAccountCode.model_validate({"code": (code or "").strip()})
    except ValidationError:
        return dbc.Alert("Not confirmed: code: enter the six digits from the email", color="danger")
    p = services().payments
    try:
        waiting = next(
            (a for a in p.payout_accounts(actor) if a.status is PayoutAccountStatus.UNCONFIRMED), None
        )
        if waiting is None:
            nothing = "Not confirmed: no change is waiting for a code; request it again"
            return dbc.Alert(nothing, color="danger")
        confirmed = p.confirm_payout_account(actor, waiting.id, entered)
    except DomainError as exc:
        return dbc.Alert(f"Not confirmed: {exc}", color="danger")
    return dbc.Alert(
        f"Confirmed: {confirmed.iban_masked}. The administrator will call you on the number we have on "
        "file before anything is paid into it.",
        color="success",
        dismissable=True,
    )


def declare(page: Page) -> None:
    """The panel's callbacks, on its page."""

    @page.callback(Output("investor-payouts-panel", "children"), Input("investor-payouts-refresh", "data"))
    def _render_payouts(_refresh: int | None) -> Component:
        actor = current_actor()
        if actor is None or actor.role is not Role.INVESTOR:
            return html.Div()
        try:
            return panel(actor)
        except DomainError as exc:
            refused: Component = dbc.Alert(f"Payouts cannot be shown: {exc}", color="warning")
            return refused

    @page.callback(
        Output("investor-payouts-flash", "children", allow_duplicate=True),
        Output("investor-payouts-refresh", "data", allow_duplicate=True),
        Output("payout-account-password", "value"),
        Input("payout-account-save", "n_clicks"),
        State("payout-account-name", "value"),
        State("payout-account-iban", "value"),
        State("payout-account-bic", "value"),
        State("payout-account-password", "value"),
        State("investor-payouts-refresh", "data"),
        prevent_initial_call=True,
    )
    def _request_account(  # noqa: PLR0917 - Dash passes inputs and states positionally
        clicks: int | None,
        name: str | None,
        iban: str | None,
        bic: str | None,
        password: str | None,
        refresh: int | None,
    ) -> tuple[Any, Any, str]:
        actor = current_actor()
        if actor is None or actor.role is not Role.INVESTOR or not clicks:
            raise PreventUpdate
        # The password field is emptied whatever happened: it is not kept in the browser's page.
        return request_change(actor, name, iban, bic, password), (refresh or 0) + 1, ""

    @page.callback(
        Output("investor-payouts-flash", "children", allow_duplicate=True),
        Output("investor-payouts-refresh", "data", allow_duplicate=True),
        Output("payout-account-code", "value"),
        Input("payout-account-confirm", "n_clicks"),
        State("payout-account-code", "value"),
        State("investor-payouts-refresh", "data"),
        prevent_initial_call=True,
    )
    def _confirm_account(clicks: int | None, code: str | None, refresh: int | None) -> tuple[Any, Any, str]:
        actor = current_actor()
        if actor is None or actor.role is not Role.INVESTOR or not clicks:
            raise PreventUpdate
        return confirm_change(actor, code), (refresh or 0) + 1, ""
