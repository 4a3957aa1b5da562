"""Payments (admin): the reconciliation's differences with what to do about each, the
gateway's and the webhooks' health, and the audit of every change to bank details.

Nothing here corrects anything: a difference is listed for a person to resolve, and a run
on demand only reads the gateway and the statements again.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from backend.payments.interface import AccountDecision, GatewayHealthOut, ReconciliationOut
from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError, NotFound
from portal.admin.data import audit_rows
from portal.components.row_actions import row_grid
from portal.context import services
from portal.formatting import DASH, iso, money
from portal.page_registry import Page
from portal.shared.payments import LIVE, table
from portal.shell.access import restricted
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/admin/payments", name="Payments")

BANK_DETAIL_CHANGES = {
    "payment.collection_account_set": "pool's collection account set",
    "payment.payout_account_requested": "investor asked to change their payout account",
    "payment.payout_account_confirmed": "investor confirmed the change with the emailed code",
    "payment.payout_account_code_refused": "a wrong or expired code was entered for the change",
    "payment.payout_account_verified": "payout account verified",
    "payment.payout_account_rejected": "payout account rejected",
}
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
            html.Div(id="admin-accounts-flash", role="status", **LIVE),
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


VERIFY = "admin-account-decide"
NOTE = "admin-account-note"


def _pending_accounts(actor: Actor) -> Any:
    """Bank account changes to verify: call the investor on the number already on file (never
    one given with the request), then verify or reject, saying how it was confirmed."""
    pending = services().payments.pending_payout_accounts(actor)
    names = services().investors.legal_names(actor, {a.investor_id for a in pending})
    rows = [
        (
            names.get(a.investor_id, f"Investor #{a.investor_id}"),
            f"{a.account_name}, {a.iban_masked}" + (f", {a.bic}" if a.bic else ""),
            f"{a.requested_at:%Y-%m-%d %H:%M}",
            dbc.Input(
                id={"type": NOTE, "account": a.id}, placeholder="How confirmed", size="sm", maxLength=300
            ),
            html.Div(
                [
                    dbc.Button(
                        "Verify",
                        id={"type": VERIFY, "account": a.id, "verify": "yes"},
                        size="sm",
                        color="success",
                        className="me-1",
                    ),
                    dbc.Button(
                        "Reject",
                        id={"type": VERIFY, "account": a.id, "verify": "no"},
                        size="sm",
                        color="outline-danger",
                    ),
                ]
            ),
        )
        for a in pending
    ]
    return html.Div(
        [
            html.H2("Bank account changes to verify", className="h5"),
            html.P(
                "Call the investor on the number already on file, never one given with the change.",
                className="small text-body-secondary",
            ),
            table(
                ("Investor", "New account", "Requested (UTC)", "Confirmed how", ""),
                rows,
                "pending-accounts",
                "None waiting.",
            ),
        ],
        className="mb-3",
    )


def decide(actor: Actor, trigger: Any, notes: dict[int, str]) -> Any:
    try:
        account_id = int(trigger["account"])
        decision = AccountDecision.model_validate(
            {"verify": trigger.get("verify") == "yes", "note": notes.get(account_id, "")}
        )
        out = services().payments.decide_payout_account(actor, account_id, decision)
    except ValidationError:
        return dbc.Alert(
            "Not done: note: say how the change was confirmed with the investor.", color="danger"
        )
    except (DomainError, ValueError, KeyError, TypeError) as exc:
        return dbc.Alert(f"Not done: {exc}", color="danger")
    return dbc.Alert(f"Account {out.iban_masked} {out.status.value}.", color="success", dismissable=True)


def bank_detail_changes(actor: Actor) -> list[dict[str, Any]]:
    """Every change to bank details, pools' and investors', newest first, masked."""
    found = [
        (r, what)
        for action, what in BANK_DETAIL_CHANGES.items()
        for r in audit_rows(actor, None, action, None, AUDIT_ROWS)
    ]
    found.sort(key=lambda pair: pair[0]["id"], reverse=True)
    found = found[:AUDIT_ROWS]
    named = services()
    investors = named.investors.legal_names(actor, _ids_of("investor", found))
    pools = named.pools.pool_names(actor, _ids_of("pool", found))
    names = {f"pool {pid}": name for pid, name in pools.items()}
    names |= {f"investor {iid}": name for iid, name in investors.items()}
    return [
        {
            "id": r["id"],
            "when": r["when"],
            "who": r["actor"],
            "what": what,
            "whose": names.get(r["object"], r["object"]),
            "change": r["change"],
        }
        for r, what in found
    ]


def _ids_of(kind: str, found: list[tuple[dict[str, Any], str]]) -> set[int]:
    """The ids of the `kind` objects ("pool 7", "investor 12") the changes are about."""
    return {int(r["object"].split()[1]) for r, _ in found if r["object"].startswith(f"{kind} ")}


CHANGE_COLUMNS = [
    {"field": "when", "headerName": "When (UTC)", "minWidth": 170},
    {"field": "who", "headerName": "Who", "minWidth": 180},
    {"field": "what", "headerName": "What", "minWidth": 260, "tooltipField": "what"},
    {"field": "whose", "headerName": "Whose", "minWidth": 180},
    {"field": "change", "headerName": "Change (masked)", "minWidth": 320, "tooltipField": "change"},
]


def _bank_detail_grid(changes: list[dict[str, Any]]) -> Any:
    """Up to AUDIT_ROWS changes in a grid, not a table: as a table they were 500 of the page's
    650 Dash components, and Dash's renderer works for each of them on every change of the
    page (1.1 s of the browser's time at large); the grid is one component and draws only
    the rows in view."""
    empty = "No bank details have been set or changed."
    if not changes:
        return html.P(empty, className="text-body-secondary small")
    return row_grid("bank-detail-audit", CHANGE_COLUMNS, changes, empty)


def content(actor: Actor) -> Component:
    p = services().payments
    try:
        run: ReconciliationOut | None = p.reconciliation(actor)
    except NotFound:
        run = None
    changes = bank_detail_changes(actor)
    return html.Div(
        [
            _pending_accounts(actor),
            _health(p.gateway_health(actor)),
            html.H2("Reconciliation", className="h5"),
            _reconciliation(run),
            html.H2("Bank detail changes", className="h5 mt-4"),
            _bank_detail_grid(changes),
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


@PAGE.callback(
    Output("admin-accounts-flash", "children"),
    Output("admin-pay-refresh", "data", allow_duplicate=True),
    Input({"type": VERIFY, "account": ALL, "verify": ALL}, "n_clicks"),
    State({"type": NOTE, "account": ALL}, "value"),
    State({"type": NOTE, "account": ALL}, "id"),
    State("admin-pay-refresh", "data"),
    prevent_initial_call=True,
)
def _decide(
    _clicks: list[int | None], notes: list[str | None], ids: list[Any], refresh: int | None
) -> tuple[Any, Any]:
    actor = current_actor()
    trigger = ctx.triggered_id
    if actor is None or not actor.is_admin or not isinstance(trigger, dict):
        raise PreventUpdate
    if not any(t.get("value") for t in ctx.triggered):
        raise PreventUpdate
    by_account = {
        int(i["account"]): str(n or "")
        for i, n in zip(ids, notes, strict=False)
        if isinstance(i, dict) and str(i.get("account", "")).isdigit()
    }
    return decide(actor, trigger, by_account), (refresh or 0) + 1
