"""Template previews, for administrators only, on both backends: over the service, over REST
(the email as JSON, the notice as a PDF) and from the portal's Emails page, whose callback
functions show the preview to an admin and the service's refusal to anyone else. A preview
sends, issues and records nothing."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from pypdf import PdfReader

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform.actors import Actor, Role
from backend.platform.errors import PermissionDenied
from notifications.interface import DocumentKind, EmailPreview, NotificationKind
from tests.integration.pools_support import Api, World, make_world, problem_fields
from tests.integration.portal_support import login, make_portal, render_page

# Every test here runs in process and again with the notification service behind gRPC (its
# PDFs as protobuf bytes, its refusals as the same errors).
pytestmark = pytest.mark.over_grpc("notifications")

OTHERS = ("manager", "investor", "analyst")
CALL_TITLE = "Capital call issued: Harbour Private Equity I"


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _actor(world: World, who: str) -> Actor:
    actor: Actor = getattr(world, who)
    return actor


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def _text(component: Any) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda c: c.to_plotly_json(), ensure_ascii=False)


def test_an_admin_previews_every_template_over_the_service_and_nothing_is_sent(world: World) -> None:
    notifications = world.container.notifications
    for kind in NotificationKind:
        preview = notifications.preview_email(world.admin, kind)
        assert isinstance(preview, EmailPreview) and preview.kind is kind
        assert preview.subject and preview.subject in preview.text
        assert "Dear Ana Example," in preview.text and "<p>Dear Ana Example,</p>" in preview.html
    call = notifications.preview_email(world.admin, NotificationKind.CAPITAL_CALL)
    assert call.subject == CALL_TITLE and "Your share: EUR 10,000.00, due 2026-12-18." in call.text
    for document_kind in DocumentKind:
        assert notifications.preview_document(world.admin, document_kind).startswith(b"%PDF-")
    notice = _pdf_text(notifications.preview_document(world.admin, DocumentKind.CAPITAL_CALL_NOTICE))
    assert "This call EUR 10,000.00" in notice and "DE89 3704 0044 0532 0130 00" in notice
    # A preview is rendered, not sent or issued: no email recorded, no document in the vault.
    assert notifications.delivery_log(world.admin) == []
    assert notifications.documents(world.admin) == []


@pytest.mark.parametrize("who", OTHERS)
def test_nobody_else_previews_a_template_over_the_service(world: World, who: str) -> None:
    actor = _actor(world, who)
    with pytest.raises(PermissionDenied) as email:
        world.container.notifications.preview_email(actor, NotificationKind.CAPITAL_CALL)
    with pytest.raises(PermissionDenied) as document:
        world.container.notifications.preview_document(actor, DocumentKind.CAPITAL_CALL_NOTICE)
    assert email.value.field == document.value.field == "kind"
    assert "administrators only" in email.value.detail


def test_an_admin_previews_over_rest_and_nobody_else_does(world: World) -> None:
    api = Api(world)
    email = api.call("GET", "admin", "/notifications/template-previews?kind=distribution.made")
    assert email.status_code == 200, email.get_data(as_text=True)
    body = EmailPreview.model_validate(email.get_json())
    assert body.kind is NotificationKind.DISTRIBUTION and "You receive EUR 4,500.00." in body.text
    assert body.subject == "Distribution paid: Harbour Private Equity I" and "<html" in body.html

    pdf = api.call("GET", "admin", "/notifications/document-previews?kind=capital_account_statement")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert 'filename="sample-capital_account_statement.pdf"' in pdf.headers["Content-Disposition"]
    assert "Closing balance at 31 December 2026 EUR 26,250.00" in _pdf_text(pdf.get_data())

    for who in OTHERS:
        for path in (
            "/notifications/template-previews?kind=capital_call.issued",
            "/notifications/document-previews?kind=capital_call_notice",
        ):
            refused = api.call("GET", who, path)
            assert refused.status_code == 403, (who, path, refused.get_data(as_text=True))
            assert problem_fields(refused) == ["kind"]
            assert b"Harbour" not in refused.get_data() and b"%PDF" not in refused.get_data()


def test_a_kind_that_is_not_a_template_is_refused_over_rest(world: World) -> None:
    api = Api(world)
    for path in (
        "/notifications/template-previews?kind=capital_call_notice",  # a document kind: not an email
        "/notifications/document-previews?kind=capital_call.issued",
        "/notifications/template-previews",
        "/notifications/template-previews?kind=payment.failed&extra=1",
    ):
        answer = api.call("GET", "admin", path)
        assert answer.status_code == 422, (path, answer.get_data(as_text=True))


def test_the_emails_page_previews_for_an_admin_and_shows_the_refusal_to_others(world: World) -> None:
    from portal.admin import template_previews as page

    with create_app(world.container).test_request_context():
        shown = _text(page.preview(world.admin, "email:capital_call.issued"))
        assert CALL_TITLE in shown and "Your share: EUR 10,000.00, due 2026-12-18." in shown
        assert '"type": "Pre"' in shown and '"type": "Iframe"' in shown
        assert '"sandbox": ""' in shown and '"srcDoc": "<!doctype html>' in shown

        document = _text(page.preview(world.admin, "document:distribution_notice"))
        assert "Download sample PDF" in document and "Distribution notice" in document
        file, message = page.sample_file(world.admin, "document:capital_call_notice")
        assert message is None and file["type"] == "application/pdf" and file["base64"] is True
        assert file["filename"] == "sample-capital_call_notice.pdf"
        assert "This call EUR 10,000.00" in _pdf_text(base64.b64decode(file["content"]))

        # A value no dropdown offers (a forged request) is asked again for, not a 500.
        assert "Choose a template" in _text(page.preview(world.admin, "email:nonsense"))
        assert "Choose a document" in _text(page.sample_file(world.admin, "email:payment.failed")[1])

        for who in OTHERS:
            actor = _actor(world, who)
            refused = _text(page.preview(actor, "email:capital_call.issued"))
            assert "Not shown: template previews: administrators only" in refused, who
            assert CALL_TITLE not in refused and "Iframe" not in refused
            assert "Not shown" in _text(page.preview(actor, "document:capital_call_notice"))
            none, why = page.sample_file(actor, "document:capital_call_notice")
            assert none is None and "Not downloaded: template previews: administrators only" in _text(why)


def test_the_emails_page_offers_every_email_and_document_to_preview(container: Container) -> None:
    portal = make_portal(container)
    client = portal.client()
    assert login(client, portal.email(Role.ADMIN)).status_code == 303
    page = render_page(client, "/admin/emails")
    assert "Template previews" in page and "admin-preview-kind" in page
    for kind in NotificationKind:
        assert f'"email:{kind.value}"' in page, kind
    for document_kind in DocumentKind:
        assert f'"document:{document_kind.value}"' in page, document_kind
    assert "PDF: Capital account statement" in page and "admin-preview-file" in page
