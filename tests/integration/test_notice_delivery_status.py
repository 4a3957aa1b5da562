"""A pool's managers see, per notice and investor, whether the email carrying it went and
whether the investor opened it, and send it again to one investor; nobody else can. An
administrator sees each provider's health in words, from the deliveries themselves."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from backend.composition.container import Container
from backend.platform.config import Settings
from backend.platform.errors import Conflict, NotFound, PermissionDenied
from ledger.interface import CapitalCallRequest
from notifications.interface import Channel, DeliveryFilter, DeliveryStatus, NotificationKind, ReadAction
from notifications.provider_health import provider_health
from tests.integration.mail_support import MailServer
from tests.integration.pools_support import World, closed_pool, make_world

# Every test here runs in process and again with the notification service behind gRPC (its
# PDFs as protobuf bytes, its refusals as the same errors).
pytestmark = pytest.mark.over_grpc("notifications")


@pytest.fixture
def settings(settings_with_mail: Settings) -> Settings:
    return settings_with_mail  # emails go to the test's SMTP server


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def test_a_manager_sees_each_investors_email_and_opening_and_resends_one(
    world: World, mail: MailServer
) -> None:
    c = world.container
    pool = c.pools.create_pool(world.manager, closed_pool()).id
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo Other")
    world.commit(pool, a, "100000.00")
    world.commit(pool, b, "50000.00")
    today = date.today()
    call = CapitalCallRequest(
        amount=Decimal(30000), due_date=today + timedelta(days=14), effective_date=today
    )
    c.transactions.capital_call(world.manager, pool, call, str(uuid.uuid4()))

    listed = {d.investor_id: d for d in c.notifications.documents(world.manager, pool_id=pool)}
    assert {d.email_status for d in listed.values()} == {DeliveryStatus.QUEUED}
    assert all(d.sms_status is None for d in listed.values())  # no phone on file: no text
    c.notifications.send_due_emails()
    c.notifications.open_document(world.investor, listed[a].id, ReadAction.VIEW)
    listed = {d.investor_id: d for d in c.notifications.documents(world.manager, pool_id=pool)}
    assert listed[a].email_status is DeliveryStatus.SENT and listed[a].opened_at is not None
    assert listed[b].email_status is DeliveryStatus.SENT and listed[b].opened_at is None

    # The administrator's log narrows to one person's capital call emails by text.
    bos = c.notifications.delivery_log(
        world.admin,
        query=DeliveryFilter(
            channel=Channel.EMAIL, kind=NotificationKind.CAPITAL_CALL, search="OTHER_INVESTOR@"
        ),
    )
    assert [d.to_address for d in bos] == [world.emails["other_investor"]]
    assert c.notifications.delivery_log(world.admin, query=DeliveryFilter(channel=Channel.SMS)) == []

    # Bo says it never arrived: the manager sends it again, to Bo only, with the same id.
    for outsider in (world.other_manager, world.investor, world.other_investor, world.analyst):
        with pytest.raises(NotFound):
            c.notifications.resend_document(outsider, listed[b].id)
    again = c.notifications.resend_document(world.manager, listed[b].id)
    assert again.status is DeliveryStatus.QUEUED and again.to_address == world.emails["other_investor"]
    before = len(mail.received)
    assert c.notifications.send_due_emails()["sent"] == 1
    (resent,) = mail.received[before:]
    first = next(m for m in mail.received[:before] if str(m["To"]) == world.emails["other_investor"])
    assert str(resent["To"]) == world.emails["other_investor"]
    assert resent["Message-ID"] == first["Message-ID"]  # threaded with the first by the mail client
    assert [p.get_filename() for p in resent.iter_attachments()] == [
        p.get_filename() for p in first.iter_attachments()
    ]
    # While it is on its way it cannot be queued twice.
    c.notifications.resend_document(world.manager, listed[b].id)
    with pytest.raises(Conflict, match="on its way"):
        c.notifications.resend_document(world.manager, listed[b].id)


def test_provider_health_says_working_then_failing_then_behind_in_words(
    world: World, mail: MailServer
) -> None:
    c = world.container
    health = {h.channel: h for h in c.notifications.provider_health(world.admin)}
    assert health[Channel.EMAIL].verdict == "idle: nothing sent in the window"
    assert health[Channel.EMAIL].provider.startswith("SMTP relay 127.0.0.1:")
    assert health[Channel.SMS].provider == "embedded: .json files in var/sms/"
    with pytest.raises(PermissionDenied):
        c.notifications.provider_health(world.manager)

    pool = c.pools.create_pool(world.manager, closed_pool()).id
    a = world.investor_profile(world.investor)
    world.commit(pool, a, "100000.00")
    today = date.today()
    call = CapitalCallRequest(amount=Decimal(1000), due_date=today + timedelta(days=14), effective_date=today)
    c.transactions.capital_call(world.manager, pool, call, str(uuid.uuid4()))
    c.notifications.send_due_emails()
    email = next(h for h in c.notifications.provider_health(world.admin) if h.channel is Channel.EMAIL)
    assert email.verdict == "working" and email.by_status == {"sent": 2} and email.last_sent_at is not None

    mail.stop()  # the relay goes down: the next call's emails wait for a retry
    c.transactions.capital_call(world.manager, pool, call, str(uuid.uuid4()))
    assert c.notifications.send_due_emails()["retry"] == 2
    email = next(h for h in c.notifications.provider_health(world.admin) if h.channel is Channel.EMAIL)
    assert email.verdict == "failing: 2 messages wait for a retry after an error"
    assert email.waiting == 2 and email.retrying == 2 and email.last_error
    # Still down half an hour later, the retries due: behind, and it says why.
    later = provider_health(c.db, {}, datetime.now(UTC) + timedelta(hours=4))
    email = next(h for h in later if h.channel is Channel.EMAIL)
    assert email.verdict.startswith("behind: 2 waiting, the oldest for ")
    assert email.verdict.endswith("(the provider keeps failing)")
