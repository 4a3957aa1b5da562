"""Documents (investors, managers, administrators): formal notices and statements as issued.

An investor sees their own notices, by pool and date, and downloads each PDF. A manager sees
those of the pools they manage with, for each, whether the investor has opened it and when
(read tracking): who still has not looked at a capital call due next week. Every download
is recorded by the notification service, which also checks the PDF against the hash it was
issued with; the page only asks for it as the signed-in person.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from notifications.interface import DeliveryStatus, DocumentKind, DocumentOut, ReadAction
from portal.components.pdf_download import pdf_download
from portal.components.row_actions import actions_column, pressed_row, row_action, row_grid
from portal.context import services
from portal.formatting import iso
from portal.page_registry import Page
from portal.shared.payments import LIVE
from portal.shared.pools import visible_pools
from portal.shell.access import restricted
from portal.shell.session import current_actor

PAGE = Page(__name__, path="/documents", name="Documents")

SENT_WORDS = {
    DeliveryStatus.QUEUED: "queued",
    DeliveryStatus.SENDING: "sending",
    DeliveryStatus.SENT: "sent",
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.FAILED: "failed",
    DeliveryStatus.UNKNOWN: "may have gone: check",
    DeliveryStatus.BOUNCED: "bounced",
}
KIND_LABELS = {
    DocumentKind.CAPITAL_CALL_NOTICE: "Capital call notices",
    DocumentKind.DISTRIBUTION_NOTICE: "Distribution notices",
    DocumentKind.CAPITAL_ACCOUNT_STATEMENT: "Capital account statements",
}
SHOWN = 200


@PAGE.layout
@restricted(Role.INVESTOR, Role.MANAGER, Role.ADMIN)
def layout(actor: Actor) -> Component:
    staff = actor.role is not Role.INVESTOR
    return html.Div(
        [
            html.H1("Documents", className="h3 mb-1", id="page-title"),
            html.P(
                "Notices sent to investors, as issued: each PDF is checked against its issued "
                "fingerprint when opened, and the investor's opening of it is shown."
                if staff
                else "Your notices as issued. Each download is the document exactly as it was sent.",
                className="text-body-secondary small mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Show", html_for="doc-kind", className="small fw-semibold"),
                            dcc.Dropdown(
                                id="doc-kind",
                                options=[{"label": "all documents", "value": ""}]
                                + [{"label": label, "value": k.value} for k, label in KIND_LABELS.items()],
                                value="",
                                clearable=False,
                            ),
                        ],
                        md=4,
                    ),
                    dbc.Col(
                        [
                            dbc.Label("Pool", html_for="doc-pool", className="small fw-semibold"),
                            dcc.Dropdown(
                                id="doc-pool",
                                options=[{"label": "all pools", "value": 0}]
                                + [
                                    {"label": p.name, "value": p.id}
                                    for p in sorted(visible_pools(actor).values(), key=lambda p: p.name)
                                ],
                                value=0,
                                clearable=False,
                            ),
                        ],
                        md=4,
                    ),
                ],
                className="g-2 mb-3",
            ),
            *([_issue_form(actor)] if staff else []),
            html.Div(id="doc-flash", role="status", **LIVE),
            html.Div(id="doc-resend-flash", role="status", **LIVE),
            dcc.Download(id="doc-file"),
            dcc.Loading(html.Div(id="doc-table"), type="default", delay_show=300),
        ]
    )


def _issue_form(actor: Actor) -> Any:
    """Statements for a period: the pools the actor manages, a period, one button."""
    pools = [p for p in visible_pools(actor).values() if services().pools.can_manage(actor, p.id)]
    today = date.today()
    last_quarter = f"{today.year}-Q{(today.month - 1) // 3}" if today.month > 3 else f"{today.year - 1}-Q4"
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Issue capital account statements", className="h6"),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                dbc.Label("Pool", html_for="doc-issue-pool", className="small"),
                                dcc.Dropdown(
                                    id="doc-issue-pool",
                                    options=[{"label": p.name, "value": p.id} for p in pools],
                                    value=pools[0].id if pools else None,
                                    clearable=False,
                                ),
                            ],
                            md=5,
                        ),
                        dbc.Col(
                            [
                                dbc.Label("Period", html_for="doc-issue-period", className="small"),
                                dbc.Input(id="doc-issue-period", value=last_quarter, maxLength=10),
                                dbc.FormText('"2026-Q4", "2026-12" or "2026"'),
                            ],
                            md=3,
                        ),
                        dbc.Col(
                            dbc.Button("Issue statements", id="doc-issue", color="primary"),
                            md=4,
                            className="align-self-center",
                        ),
                    ],
                    className="g-2",
                ),
                html.P(
                    "One PDF per investor, issued once: issuing the same period again sends only "
                    "those missing. Each investor is emailed theirs as a formal notice.",
                    className="small text-body-secondary mb-0 mt-2",
                ),
            ]
        ),
        className="mb-3",
    )


def issue(actor: Actor, pool_id: object, period: object) -> Any:
    """Issue the period's statements as the signed-in manager; the outcome as a message."""
    if not isinstance(pool_id, int) or isinstance(pool_id, bool):
        return dbc.Alert("Choose a pool.", color="warning")
    if not isinstance(period, str) or not period.strip():
        return dbc.Alert("period: give one, such as 2026-Q4.", color="warning")
    try:
        done = services().notifications.issue_statements(actor, pool_id, period.strip())
    except DomainError as exc:
        return dbc.Alert(f"Not issued: {exc}", color="danger")
    return dbc.Alert(
        f"Statements {done.period}: {done.issued} issued now, {done.already} issued before.", color="success"
    )


def _opened(document: DocumentOut) -> str:
    if document.opened_at is None:
        return "not yet"
    times = "once" if document.opens == 1 else f"{document.opens} times"
    return f"{document.opened_at:%Y-%m-%d %H:%M} UTC ({times})"  # sorts by time in the grid


def _sent(status: DeliveryStatus | None) -> str:
    return SENT_WORDS[status] if status is not None else "—"


def resend(actor: Actor, document_id: int) -> Any:
    """Email one notice again to its investor, as the signed-in manager; the outcome."""
    try:
        done = services().notifications.resend_document(actor, document_id)
    except DomainError as exc:
        return dbc.Alert(f"Not resent: {exc}", color="danger")
    return dbc.Alert(f"Queued again to {done.to_address}: it goes within a minute.", color="success")


def _columns(staff: bool) -> list[dict[str, Any]]:
    columns: list[dict[str, Any]] = [
        {"field": "issued", "headerName": "Issued", "maxWidth": 130},
        {"field": "title", "headerName": "Document", "flex": 2},
        {"field": "reference", "headerName": "Reference"},
    ]
    if staff:
        columns += [
            {"field": "investor", "headerName": "Investor"},
            {"field": "opened", "headerName": "Opened by the investor"},
            {"field": "email", "headerName": "Email", "maxWidth": 150},
            {"field": "text", "headerName": "Text", "maxWidth": 150},
        ]
    return [*columns, actions_column("File")]


def _actions(document: DocumentOut, investor: str | None) -> list[dict[str, str]]:
    actions = [row_action("pdf", "PDF", f"Download {document.reference}.pdf", primary=True)]
    if investor is not None and document.email_delivery_id is not None:
        actions.append(row_action("resend", "Resend", f"Email {document.reference} to {investor} again"))
    return actions


def table(actor: Actor, kind: str | None, pool_id: object = None) -> tuple[Any, str]:
    """The documents as one grid, a row each with its PDF (and, for staff, Resend) buttons
    drawn by the grid (portal/components/row_actions.py)."""
    chosen = DocumentKind(kind) if kind else None
    pool = pool_id if isinstance(pool_id, int) and not isinstance(pool_id, bool) and pool_id > 0 else None
    documents = services().notifications.documents(actor, pool_id=pool, kind=chosen, limit=SHOWN)
    if not documents:
        return html.P("No documents yet.", className="text-body-secondary"), "0 documents"
    staff = actor.role is not Role.INVESTOR
    names = services().investors.legal_names(actor, {d.investor_id for d in documents}) if staff else {}
    rows = []
    for d in documents:
        who = names.get(d.investor_id, f"investor {d.investor_id}") if staff else None
        row: dict[str, Any] = {"id": d.id, "issued": iso(d.issued_on), "title": d.title}
        row |= {"reference": d.reference, "actions": _actions(d, who)}
        if staff:
            row |= {"investor": who, "opened": _opened(d), "email": _sent(d.email_status)}
            row["text"] = _sent(d.sms_status)
        rows.append(row)
    grid = row_grid("doc-grid", _columns(staff), rows, "No documents yet.")
    unopened = sum(1 for d in documents if d.opened_at is None)
    summary = f"{len(documents)} documents (newest first, at most {SHOWN})"
    if staff:
        summary += f"; {unopened} not yet opened by their investor"
    return grid, summary


@PAGE.callback(
    Output("doc-table", "children"),
    Output("doc-flash", "children", allow_duplicate=True),
    Input("doc-kind", "value"),
    Input("doc-pool", "value"),
    prevent_initial_call="initial_duplicate",
)
def _show(kind: str | None, pool_id: object) -> tuple[Any, Any]:
    actor = current_actor()
    if actor is None:
        raise PreventUpdate
    try:
        grid, summary = table(actor, kind, pool_id)
    except (ValueError, DomainError):  # a kind no page offers
        return [], dbc.Alert("Choose what to show.", color="warning")
    return grid, html.Div(summary, className="small text-body-secondary mb-2")


def download(actor: Actor, document_id: int) -> tuple[Any, Any]:
    """(the file for dcc.Download, a message): as the signed-in person, recorded."""
    try:
        document, content = services().notifications.open_document(actor, document_id, ReadAction.DOWNLOAD)
    except DomainError as exc:
        return None, dbc.Alert(f"Not downloaded: {exc}", color="danger")
    return pdf_download(content, f"{document.reference}.pdf"), None


@PAGE.callback(
    Output("doc-flash", "children", allow_duplicate=True),
    Output("doc-kind", "value"),
    Input("doc-issue", "n_clicks"),
    State("doc-issue-pool", "value"),
    State("doc-issue-period", "value"),
    prevent_initial_call=True,
)
def _issue(pressed: int | None, pool_id: object, period: object) -> tuple[Any, str]:
    actor = current_actor()
    if actor is None or not pressed or ctx.triggered_id != "doc-issue":
        raise PreventUpdate
    # Showing the statements refreshes the table with what was just issued.
    return issue(actor, pool_id, period), DocumentKind.CAPITAL_ACCOUNT_STATEMENT.value


@PAGE.callback(
    Output("doc-file", "data"),
    Output("doc-flash", "children", allow_duplicate=True),
    Input("doc-grid", "cellRendererData"),
    prevent_initial_call=True,
)
def _download(pressed: object) -> tuple[Any, Any]:
    actor = current_actor()
    document = pressed_row(pressed, "pdf")
    if actor is None or document is None:
        raise PreventUpdate
    return download(actor, document)


@PAGE.callback(
    Output("doc-resend-flash", "children"),
    Input("doc-grid", "cellRendererData"),
    prevent_initial_call=True,
)
def _resend(pressed: object) -> Any:
    actor = current_actor()
    document = pressed_row(pressed, "resend")
    if actor is None or document is None:
        raise PreventUpdate
    return resend(actor, document)
