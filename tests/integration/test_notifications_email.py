"""Email notices end to end, on both backends, through a real SMTP server on 127.0.0.1: a
capital call records one email per person concerned before anything is sent, sends each once
(multipart text and HTML, names escaped), never twice for a redelivered event; an SMTP outage
queues them with a backoff and they go once when it returns; a refused address fails for good;
a worker that died mid-send leaves the message for a person; history is not emailed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform.config import Settings, load_settings
from backend.platform.errors import Conflict, PermissionDenied
from backend.users.models import User
from ledger.interface import CapitalCallRequest, LedgerEvent
from notifications.interface import DeliveryStatus, NotificationKind
from notifications.models import Delivery
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


def _call(
    world: World,
    *,
    name: str = "Harbour <b>PE</b> I",
    on: date | None = None,
    investors: tuple[int, int] | None = None,
) -> tuple[int, int, int]:
    """A EUR pool; investor a and other investor b committed; a call of 30,000 dated `on`."""
    c = world.container
    pool = c.pools.create_pool(world.manager, closed_pool(name=name)).id
    a, b = investors or (
        world.investor_profile(world.investor),
        world.investor_profile(world.other_investor, name="Bo Other"),
    )
    world.commit(pool, a, "100000.00")
    world.commit(pool, b, "50000.00")
    day = on or date.today()
    call = CapitalCallRequest(amount=D(30000), due_date=day + timedelta(days=14), effective_date=day)
    c.transactions.capital_call(world.manager, pool, call, str(uuid.uuid4()))
    return pool, a, b


def _log(world: World) -> list[tuple[str, str]]:
    return sorted(
        (d.to_address, d.status.value) for d in world.container.notifications.delivery_log(world.admin)
    )


def test_a_capital_call_emails_each_person_once_in_text_and_html(world: World, mail: MailServer) -> None:
    _call(world)
    people = sorted(world.emails[k] for k in ("manager", "investor", "other_investor"))
    # Recorded before anything is sent.
    assert _log(world) == [(p, "queued") for p in people] and mail.received == []
    sent = world.container.notifications.send_due_emails()
    assert sent == {"sent": 3, "retry": 0, "failed": 0, "interrupted": 0}
    assert sorted(str(m["To"]) for m in mail.received) == people
    assert _log(world) == [(p, "sent") for p in people]
    to_investor = next(m for m in mail.received if str(m["To"]) == world.emails["investor"])
    assert to_investor["Subject"] == "Capital call issued: Harbour <b>PE</b> I"
    text = to_investor.get_body(preferencelist=("plain",))
    html = to_investor.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert "Your share: EUR 20,000.00, due" in text.get_content()
    assert "Harbour &lt;b&gt;PE&lt;/b&gt; I" in html.get_content()  # a name is data, not markup
    assert "<b>PE</b>" not in html.get_content()
    assert "http://127.0.0.1:8050/documents" in text.get_content()  # where its notice is
    # Nothing is due any more; the same event delivered again records and sends nothing.
    assert world.container.notifications.send_due_emails()["sent"] == 0
    assert len(mail.received) == 3


def test_a_redelivered_event_records_no_second_email(world: World, mail: MailServer) -> None:
    pool, a, _ = _call(world)
    c = world.container
    c.notifications.send_due_emails()
    event = LedgerEvent(
        event_id=f"evt-{uuid.uuid4().hex}",
        event_type="capital_call.issued",
        pool_id=pool,
        entry_id=None,
        occurred_at=datetime.now(UTC),
        payload={"amount": "1000", "due_date": "2030-01-31", "allocation": {str(a): "1000.00"}},
    )
    c.notification_consumer.handle(event)
    c.notification_consumer.handle(event)  # RabbitMQ redelivers it
    assert len(_log(world)) == 3 + 2  # the investor and the manager, once each
    c.notifications.send_due_emails()
    c.notifications.send_due_emails()
    assert len(mail.received) == 5


def test_an_smtp_outage_queues_the_emails_and_they_go_once_when_it_returns(
    world: World, mail: MailServer
) -> None:
    _call(world)
    c = world.container
    mail.stop()
    try:
        outage = c.notifications.send_due_emails()
    finally:
        mail.start()
    assert outage["retry"] == 3 and mail.received == []
    waiting = c.notifications.delivery_log(world.admin)
    assert {d.status for d in waiting} == {DeliveryStatus.QUEUED}
    assert all(d.attempts == 1 and d.last_error and d.next_try_at for d in waiting)
    assert all(d.next_try_at and d.next_try_at > datetime.now(UTC) for d in waiting)
    assert c.notifications.send_due_emails()["sent"] == 0  # not due yet: the backoff holds
    _come_due(c)
    assert c.notifications.send_due_emails()["sent"] == 3
    assert len(mail.received) == 3 and _log(world) == [(a, "sent") for a, _ in _log(world)]


def test_a_refused_address_fails_for_good_and_a_dead_worker_leaves_it_to_a_person(
    world: World, mail: MailServer
) -> None:
    c = world.container
    with c.db.writer_session() as session:  # the investor's address now bounces
        session.execute(
            update(User).where(User.email == world.emails["investor"]).values(email="bounce@pools.test")
        )
        session.commit()
    first = _call(world)
    counts = c.notifications.send_due_emails()
    assert counts["failed"] == 1 and counts["sent"] == 2
    failed = next(d for d in c.notifications.delivery_log(world.admin) if d.to_address == "bounce@pools.test")
    assert failed.status is DeliveryStatus.FAILED and "550" in failed.last_error
    _come_due(c)
    # Never tried again; what goes now is the pool's manager being told, by email too.
    assert c.notifications.send_due_emails()["sent"] == 1
    told = mail.received[-1]
    assert str(told["To"]) == world.emails["manager"] and "could not be delivered" in str(told["Subject"])
    # The pool's manager is told in the app, once: someone must reach the investor otherwise.
    alerts = c.notifications.list_for_user(world.manager, kind=NotificationKind.UNDELIVERABLE).items
    assert [a.title for a in alerts] == ["A capital call notice could not be delivered"]
    assert "bounce@pools.test" in alerts[0].body and "550" in alerts[0].body
    assert alerts[0].link == f"/manager/pools/{first[0]}"
    assert c.notifications.list_for_user(world.investor, kind=NotificationKind.UNDELIVERABLE).items == []
    # The address is corrected; an administrator resends it, to the new address, once.
    with pytest.raises(PermissionDenied):
        c.notifications.resend_delivery(world.manager, failed.id)
    with c.db.writer_session() as session:
        session.execute(
            update(User).where(User.email == "bounce@pools.test").values(email="ana.fixed@pools.test")
        )
        session.commit()
    again = c.notifications.resend_delivery(world.admin, failed.id)
    assert again.status is DeliveryStatus.QUEUED and again.to_address == "ana.fixed@pools.test"
    with pytest.raises(Conflict):
        c.notifications.resend_delivery(world.admin, failed.id)  # queued: nothing to resend
    assert c.notifications.send_due_emails()["sent"] == 1
    assert [str(m["To"]) for m in mail.received].count("ana.fixed@pools.test") == 1

    # A second call: a worker claims the manager's email and dies before the server answers.
    _call(world, name="Second Pool", investors=first[1:])
    with c.db.writer_session() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.status == "queued", Delivery.to_address == world.emails["manager"])
            .values(status="sending", claimed_at=datetime.now(UTC) - timedelta(minutes=6))
        )
        session.commit()
    before = len(mail.received)
    counts = c.notifications.send_due_emails()
    assert counts["interrupted"] == 1 and counts["sent"] == 2  # the two investors'
    assert len(mail.received) == before + 2
    unknown = [d for d in c.notifications.delivery_log(world.admin) if d.status is DeliveryStatus.UNKNOWN]
    assert [d.to_address for d in unknown] == [world.emails["manager"]]
    assert "may have gone" in unknown[0].last_error


def test_history_loaded_today_is_not_emailed_and_the_log_is_for_admins(
    world: World, mail: MailServer
) -> None:
    _call(world, on=date.today() - timedelta(days=400))
    c = world.container
    # In the app, at the entry's own date and already read: history, not news in the bell.
    listed = c.notifications.list_for_user(world.investor)
    assert listed.unread == 0 and [n.created_at.date() for n in listed.items] == [
        date.today() - timedelta(days=400)
    ]
    assert all(n.read_at is not None for n in listed.items)
    assert c.notifications.delivery_log(world.admin) == []
    for not_admin in (world.manager, world.investor):
        with pytest.raises(PermissionDenied):
            c.notifications.delivery_log(not_admin)


def _come_due(c: Container) -> None:
    """The backoff's wait, passed: every queued email is due now."""
    with c.db.writer_session() as session:
        session.execute(update(Delivery).where(Delivery.status == "queued").values(next_try_at=None))
        session.commit()


def test_the_admin_reads_the_log_and_resends_from_the_portal(world: World, mail: MailServer) -> None:
    from portal.admin.pages import emails as page

    c = world.container
    _call(world)
    mail.stop()
    try:
        c.notifications.send_due_emails()
    finally:
        mail.start()
    with create_app(c).test_request_context():
        shown = _text(page.log_table(world.admin, "queued"))
        assert "3 messages" in shown and world.emails["investor"] in shown and "Resend" not in shown
        with c.db.writer_session() as session:  # one of them: its worker died mid-send
            session.execute(
                update(Delivery)
                .where(Delivery.to_address == world.emails["investor"])
                .values(status="unknown", last_error="the worker stopped while sending")
            )
            session.commit()
        unknown = next(
            d for d in c.notifications.delivery_log(world.admin) if d.status is DeliveryStatus.UNKNOWN
        )
        assert "Resend" in _text(page.log_table(world.admin, "unknown"))
        done = _text(page.resend(world.admin, unknown.id))
        assert f"Queued again to {world.emails['investor']}" in done
        twice = _text(page.resend(world.admin, unknown.id))
        assert "Not done" in twice and "only a failed or unknown one" in twice


def _text(component: Any) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda c: c.to_plotly_json(), ensure_ascii=False)
