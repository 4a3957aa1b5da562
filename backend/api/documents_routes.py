"""The document vault over REST: the notices and statements the caller may see, and each one's
PDF (checked against its issued hash; every download recorded)."""

from __future__ import annotations

from flask import Response

from backend.api.routing import ApiRouter
from backend.platform.actors import Actor
from backend.service_directory import Services
from notifications.interface import (
    DeliveryOut,
    DocumentOut,
    DocumentQuery,
    ReadAction,
    StatementIssue,
    StatementIssueOut,
)


def register(router: ApiRouter, container: Services) -> None:
    @router.operation(
        "GET",
        "/documents",
        summary="Notices and statements: an investor's own, a manager's pools', newest first, "
        "with when the investor first opened each",
        tag="documents",
        query=DocumentQuery,
        response=list[DocumentOut],
        errors=(404,),
    )
    def list_documents(actor: Actor, query: DocumentQuery) -> list[DocumentOut]:
        return container.notifications.documents(
            actor, pool_id=query.pool_id, kind=query.kind, limit=query.limit
        )

    @router.operation(
        "GET",
        "/documents/{document_id}/pdf",
        summary="One document's PDF as issued (its SHA-256 in the ETag); the download is recorded",
        tag="documents",
        errors=(404,),
    )
    def get_document_pdf(actor: Actor, document_id: int) -> Response:
        document, content = container.notifications.open_document(actor, document_id, ReadAction.DOWNLOAD)
        response = Response(content, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'attachment; filename="{document.reference}.pdf"'
        response.headers["ETag"] = f'"{document.sha256}"'
        response.headers["Cache-Control"] = "no-store"  # one investor's figures
        return response

    @router.operation(
        "POST",
        "/documents/{document_id}/resend",
        summary="Email a notice again to the investor it is addressed to, at their current address "
        "(the pool's managers, administrators)",
        tag="documents",
        response=DeliveryOut,
        errors=(404, 409),
    )
    def resend_document(actor: Actor, document_id: int) -> DeliveryOut:
        return container.notifications.resend_document(actor, document_id)

    @router.operation(
        "POST",
        "/pools/{pool_id}/statements",
        summary="Issue the pool's capital account statements for a period (one PDF per investor, "
        "once; each investor is sent theirs as a formal notice)",
        tag="documents",
        body=StatementIssue,
        response=StatementIssueOut,
        errors=(404,),
    )
    def post_statements(actor: Actor, pool_id: int, body: StatementIssue) -> StatementIssueOut:
        return container.notifications.issue_statements(actor, pool_id, body.period)
