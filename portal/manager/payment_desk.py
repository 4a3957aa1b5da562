"""What the manager does on the payments page: record a wire, approve or reject one, match a
statement line, import a statement, set the collection account. Each as the signed-in
manager; the payment service decides whether they may."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from backend.payments.interface import (
    CollectionAccountIn,
    ManualMatchIn,
    StatementFormat,
    StatementImportOut,
    StatementUpload,
    WireApproval,
    WireIn,
)
from backend.platform.actors import Actor
from backend.platform.errors import DomainError
from portal.context import services
from portal.manager.payment_tables import DECIDE, MATCH
from portal.shared.payments import payment_state

UPLOAD_MAX_BYTES = 5 * 1024 * 1024


def labelled_input(label: str, ident: str, **kwargs: Any) -> Any:
    """A labelled input in a quarter-width column, as the page's forms lay them out."""
    return dbc.Col(
        [dbc.Label(label, html_for=ident, className="small fw-semibold mb-1"), dbc.Input(id=ident, **kwargs)],
        md=3,
    )


def forms() -> Component:
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
                        labelled_input("Amount received", "wire-amount", type="text", inputMode="decimal"),
                        labelled_input("Value date", "wire-value-date", type="date"),
                        labelled_input("Bank reference", "wire-bank-ref", type="text", maxLength=64),
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
                            [
                                dbc.Label("Format", html_for="statement-format", className="visually-hidden"),
                                dbc.Select(
                                    id="statement-format",
                                    value="camt053",
                                    options=[
                                        {"label": f, "value": f} for f in (x.value for x in StatementFormat)
                                    ],
                                ),
                            ],
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
                        labelled_input("Account name", "account-name", type="text", maxLength=140),
                        labelled_input("IBAN", "account-iban", type="text", maxLength=42),
                        labelled_input("BIC", "account-bic", type="text", maxLength=14),
                    ],
                    className="g-2 mb-2",
                ),
                dbc.Button("Save account", id="account-save", color="secondary", size="sm"),
            ]
        ),
        className="mb-3",
    )
    return html.Div([record, statement, account])


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


def by_line(ids: list[Any], values: list[Any]) -> dict[int, str]:
    out: dict[int, str] = {}
    for ident, value in zip(ids, values, strict=False):
        raw = str(ident.get("line", "")) if isinstance(ident, Mapping) else ""
        if raw.isdigit() and value:
            out[int(raw)] = str(value)
    return out
