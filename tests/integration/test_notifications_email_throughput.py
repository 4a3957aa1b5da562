"""The email outbox's throughput rules, on both backends, through a real SMTP server on
127.0.0.1 (aiosmtpd) and the real Redis:

* a pass sends its batch over one connection (one EHLO, one QUIT; a pass with nothing due
  opens none), counted by the server and by a TCP proxy in front of it;
* a server that ends the connection between two messages (in silence, or with 421) costs one
  new connection: every message goes, once;
* a refused address fails on its own, the rest go on the same connection;
* the server going down mid-batch: the first is sent, the rest queued with a backoff, each
  sent once after the restart; a relay refusing the platform's login is an outage, tried once
  per pass, not once per message;
* the rate: a pass takes a token per message and leaves the rest queued, unclaimed, when the
  bucket is empty ("throttled"), sent on a later pass; two outboxes on one Redis key share
  one rate; the container wires EMAIL_RATE_PER_SECOND / EMAIL_BURST.

No assertion on how long anything took: counts and outcomes only (waiting for a token is
checked with a sleep that turns the bucket's clock, not the wall's).
"""

from __future__ import annotations

import asyncio
import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from backend.composition.container import Container
from backend.platform.cache import InProcessCache
from backend.platform.config import Settings, load_settings
from notifications.delivery_rows import DeliveryRows
from notifications.mail import MailProvider, SmtpMail
from notifications.models import Delivery
from notifications.outbox import EmailOutbox
from notifications.rate_limit import LocalTokenBucket, RedisTokenBucket, TokenBucket
from notifications.schemas import Channel, NotificationIn, NotificationKind
from tests.conftest import REDIS_URL
from tests.integration.mail_support import Collector, MailServer
from tests.integration.pools_support import make_world
from tests.integration.replication import free_port
from tests.integration.tcp_proxy import TcpProxy

SLOW = 1e-6
"""Tokens a second: none comes back while a test runs, so what a bucket grants is exact."""


class CountingCollector(Collector):
    """The test server's collector, counting what the client did, with two misbehaviours:

    * `drop_at_mail = n` (with `drop_reply`): the n-th MAIL FROM ends its connection, silently
      (None) or with that reply, as a server ends an idle or long-lived connection;
    * `down_at_mail = n`: the n-th MAIL FROM is held and `going_down` set, for the test to stop
      the server under it (the client sees its connection dropped, then refused).
    """

    def __init__(self) -> None:
        super().__init__()
        self.ehlos = 0
        self.mails = 0
        self.rsets = 0
        self.quits = 0
        self.drop_at_mail: int | None = None
        self.drop_reply: str | None = None
        self.down_at_mail: int | None = None
        self.going_down = threading.Event()

    async def handle_EHLO(  # noqa: N802 - aiosmtpd's hook names
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.ehlos += 1  # no STARTTLS here: one EHLO per connection
        session.host_name = hostname
        return responses

    async def handle_MAIL(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        self.mails += 1
        if self.mails == self.drop_at_mail:
            self.drop_at_mail = None
            if self.drop_reply is not None:
                return self.drop_reply  # smtplib hangs up itself on a 421
            server.transport.close()
            await asyncio.sleep(3600)  # cancelled as the connection is lost
        if self.mails == self.down_at_mail:
            self.down_at_mail = None
            self.going_down.set()
            await asyncio.sleep(3600)  # cancelled when the server stops: the connection drops
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RSET(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.rsets += 1
        return "250 OK"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.quits += 1
        return "221 Bye"


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer()
    server.collector = CountingCollector()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path: Path, mail: MailServer) -> Settings:
    return load_settings(VAR_DIR=str(tmp_path / "var"), **mail.settings())


@pytest.fixture
def redis_client() -> Iterator[redis.Redis[Any]]:
    client: redis.Redis[Any] = redis.Redis.from_url(REDIS_URL, socket_timeout=10)
    yield client
    client.close()


def _counting(mail: MailServer) -> CountingCollector:
    collector = mail.collector
    assert isinstance(collector, CountingCollector)
    return collector


def _contacts(users: Collection[int]) -> dict[int, tuple[str, str]]:
    return {u: (f"bounce{u}@pools.test" if u in BOUNCING else f"p{u}@pools.test", f"P {u}") for u in users}


BOUNCING = {953}
"""Users whose address the test server refuses for good (550: "bounce" in it)."""


def _outbox(
    c: Container,
    provider: MailProvider,
    *,
    now: Callable[[], datetime] | None = None,
    bucket: TokenBucket | None = None,
    key: str = "email:test",
    undeliverable: list[int] | None = None,
) -> EmailOutbox:
    told = undeliverable if undeliverable is not None else []
    return EmailOutbox(
        c.db,
        lambda: provider,
        _contacts,
        sender="Investment Pools <notices@pools.test>",
        portal_url="http://pools.test",
        now=now or (lambda: datetime.now(UTC)),
        rng=random.Random(7),
        bucket=bucket,
        bucket_key=key,
        on_undeliverable=told.append,
    )


def _smtp(mail: MailServer, *, port: int | None = None) -> SmtpMail:
    return SmtpMail("127.0.0.1", port or mail.port, starttls=False, timeout=10.0)


def _queue(outbox: EmailOutbox, users: range) -> list[str]:
    """One capital call notice to each of `users`; their addresses in send order."""
    items = [
        NotificationIn(user_id=u, kind=NotificationKind.CAPITAL_CALL, title="Capital call", body="Due soon.")
        for u in users
    ]
    assert outbox.enqueue(f"evt-{uuid.uuid4().hex}", items) == len(users)
    return [_contacts([u])[u][0] for u in users]


def _received(mail: MailServer) -> Counter[str]:
    return Counter(str(m["To"]) for m in mail.received)


def _rows(c: Container) -> dict[str, Delivery]:
    with c.db.writer_session() as session:
        return {d.to_address: d for d in session.scalars(select(Delivery).order_by(Delivery.id))}


def _statuses(c: Container) -> dict[str, str]:
    return {address: row.status for address, row in _rows(c).items()}


def _counts(sent: int = 0, retry: int = 0, failed: int = 0, **more: int) -> dict[str, int]:
    return {"sent": sent, "retry": retry, "failed": failed, "interrupted": 0, **more}


# -- one connection per pass -----------------------------------------------------------------


def test_a_batch_goes_over_one_connection_and_a_pass_with_nothing_due_opens_none(
    container: Container, mail: MailServer
) -> None:
    collector = _counting(mail)
    with TcpProxy("127.0.0.1", mail.port) as proxy:
        outbox = _outbox(container, _smtp(mail, port=proxy.port))
        people = _queue(outbox, range(901, 907))
        assert outbox.send_due() == _counts(sent=6)
        assert _received(mail) == Counter(dict.fromkeys(people, 1))
        assert proxy.accepted == 1 and (collector.ehlos, collector.quits) == (1, 1)  # closed at the end
        assert outbox.send_due() == _counts()
        assert proxy.accepted == 1 and collector.ehlos == 1
    assert set(_statuses(container).values()) == {"sent"}


@pytest.mark.parametrize("reply", [None, "421 4.4.2 closing: connection open too long"])
def test_a_server_ending_the_connection_between_messages_costs_one_reconnection(
    container: Container, mail: MailServer, reply: str | None
) -> None:
    collector = _counting(mail)
    collector.drop_at_mail, collector.drop_reply = 3, reply  # between the 2nd and the 3rd
    outbox = _outbox(container, _smtp(mail))
    people = _queue(outbox, range(901, 906))
    assert outbox.send_due() == _counts(sent=5)
    assert collector.drop_at_mail is None, "the connection was never ended"
    assert _received(mail) == Counter(dict.fromkeys(people, 1))  # each once
    assert collector.ehlos == 2  # the first connection and one more
    rows = _rows(container)
    assert {a: (r.status, r.attempts) for a, r in rows.items()} == dict.fromkeys(people, ("sent", 1))


def test_a_refused_address_fails_alone_and_the_others_go_on_the_same_connection(
    container: Container, mail: MailServer
) -> None:
    collector = _counting(mail)
    told: list[int] = []
    outbox = _outbox(container, _smtp(mail), undeliverable=told)
    people = _queue(outbox, range(951, 956))
    refused = "bounce953@pools.test"
    assert people[2] == refused  # in the middle of the batch
    assert outbox.send_due() == _counts(sent=4, failed=1)
    assert _received(mail) == Counter({p: 1 for p in people if p != refused})
    assert collector.ehlos == 1 and collector.rsets >= 1  # reset, then the next message
    rows = _rows(container)
    assert rows[refused].status == "failed" and "550" in rows[refused].last_error
    assert told == [rows[refused].id]  # the managers are told, once
    assert outbox.send_due() == _counts()  # refused for good: never tried again


# -- outages -----------------------------------------------------------------------------------


def test_the_server_going_down_mid_batch_sends_the_first_and_the_rest_once_after_restart(
    container: Container, mail: MailServer
) -> None:
    collector = _counting(mail)
    clock = [datetime.now(UTC)]
    outbox = _outbox(container, _smtp(mail), now=lambda: clock[0])
    people = _queue(outbox, range(901, 904))
    # The server takes the first message; at the second's MAIL FROM it goes down.
    collector.down_at_mail = 2

    def stop_when_told() -> None:
        if collector.going_down.wait(60):
            mail.stop()

    stopper = threading.Thread(target=stop_when_told)
    stopper.start()
    try:
        counts = outbox.send_due()
    finally:
        collector.going_down.set()  # (already set unless the run failed: then stop anyway)
        stopper.join(60)
    assert collector.down_at_mail is None, "the server never went down"
    # The second found its connection dropped and a new one refused; the third was not tried
    # on a relay known to be down in this pass. Both are for later.
    assert counts == _counts(sent=1, retry=2)
    assert _received(mail) == Counter({people[0]: 1})
    rows = _rows(container)
    for address in people[1:]:
        row = rows[address]
        assert row.status == "queued" and row.attempts == 1 and row.last_error
        assert row.next_try_at is not None and row.next_try_at > clock[0]

    mail.start()  # back, on the same port
    assert outbox.send_due() == _counts()  # the backoff holds: not due yet
    clock[0] += timedelta(hours=2)
    assert outbox.send_due() == _counts(sent=2)
    clock[0] += timedelta(hours=2)
    assert outbox.send_due() == _counts()
    assert _received(mail) == Counter(dict.fromkeys(people, 1))  # each exactly once
    assert set(_statuses(container).values()) == {"sent"}


def test_a_relay_refusing_the_login_is_an_outage_tried_once_per_pass(container: Container) -> None:
    collector = CountingCollector()
    logins: list[str] = []

    def refuse(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        logins.append(mechanism)
        return AuthResult(success=False, handled=False)

    port = free_port()
    server = Controller(
        collector, hostname="127.0.0.1", port=port, authenticator=refuse, auth_require_tls=False
    )
    server.start()
    try:
        relay = SmtpMail("127.0.0.1", port, starttls=False, username="pools", password="wrong", timeout=10)
        outbox = _outbox(container, relay)
        people = _queue(outbox, range(901, 904))
        assert outbox.send_due() == _counts(retry=3)  # 535: the platform's setup, not the addresses
    finally:
        server.stop()
    assert collector.ehlos == 1 and logins  # one connection's login (smtplib tries each method)
    rows = _rows(container)
    assert {rows[p].status for p in people} == {"queued"}
    assert all("535" in rows[p].last_error for p in people)
    assert collector.messages == []


# -- the rate ----------------------------------------------------------------------------------


def test_an_empty_bucket_leaves_the_rest_queued_for_a_later_pass(
    container: Container, mail: MailServer
) -> None:
    ticks = [0.0]
    bucket = LocalTokenBucket(rate_per_second=SLOW, burst=3, clock=lambda: ticks[0])
    outbox = _outbox(container, _smtp(mail), bucket=bucket)
    people = _queue(outbox, range(901, 906))
    assert outbox.send_due() == _counts(sent=3, throttled=2)
    rows = _rows(container)
    assert [rows[p].status for p in people] == ["sent"] * 3 + ["queued"] * 2
    assert [rows[p].attempts for p in people[3:]] == [0, 0]  # never claimed: no attempt spent
    assert outbox.send_due() == _counts(throttled=2)  # still no token
    ticks[0] += 3 / SLOW  # long enough for the bucket to be full again
    assert outbox.send_due() == _counts(sent=2)
    assert _received(mail) == Counter(dict.fromkeys(people, 1))
    assert _counting(mail).ehlos == 2  # the passes that sent something; the throttled one none


def test_a_pass_waits_briefly_for_the_next_token_and_stops_when_it_is_far(container: Container) -> None:
    outbox = _outbox(container, _smtp_unused())
    _queue(outbox, range(901, 906))
    ticks = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:  # the bucket's clock turns; nobody waits
        slept.append(seconds)
        ticks[0] += seconds

    bucket = LocalTokenBucket(rate_per_second=2.0, burst=1, clock=lambda: ticks[0])
    rows = DeliveryRows(container.db, lambda: datetime.now(UTC))
    within = rows.due_within_rate(Channel.EMAIL, 10, bucket, "email:test", max_wait=1.0, sleep=sleep)
    assert len(list(within)) == 5 and within.throttled == 0  # each waited half a second
    assert slept == [0.5] * 4
    _queue(outbox, range(911, 914))
    impatient = rows.due_within_rate(Channel.EMAIL, 10, bucket, "email:test", max_wait=0.25, sleep=sleep)
    assert list(impatient) == [] and impatient.throttled == 3  # the next token is 0.5 s away
    assert slept == [0.5] * 4


def _smtp_unused() -> SmtpMail:
    """A relay nothing is sent to (the test claims rows without sending them)."""
    return SmtpMail("127.0.0.1", 9, starttls=False, timeout=1.0)


def test_two_outboxes_on_one_redis_key_share_one_rate(
    container: Container, mail: MailServer, redis_client: redis.Redis[Any]
) -> None:
    prefix = f"test-email-rate:{uuid.uuid4().hex}:"

    def worker() -> EmailOutbox:
        # Each worker its own Redis connection and bucket object: only the key is shared.
        client: redis.Redis[Any] = redis.Redis.from_url(REDIS_URL, socket_timeout=10)
        bucket = RedisTokenBucket(client, rate_per_second=SLOW, burst=3, prefix=prefix)
        return _outbox(container, _smtp(mail), bucket=bucket, key="email:127.0.0.1")

    try:
        first, second = worker(), worker()
        people = _queue(first, range(901, 906))
        assert first.send_due(limit=2) == _counts(sent=2)
        assert second.send_due() == _counts(sent=1, throttled=2)  # one token left, for either
        assert first.send_due() == _counts(throttled=2)
        assert _received(mail) == Counter(dict.fromkeys(people[:3], 1))
        assert sorted(_statuses(container).values()) == ["queued"] * 2 + ["sent"] * 3  # none lost
    finally:
        for key in redis_client.scan_iter(match=prefix + "*"):
            redis_client.delete(key)


def test_the_container_builds_the_email_bucket_from_the_settings(
    container: Container, mail: MailServer, tmp_path: Path
) -> None:
    tight = load_settings(
        VAR_DIR=str(tmp_path / "var"), EMAIL_RATE_PER_SECOND=str(SLOW), EMAIL_BURST="2", **mail.settings()
    )
    c = Container(tight, db=container.db, cache=InProcessCache())
    assert isinstance(c.email_bucket, LocalTokenBucket)  # no REDIS_URL: this process's own
    world = make_world(c)
    users = [a.user_id for a in (world.admin, world.manager, world.investor) if a.user_id is not None]
    items = [NotificationIn(user_id=u, kind=NotificationKind.CAPITAL_CALL, title="Call") for u in users]
    assert len(items) == 3
    c.notifications.create_for_event(f"evt-{uuid.uuid4().hex}", items)
    assert c.notifications.send_due_emails() == _counts(sent=2, throttled=1)
    assert len(mail.received) == 2
    redis_settings = load_settings(VAR_DIR=str(tmp_path / "var"), REDIS_URL=REDIS_URL)
    shared = Container(redis_settings, db=container.db, cache=InProcessCache())
    assert isinstance(shared.email_bucket, RedisTokenBucket)  # every worker's, through Redis
