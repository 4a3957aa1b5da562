"""Texts, on both backends, through Twilio's official SDK pointed at a stand-in on 127.0.0.1:
a capital call texts each investor with a phone on file once (preferences honoured, nothing
twice for a redelivered event); a provider answering 500 queues the text and it goes once
when the provider is back; a number the provider refuses fails for good; the provider's
signed status callback settles a text as delivered or bounced, a forged one changes nothing;
workers sharing the provider's rate through Redis never exceed it together."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from sqlalchemy import select, update

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.investors.interface import InvestorUpdate
from backend.platform.config import Settings, load_settings
from ledger.interface import CapitalCallRequest
from notifications.interface import Channel, NotificationKind
from notifications.models import Delivery
from notifications.preferences import PreferenceBook
from notifications.rate_limit import RedisTokenBucket
from notifications.sms_outbox import SmsOutbox
from tests.conftest import REDIS_URL
from tests.integration.pools_support import World, closed_pool, make_world
from tests.integration.sms_support import TwilioStandIn, signed_status_callback

# Every test here runs in process and again with the notification service behind gRPC (its
# PDFs as protobuf bytes, its refusals as the same errors).
pytestmark = pytest.mark.over_grpc("notifications")

ANA, BO = "+447700900123", "+447700900456"
CALLBACK = "http://127.0.0.1:8050/api/v1/notifications/sms-status"


@pytest.fixture
def twilio() -> Iterator[TwilioStandIn]:
    stand_in = TwilioStandIn(f"AC{uuid.uuid4().hex}", uuid.uuid4().hex)
    stand_in.start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def settings(tmp_path: Path, twilio: TwilioStandIn) -> Settings:
    return load_settings(
        VAR_DIR=str(tmp_path / "var"),
        TWILIO_ACCOUNT_SID=twilio.account_sid,
        TWILIO_AUTH_TOKEN=twilio.auth_token,
        TWILIO_FROM_NUMBER="+15005550006",
        TWILIO_BASE_URL=twilio.base_url,
        SMS_RATE_PER_SECOND="1000",
        SMS_BURST="1000",
    )


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _call(world: World, *, phones: tuple[str | None, str | None] = (ANA, BO)) -> int:
    c = world.container
    pool = c.pools.create_pool(world.manager, closed_pool(name="Harbour PE I")).id
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo Other")
    for investor, phone in zip((a, b), phones, strict=True):
        if phone:
            c.investors.update_investor(world.admin, investor, InvestorUpdate(contact_phone=phone))
    world.commit(pool, a, "100000.00")
    world.commit(pool, b, "50000.00")
    call = CapitalCallRequest(amount=Decimal(30000), due_date=date.today() + timedelta(days=14))
    c.transactions.capital_call(world.manager, pool, call, str(uuid.uuid4()))
    return pool


def _texts(c: Container) -> dict[str, tuple[str, str]]:
    with c.db.writer_session() as session:
        rows = session.scalars(select(Delivery).where(Delivery.channel == Channel.SMS.value))
        return {r.to_address: (r.status, r.last_error) for r in rows}


def _come_due(c: Container) -> None:
    with c.db.writer_session() as session:
        session.execute(update(Delivery).where(Delivery.status == "queued").values(next_try_at=None))
        session.commit()


def test_a_capital_call_texts_each_investor_with_a_phone_once(world: World, twilio: TwilioStandIn) -> None:
    c = world.container
    _call(world, phones=(ANA, None))
    assert _texts(c) == {ANA: ("queued", "")}  # Bo has no phone; managers are not texted
    sent = c.notifications.send_due_sms()
    assert sent["sent"] == 1 and sent["failed"] == 0
    (sms,) = twilio.received
    assert sms.to == ANA and sms.from_ == "+15005550006" and sms.status_callback == CALLBACK
    assert "Capital call issued: Harbour PE I" in sms.body and "EUR 20,000.00" in sms.body
    assert sms.body.isascii() and len(sms.body) <= 320 and "http" not in sms.body
    assert c.notifications.send_due_sms()["sent"] == 0 and len(twilio.received) == 1
    with c.db.writer_session() as session:
        row = session.scalars(select(Delivery).where(Delivery.channel == "sms")).one()
        assert row.status == "sent" and row.message_id == sms.sid  # the report finds it by its SID


def test_an_investor_who_switched_texts_off_gets_none(world: World, twilio: TwilioStandIn) -> None:
    c = world.container
    c.notifications.set_preference(world.other_investor, NotificationKind.CAPITAL_CALL, Channel.SMS, False)
    _call(world)
    assert set(_texts(c)) == {ANA}
    c.notifications.send_due_sms()
    assert [s.to for s in twilio.received] == [ANA]


def test_a_provider_outage_queues_the_text_and_it_goes_once(world: World, twilio: TwilioStandIn) -> None:
    c = world.container
    _call(world)
    twilio.fail_with(500, 20500, "Internal Server Error")
    assert c.notifications.send_due_sms()["retry"] == 2
    assert {status for status, _ in _texts(c).values()} == {"queued"}
    assert c.notifications.send_due_sms()["sent"] == 0  # the backoff holds
    twilio.succeed()
    _come_due(c)
    assert c.notifications.send_due_sms()["sent"] == 2
    _come_due(c)
    assert c.notifications.send_due_sms()["sent"] == 0
    assert sorted(s.to for s in twilio.received) == [ANA, BO]  # once each


def test_a_number_the_provider_refuses_fails_for_good(world: World, twilio: TwilioStandIn) -> None:
    c = world.container
    _call(world)
    twilio.fail_with(400, 21211, "The 'To' number is not a valid phone number.")
    assert c.notifications.send_due_sms()["failed"] == 2
    twilio.succeed()
    _come_due(c)
    assert c.notifications.send_due_sms()["sent"] == 0 and twilio.received == []
    assert all(s == "failed" and "refused" in e for s, e in _texts(c).values())
    alerts = c.notifications.list_for_user(world.manager, kind=NotificationKind.UNDELIVERABLE).items
    assert sorted(a.body.split(":")[0] for a in alerts) == [f"By SMS to {ANA}", f"By SMS to {BO}"]


def test_signed_status_callbacks_settle_a_text_and_forged_ones_change_nothing(
    world: World, twilio: TwilioStandIn
) -> None:
    c = world.container
    _call(world)
    c.notifications.send_due_sms()
    by_number = {s.to: s.sid for s in twilio.received}
    client = create_app(c).test_client()

    def report(sid: str, status: str, *, token: str = twilio.auth_token, **extra: str) -> tuple[int, object]:
        params, signature = signed_status_callback(
            token, CALLBACK, message_sid=sid, status=status, account_sid=twilio.account_sid
        )
        params.update(extra)
        answer = client.post(
            "/api/v1/notifications/sms-status", data=params, headers={"X-Twilio-Signature": signature}
        )
        return answer.status_code, answer.get_json()

    forged = report(by_number[ANA], "delivered", token="not-the-auth-token")
    assert forged[0] == 422 and "X-Twilio-Signature" in str(forged[1])
    tampered = report(by_number[ANA], "delivered", MessageStatus="undelivered")  # changed after signing
    assert tampered[0] == 422
    assert _texts(c)[ANA][0] == "sent"
    assert report(by_number[ANA], "delivered") == (200, {"status": "delivered"})
    assert report(by_number[ANA], "delivered") == (200, {"status": None})  # a repeat changes nothing
    assert report(by_number[BO], "sending") == (200, {"status": None})  # an interim state
    assert report(by_number[BO], "undelivered") == (200, {"status": "bounced"})
    assert _texts(c) == {ANA: ("delivered", ""), BO: ("bounced", "")}
    alerts = c.notifications.list_for_user(world.manager, kind=NotificationKind.UNDELIVERABLE).items
    assert len(alerts) == 1 and BO in alerts[0].body  # the manager is told: reach Bo another way
    unsigned = client.post("/api/v1/notifications/sms-status", data={"MessageSid": by_number[ANA]})
    assert unsigned.status_code == 422


def test_workers_sharing_the_providers_rate_through_redis_never_exceed_it(
    world: World, twilio: TwilioStandIn
) -> None:
    c = world.container
    _call(world)
    key = f"sms-test:{uuid.uuid4().hex}"
    client = redis.Redis.from_url(REDIS_URL)

    def worker() -> SmsOutbox:
        # Two workers, each with its own Redis connection; one burst of one text, refilled at
        # one a thousand seconds: the second text must wait, whichever worker asks.
        bucket = RedisTokenBucket(redis.Redis.from_url(REDIS_URL), rate_per_second=0.001, burst=1)
        return SmsOutbox(
            c.db,
            lambda: c.sms_provider,
            c.investors.phones_of_users,
            sender="Investment Pools",
            status_callback=None,
            bucket=bucket,
            bucket_key=key,
            preferences=PreferenceBook(c.db),
        )

    try:
        first, second = worker(), worker()
        assert first.send_due() == {"sent": 1, "retry": 0, "failed": 0, "throttled": 1, "interrupted": 0}
        assert second.send_due()["throttled"] == 1 and second.send_due()["sent"] == 0
        assert len(twilio.received) == 1
        assert sorted(status for status, _ in _texts(c).values()) == ["queued", "sent"]  # not lost
    finally:
        client.delete(f"ratelimit:{key}")
