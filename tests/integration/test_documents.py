"""Formal notices as documents, on both backends, through a real SMTP server on 127.0.0.1: a
capital call issues one PDF notice per investor, with the figures of the books as they stood
at the call (checked here against the books and the payment request), attached to the email;
a distribution by waterfall issues the investor's share tier by tier. An investor sees only
their own documents, a manager those of their pools; every read is recorded and the manager
sees who opened a notice; a document changed in the vault is refused, never served."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.finance.payment_references import request_reference
from backend.payments.interface import CollectionAccountIn
from backend.platform.config import Settings, load_settings
from backend.platform.errors import Conflict, NotFound
from ledger.interface import (
    CapitalCallRequest,
    DistributionMode,
    DistributionRequest,
    LedgerEvent,
    TransactionRequest,
)
from notifications.figures import money
from notifications.interface import DocumentKind, ReadAction
from notifications.models import Notification
from notifications.vault import DocumentTampered
from portal.pages import documents as page
from tests.integration.auth_support import PASSWORD, use_cheap_argon2
from tests.integration.mail_support import MailServer
from tests.integration.pools_support import World, closed_pool, make_world

# Every test here runs in process and again with the notification service behind gRPC (its
# PDFs as protobuf bytes, its refusals as the same errors).
pytestmark = pytest.mark.over_grpc("notifications")

D = Decimal


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path: Path, mail: MailServer) -> Settings:
    return load_settings(VAR_DIR=str(tmp_path / "var"), **mail.settings())


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _pool_with_two_calls(world: World) -> tuple[int, int, int, int]:
    """A EUR pool with a collection account; a (100,000) and b (50,000) committed; a first call
    of 30,000 long ago and a second of 15,000 today. Returns (pool, a, b, second call's entry)."""
    c = world.container
    pool = c.pools.create_pool(world.manager, closed_pool(name="Harbour PE I")).id
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo Other")
    world.commit(pool, a, "100000.00")
    world.commit(pool, b, "50000.00")
    c.payments.set_collection_account(
        world.manager,
        pool,
        CollectionAccountIn(
            account_name="Harbour PE I GmbH", iban="DE89370400440532013000", bic="COBADEFFXXX"
        ),
    )
    first = date.today() - timedelta(days=60)
    c.transactions.capital_call(
        world.manager,
        pool,
        CapitalCallRequest(amount=D(30000), due_date=first + timedelta(days=10), effective_date=first),
        str(uuid.uuid4()),
    )
    second = c.transactions.capital_call(
        world.manager,
        pool,
        CapitalCallRequest(
            amount=D(15000), due_date=date.today() + timedelta(days=14), memo="Portfolio company Alpha"
        ),
        str(uuid.uuid4()),
    )
    return pool, a, b, second.id


def test_a_capital_call_notice_prints_the_books_figures_and_is_attached_to_the_email(
    world: World, mail: MailServer
) -> None:
    c = world.container
    pool, a, _, entry = _pool_with_two_calls(world)
    mine = c.notifications.documents(world.investor)
    assert [d.kind for d in mine] == [DocumentKind.CAPITAL_CALL_NOTICE] * 2
    notice = mine[0]
    assert notice.reference == f"CC-{entry}" and notice.investor_id == a and notice.opened_at is None
    _, pdf = c.notifications.open_document(world.investor, notice.id, ReadAction.VIEW)
    text = _text(pdf)
    # The books: a holds two thirds of the commitments; 20,000 was called before, 10,000 now.
    position = c.transactions.position(a, pool)
    assert position is not None and position.called == D("30000.00")
    for figure in (
        "Commitment EUR 100,000.00",
        "Called to date before this call EUR 20,000.00",
        "This call EUR 10,000.00",
        "Unfunded commitment after this call EUR 70,000.00",
        "Portfolio company Alpha",
        "DE89 3704 0044 0532 0130 00",
        "COBADEFFXXX",
    ):
        assert figure in text, figure
    # The reference printed is the one the payment request matches a wire by.
    requests = c.payments.list_requests(world.investor, pool_id=pool)
    reference = next(r.reference for r in requests if r.amount_due == D("10000.00"))
    assert reference == request_reference(entry, a) and reference in text

    c.notifications.send_due_emails()
    to_investor = [m for m in mail.received if str(m["To"]) == world.emails["investor"]]
    assert len(to_investor) == 1  # the call of 60 days ago is history: in the app, not emailed
    (attachment,) = list(to_investor[0].iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"CC-{entry}.pdf"
    assert attachment.get_content() == pdf  # the notice as issued, byte for byte
    to_manager = [m for m in mail.received if str(m["To"]) == world.emails["manager"]]
    assert len(to_manager) == 1 and list(to_manager[0].iter_attachments()) == []


def test_each_sees_only_their_own_documents_and_the_manager_sees_who_opened_them(world: World) -> None:
    c = world.container
    pool, a, b, _ = _pool_with_two_calls(world)
    theirs = c.notifications.documents(world.other_investor)
    mine = c.notifications.documents(world.investor)
    assert {d.investor_id for d in theirs} == {b} and {d.investor_id for d in mine} == {a}
    for outsider in (world.other_investor, world.other_manager, world.analyst):
        with pytest.raises(NotFound):
            c.notifications.open_document(outsider, mine[0].id, ReadAction.VIEW)
    assert c.notifications.documents(world.other_manager) == []
    assert c.notifications.documents(world.analyst) == []
    with pytest.raises(NotFound):
        c.notifications.documents(world.other_manager, pool_id=pool)

    pool_docs = c.notifications.documents(world.manager, pool_id=pool, kind=DocumentKind.CAPITAL_CALL_NOTICE)
    assert len(pool_docs) == 4 and all(d.opened_at is None for d in pool_docs)
    c.notifications.open_document(world.manager, mine[0].id, ReadAction.VIEW)  # not the investor opening it
    c.notifications.open_document(world.investor, mine[0].id, ReadAction.VIEW)
    c.notifications.open_document(world.investor, mine[0].id, ReadAction.DOWNLOAD)
    seen = {d.id: d for d in c.notifications.documents(world.manager, pool_id=pool)}
    assert seen[mine[0].id].opens == 2 and seen[mine[0].id].opened_at is not None
    assert seen[theirs[0].id].opens == 0 and seen[theirs[0].id].opened_at is None
    assert len(c.notifications.documents(world.admin)) == 4


def test_a_redelivered_event_issues_nothing_and_a_changed_file_is_refused(
    world: World, transport: str
) -> None:
    c = world.container
    pool, a, _, entry = _pool_with_two_calls(world)
    before = c.notifications.documents(world.admin)
    with c.db.writer_session() as session:
        event_id = session.scalars(
            select(Notification.event_id).where(Notification.entry_id == entry)
        ).first()
    assert event_id is not None
    details = c.ledger.get_entry(entry).details
    redelivered = LedgerEvent(
        event_id=event_id,
        event_type="capital_call.issued",
        pool_id=pool,
        entry_id=entry,
        occurred_at=datetime.now(UTC),
        payload={**details, "effective_date": date.today().isoformat()},
    )
    c.notification_consumer.handle(redelivered)
    assert c.notifications.documents(world.admin) == before  # nothing issued twice
    notice = next(d for d in before if d.investor_id == a)
    doc_path = next(
        (c.settings.var_dir / "documents").rglob(f"*-i{notice.investor_id}-{notice.sha256[:16]}.pdf")
    )
    doc_path.chmod(0o644)
    doc_path.write_bytes(doc_path.read_bytes() + b"% a figure changed after issue\n")
    with pytest.raises(Conflict) as withheld:
        c.notifications.open_document(world.investor, notice.id, ReadAction.VIEW)
    assert "withheld" in str(withheld.value)
    if transport == "in-process":  # across gRPC the refusal travels, not the vault's error behind it
        assert isinstance(withheld.value.__cause__, DocumentTampered)


def test_a_waterfall_distribution_notice_shows_the_share_tier_by_tier(world: World) -> None:
    c = world.container
    pool, a, b, _ = _pool_with_two_calls(world)
    for investor, paid in ((a, "30000.00"), (b, "15000.00")):
        c.transactions.record(
            world.manager,
            pool,
            TransactionRequest.model_validate(
                {
                    "type": "contribution",
                    "investor_id": investor,
                    "amount": paid,
                    "effective_date": date.today().isoformat(),
                }
            ),
            str(uuid.uuid4()),
        )
    entry = c.transactions.distribute(
        world.manager,
        pool,
        DistributionRequest(amount=D(9000), effective_date=date.today(), mode=DistributionMode.WATERFALL),
        str(uuid.uuid4()),
    )
    (notice,) = c.notifications.documents(world.investor, kind=DocumentKind.DISTRIBUTION_NOTICE)
    assert notice.reference == f"D-{entry.id}"
    share = entry.details["investors"][str(a)]
    text = _text(c.notifications.open_document(world.investor, notice.id, ReadAction.VIEW)[1])
    assert D(share["total"]) == D("6000.00") and D(share["return_of_capital"]) == D("6000.00")
    assert "Return of capital EUR 6,000.00" in text and "EUR 6,000.00" in text
    assert "Preferred return" not in text  # a tier that paid this investor nothing is not listed


def test_documents_over_rest_with_the_pdf_download_recorded(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_cheap_argon2(monkeypatch)
    c = world.container
    _pool_with_two_calls(world)
    client = create_app(c).test_client()

    def bearer(email: str) -> dict[str, str]:
        answer = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
        return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}

    investor, other = bearer(world.emails["investor"]), bearer(world.emails["other_investor"])
    listed = client.get("/api/v1/documents", headers=investor)
    assert listed.status_code == 200 and len(listed.get_json()) == 2
    first = listed.get_json()[0]
    pdf = client.get(f"/api/v1/documents/{first['id']}/pdf", headers=investor)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["ETag"] == f'"{first["sha256"]}"' and pdf.data.startswith(b"%PDF-")
    refused = client.get(f"/api/v1/documents/{first['id']}/pdf", headers=other)
    assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    bad = client.get("/api/v1/documents?kind=rumour", headers=investor)
    assert bad.status_code == 422 and "kind" in str(bad.get_json()["errors"])
    again = client.get("/api/v1/documents", headers=investor).get_json()[0]
    assert again["opens"] == 1 and again["opened_at"] is not None


def _shown(component: object) -> str:
    def dump(c: object) -> object:
        return c.to_plotly_json() if hasattr(c, "to_plotly_json") else str(c)

    return json.dumps(component, default=dump, ensure_ascii=False)


def test_the_documents_page_lists_downloads_and_shows_the_manager_who_opened(world: World) -> None:
    c = world.container
    _, _, _, entry = _pool_with_two_calls(world)
    with create_app(c).test_request_context():
        grid, summary = page.table(world.investor, "")
        assert summary.startswith("2 documents") and f"CC-{entry}" in _shown(grid)
        assert "Bo Other" not in _shown(grid) and "Opened by the investor" not in _shown(grid)
        staff_grid, staff_summary = page.table(world.manager, DocumentKind.CAPITAL_CALL_NOTICE.value)
        assert "4 documents" in staff_summary and "4 not yet opened" in staff_summary
        assert "Ana Example" in _shown(staff_grid) and "Bo Other" in _shown(staff_grid)
        mine = c.notifications.documents(world.investor)[0]
        file, message = page.download(world.investor, mine.id)
        assert message is None and file["filename"] == f"{mine.reference}.pdf" and file["base64"] is True
        refused, why = page.download(world.other_investor, mine.id)
        assert refused is None and "Not downloaded" in _shown(why) and "not found" in _shown(why)
        _, after = page.table(world.manager, "")
        assert "3 not yet opened" in after
        assert page.table(world.other_manager, "")[1] == "0 documents"


def test_quarterly_statements_are_issued_once_tie_out_to_the_reports_and_reach_each_investor(
    world: World, mail: MailServer
) -> None:
    c = world.container
    pool, a, b, _ = _pool_with_two_calls(world)
    today = date.today()
    period = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    for outsider in (world.other_manager, world.investor, world.analyst):
        with pytest.raises(NotFound):
            c.notifications.issue_statements(outsider, pool, period)
    first = c.notifications.issue_statements(world.manager, pool, period)
    assert (first.issued, first.already, first.period) == (2, 0, period)
    again = c.notifications.issue_statements(world.manager, pool, period)
    assert (again.issued, again.already) == (0, 2)  # issued once: the same documents stand

    (mine,) = c.notifications.documents(world.investor, kind=DocumentKind.CAPITAL_ACCOUNT_STATEMENT)
    assert mine.reference == f"ST-{pool}-{period}" and mine.investor_id == a
    report = c.reports.statement(world.investor, a, pool, period=period)
    text = _text(c.notifications.open_document(world.investor, mine.id, ReadAction.VIEW)[1])
    for label, amount in (
        ("Contributions", report.contributions),
        ("Distributions", report.distributions),
        ("Total commitment", report.committed),
        ("Unfunded commitment", report.unfunded_commitment),
    ):
        assert f"{label} {money(amount, 'EUR')}" in text, label
    assert money(report.ending_balance, "EUR") in text and money(report.beginning_balance, "EUR") in text

    c.notifications.send_due_emails()
    statements = [m for m in mail.received if "capital account statement" in str(m["Subject"])]
    assert sorted(str(m["To"]) for m in statements) == sorted(
        [world.emails["investor"], world.emails["other_investor"]]
    )
    to_ana = next(m for m in statements if str(m["To"]) == world.emails["investor"])
    (pdf,) = list(to_ana.iter_attachments())
    assert pdf.get_filename() == f"ST-{pool}-{period}.pdf" and pdf.get_content().startswith(b"%PDF-")
    assert to_ana["List-Unsubscribe"] is None  # a formal notice
    assert b not in {d.investor_id for d in c.notifications.documents(world.investor)}


def test_a_manager_issues_statements_from_the_documents_page(world: World) -> None:
    c = world.container
    pool, _, _, _ = _pool_with_two_calls(world)
    today = date.today()
    period = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    with create_app(c).test_request_context():
        done = _shown(page.issue(world.manager, pool, period))
        assert f"Statements {period}: 2 issued now, 0 issued before." in done
        assert "0 issued now, 2 issued before" in _shown(page.issue(world.manager, pool, period))
        refused = _shown(page.issue(world.other_manager, pool, period))
        assert "Not issued" in refused and "not found" in refused
        assert "Not issued" in _shown(page.issue(world.manager, pool, "last spring"))
        assert "Choose a pool" in _shown(page.issue(world.manager, None, period))
    assert len(c.notifications.documents(world.manager, kind=DocumentKind.CAPITAL_ACCOUNT_STATEMENT)) == 2
