"""Template previews (admin): each kind of email (subject, plain text, HTML) and each kind of
PDF notice, rendered by the notification service with sample figures, so an administrator
checks what investors receive without sending or issuing anything. The email's HTML is shown
in a sandboxed iframe (no scripts, no forms, its own opaque origin): it is markup written for
mail clients, and must never run in the portal's page. The admin emails page holds the
section and its callbacks (portal/admin/pages/emails.py)."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from backend.platform.actors import Actor
from backend.platform.errors import DomainError
from notifications.interface import DocumentKind, EmailPreview, NotificationKind
from portal.components.pdf_download import pdf_download
from portal.context import services
from portal.shared.notification_preferences import KIND_LABELS
from portal.shared.payments import LIVE

# A preview's choice names its medium, "email:<kind>" or "document:<kind>": one dropdown
# offers both, and the prefix keeps the two families of kinds apart whatever they are called.
EMAIL, DOCUMENT = "email", "document"
DOCUMENT_LABELS = {
    DocumentKind.CAPITAL_CALL_NOTICE: "Capital call notice",
    DocumentKind.DISTRIBUTION_NOTICE: "Distribution notice",
    DocumentKind.CAPITAL_ACCOUNT_STATEMENT: "Capital account statement",
}
PREVIEW_OPTIONS = [
    {"label": f"Email: {KIND_LABELS[k]}", "value": f"{EMAIL}:{k.value}"} for k in NotificationKind
] + [{"label": f"PDF: {DOCUMENT_LABELS[k]}", "value": f"{DOCUMENT}:{k.value}"} for k in DocumentKind]

_LABELLED: dict[str, Any] = {"aria-labelledby": "admin-preview-title"}


def previews_section() -> Component:
    return html.Section(
        [
            html.H2("Template previews", className="h5 mb-2", id="admin-preview-title"),
            html.P(
                "Each email and notice as investors receive it, filled in with sample figures "
                "(no investor's own). Nothing is sent or issued.",
                className="small text-body-secondary",
            ),
            dbc.Row(
                dbc.Col(
                    [
                        dbc.Label("Template", html_for="admin-preview-kind", className="small fw-semibold"),
                        dcc.Dropdown(
                            id="admin-preview-kind",
                            options=PREVIEW_OPTIONS,
                            value=PREVIEW_OPTIONS[0]["value"],
                            clearable=False,
                        ),
                    ],
                    md=5,
                ),
                className="mb-3",
            ),
            html.Div(id="admin-preview-flash", role="status", **LIVE),
            dcc.Download(id="admin-preview-file"),
            dcc.Loading(html.Div(id="admin-preview"), type="default", delay_show=300),
        ],
        className="mt-5 pt-3 border-top",
        **_LABELLED,
    )


def _chosen(choice: object) -> NotificationKind | DocumentKind:
    """The kind a dropdown value names (ValueError: not one the dropdown offers)."""
    medium, _, name = str(choice).partition(":")
    if medium == EMAIL:
        return NotificationKind(name)
    if medium == DOCUMENT:
        return DocumentKind(name)
    raise ValueError(f"not a template: {choice!r}")


def _email(preview: EmailPreview) -> Component:
    return html.Div(
        [
            html.Div("Subject", className="small fw-semibold text-body-secondary"),
            html.P(preview.subject, className="fw-semibold", id="admin-preview-subject"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.H3("Plain text", className="h6"),
                            html.Pre(
                                preview.text,
                                className="border rounded p-2 small bg-body-tertiary",
                                style={"whiteSpace": "pre-wrap"},
                            ),
                        ],
                        lg=6,
                    ),
                    dbc.Col(
                        [
                            html.H3("HTML", className="h6"),
                            # sandbox="" grants nothing: no scripts, forms, pop-ups or top
                            # navigation, and an origin of its own, not the portal's.
                            html.Iframe(
                                srcDoc=preview.html,
                                sandbox="",
                                referrerPolicy="no-referrer",
                                title=f"The HTML part of the email: {preview.subject}",
                                className="border rounded w-100 bg-white",
                                style={"height": "28rem"},
                            ),
                        ],
                        lg=6,
                    ),
                ],
                className="g-3",
            ),
        ]
    )


def _alert(text: str, color: str) -> Component:
    alert: Component = dbc.Alert(text, color=color)
    return alert


def preview(actor: Actor, choice: object) -> Component:
    """The chosen template filled in with sample figures, as the service renders it; the
    service's refusal for anyone but an administrator."""
    try:
        kind = _chosen(choice)
        if isinstance(kind, NotificationKind):
            return _email(services().notifications.preview_email(actor, kind))
        content = services().notifications.preview_document(actor, kind)
    except ValueError:
        return _alert("Choose a template.", "warning")
    except DomainError as exc:
        return _alert(f"Not shown: {exc}", "danger")
    return html.Div(
        [
            html.P(
                f"{DOCUMENT_LABELS[kind]}: a one-page PDF ({len(content) / 1024:.1f} KB) rendered as an "
                "issued one is, with sample figures. It is not issued to anyone nor kept in the vault.",
                className="small",
            ),
            dbc.Button("Download sample PDF", id="admin-preview-download", color="primary", outline=True),
        ]
    )


def sample_file(actor: Actor, choice: object) -> tuple[Any, Any]:
    """(the sample PDF for dcc.Download, a message): the service's refusal for a non-admin."""
    try:
        kind = _chosen(choice)
        if not isinstance(kind, DocumentKind):
            raise ValueError(f"not a document: {choice!r}")
        content = services().notifications.preview_document(actor, kind)
    except ValueError:
        return None, dbc.Alert("Choose a document to download.", color="warning")
    except DomainError as exc:
        return None, dbc.Alert(f"Not downloaded: {exc}", color="danger")
    return pdf_download(content, f"sample-{kind.value}.pdf"), None
