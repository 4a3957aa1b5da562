"""Notifications through outages and crashes, on real RabbitMQ, MariaDB and an SMTP server:

* RabbitMQ unreachable (a proxy of the test's own cut between the platform and the broker):
  a capital call still commits, its event waits in the ledger's outbox while the relay's
  publishes fail and are retried; once the broker is back every person gets one in-app
  notification and one queued email, and a replayed event adds nothing.
* The SMTP server goes down between two sends of one batch: the first message is sent, the
  rest queued with a backoff, and after the restart each goes exactly once.
* The email sender is killed (SIGKILL) while the server holds its message in DATA: the message
  becomes "unknown" and is never sent again by itself, the others go once, and an
  administrator's resend sends it once.
* The notification consumer is killed (SIGKILL) between its commit and its acknowledgement:
  the redelivered event creates no second notification and no second email.

* A server that took each message and then answers QUIT with 421 (shutting down, which RFC
  5321 allows at any command): each message counts as sent and goes exactly once.

Every crash and outage lands where it should by construction (a handshake from the server's
handler, a file written by the paused process), not by timing. Each test has its own MariaDB
database, exchange and queue, so parallel runs (`-n`) do not meet.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pika
import pytest
from sqlalchemy import func, select, update

from backend.composition.container import Container
from backend.platform.cache import InProcessCache
from backend.platform.config import Settings, load_settings
from backend.platform.db import Database
from ledger.interface import CapitalCallRequest, LedgerEvent
from ledger.models import OutboxEvent
from ledger.outbox import DatabaseOutboxRelay, RabbitPublisher, amqp_url
from notifications import amqp
from notifications.consumer import EVENT_TYPES
from notifications.delivery_rows import INTERRUPTED_AFTER
from notifications.interface import DeliveryStatus
from notifications.mail import SmtpMail
from notifications.models import Delivery, Notification
from notifications.outbox import EmailOutbox
from notifications.preferences import PreferenceBook
from notifications.service import DatabaseNotificationService
from sql.migrate import upgrade
from tests.conftest import AMQP_URL, mariadb_database_url
from tests.integration.mail_support import Collector, MailServer
from tests.integration.pools_support import World, closed_pool, make_world
from tests.integration.tcp_proxy import TcpProxy

D = Decimal
ROOT = Path(__file__).resolve().parents[2]
BROKER = amqp_url(AMQP_URL) or AMQP_URL


# -- helpers -------------------------------------------------------------------------------


def _eventually(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Poll for a state another thread or process reaches; the deadline is generous on purpose:
    it only decides how long a failing run takes to say so."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _private_container(tmp_path: Path, suffix: str, **settings: str) -> tuple[Container, Database, str]:
    """A container over a MariaDB database of this test's own: these tests run threads and
    processes, which cannot share the savepoint-wrapped `container` fixture."""
    url = mariadb_database_url(suffix)
    upgrade(url)
    db = Database(url, positions=InProcessCache())
    loaded = load_settings(DATABASE_URL=url, VAR_DIR=str(tmp_path / "var"), **settings)
    return Container(loaded, db=db, cache=InProcessCache()), db, url


def _call(world: World) -> tuple[int, int, int]:
    """A EUR pool with two investors committed, and a capital call of 30,000 dated today."""
    c = world.container
    pool = c.pools.create_pool(world.manager, closed_pool()).id
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo Other")
    world.commit(pool, a, "100000.00")
    world.commit(pool, b, "50000.00")
    today = date.today()
    call = CapitalCallRequest(amount=D(30000), due_date=today + timedelta(days=14), effective_date=today)
    c.transactions.capital_call(world.manager, pool, call, str(uuid.uuid4()))
    return pool, a, b


def _user_ids(world: World) -> dict[str, int]:
    """The three people a capital call concerns: the pool's manager and both investors."""
    ids = {k: getattr(world, k).user_id for k in ("manager", "investor", "other_investor")}
    return {k: int(v) for k, v in ids.items()}


def _notifications_per_user(db: Database, event_id: str | None = None) -> dict[int, int]:
    stmt = select(Notification.user_id, func.count()).group_by(Notification.user_id)
    if event_id is not None:
        stmt = stmt.where(Notification.event_id == event_id)
    with db.writer_session() as session:
        return {int(user): int(n) for user, n in session.execute(stmt).all()}


def _deliveries(db: Database) -> list[Delivery]:
    with db.writer_session() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def _status_by_address(db: Database) -> dict[str, str]:
    return {d.to_address: d.status for d in _deliveries(db)}


def _outbox(c: Container, now: Callable[[], datetime]) -> EmailOutbox:
    """The container's email outbox as it is built in production, on the test's clock."""
    return EmailOutbox(
        c.db,
        lambda: c.mail_provider,
        c.users.contacts,
        sender=c.settings.mail_from,
        portal_url="http://pools.test",
        now=now,
        rng=random.Random(7),
        preferences=PreferenceBook(c.db),
    )


def _via(proxy: TcpProxy, url: str) -> str:
    """`url` with its host and port replaced by the proxy's (credentials and vhost kept)."""
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    where = f"{proxy.host}:{proxy.port}"
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{where}" if userinfo else where))


def _delete_broker_objects(queue: str, exchange: str) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    try:
        channel = connection.channel()
        for name in (queue, f"{queue}.dead", f"{exchange}.unrouted"):
            channel.queue_delete(name)
        for name in (exchange, f"{queue}.dead", f"{exchange}.unrouted"):
            channel.exchange_delete(name)
    finally:
        connection.close()


class ScriptedCollector(Collector):
    """The test mail server's collector with two misbehaviours a test can arm:

    * `down_at = n`: the n-th message is held at its MAIL FROM and `going_down` is set, for the
      test to stop the server under it (the client sees its connection dropped).
    * `block_to = address`: the first message to it is held in DATA (the client has sent it
      and waits for the answer) and `blocked` is set; once `release` is set it is answered with
      a temporary error and not kept.
    * `quit_reply = "421 ..."`: QUIT is answered so, as a server shutting down may answer any
      command (RFC 5321, 3.8), after it has taken the message.
    """

    def __init__(self) -> None:
        super().__init__()
        self.connections = 0
        self.mails = 0
        self.down_at: int | None = None
        self.going_down = threading.Event()
        self.block_to: str | None = None
        self.blocked = threading.Event()
        self.release = threading.Event()
        self.quit_reply: str | None = None

    async def handle_EHLO(  # noqa: N802 - aiosmtpd's hook names
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        self.mails += 1
        if self.mails == self.down_at:
            self.down_at = None
            self.going_down.set()
            await asyncio.sleep(3600)  # cancelled when the server stops: the connection drops
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.block_to is not None and self.block_to in envelope.rcpt_tos:
            self.block_to = None
            self.blocked.set()
            # Wait in a worker thread: the event loop stays free for other connections.
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 120)
            return "451 4.3.0 interrupted: not delivered"
        return await super().handle_DATA(server, session, envelope)

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        return self.quit_reply or "221 Bye"


@pytest.fixture
def mail() -> Iterator[MailServer]:
    server = MailServer()
    server.collector = ScriptedCollector()
    server.start()
    yield server
    _scripted(server).release.set()  # a handler still holding a message must not hold the stop
    server.stop()


def _scripted(mail: MailServer) -> ScriptedCollector:
    collector = mail.collector
    assert isinstance(collector, ScriptedCollector)
    return collector


@pytest.fixture
def settings(tmp_path: Path, mail: MailServer) -> Settings:
    """The `container` fixture's settings: email through the test's own SMTP server."""
    return load_settings(VAR_DIR=str(tmp_path / "var"), **mail.settings())


def _received(mail: MailServer) -> Counter[str]:
    return Counter(str(m["To"]) for m in mail.received)


# -- a. RabbitMQ unreachable for a while ---------------------------------------------------


class CountingPublisher:
    """The ledger's RabbitPublisher, counting the publishes that failed (the relay retries)."""

    def __init__(self, inner: RabbitPublisher) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self.failures = 0

    def publish(self, event: LedgerEvent) -> None:
        try:
            self._inner.publish(event)
        except Exception:
            with self._lock:
                self.failures += 1
            raise

    def idle(self) -> None:
        self._inner.idle()

    def close(self) -> None:
        self._inner.close()


class SupervisedConsumer:
    """`amqp.consume` in a thread, started again if it ever raises, as the process supervisor
    restarts `app.py notifications consume`; it records what it handled. (A lost connection
    is not such a crash: `consume` reconnects by itself.)"""

    def __init__(self, url: str, container: Container, *, queue: str, exchange: str) -> None:
        self._url = url
        self._container = container
        self._queue = queue
        self._exchange = exchange
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.crashes = 0
        self.handled: list[tuple[str, int]] = []
        """(event id, notifications it created), in the order handled."""
        self._thread = threading.Thread(target=self._run, name="notifications-consumer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(15)

    def times_handled(self, event_id: str) -> list[int]:
        with self._lock:
            return [created for handled, created in self.handled if handled == event_id]

    def crashed(self) -> int:
        with self._lock:
            return self.crashes

    def _handle(self, event: LedgerEvent) -> None:
        created = self._container.notification_consumer.handle(event)
        with self._lock:
            self.handled.append((event.event_id, created))

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                amqp.consume(
                    self._url,
                    self._handle,
                    EVENT_TYPES,
                    self._stop,
                    queue=self._queue,
                    exchange=self._exchange,
                    max_backoff=1.0,  # back soon after the outage; production waits up to 30 s
                )
            except Exception:
                with self._lock:
                    self.crashes += 1
                self._stop.wait(0.1)  # the supervisor's restart delay, short for the test


def test_rabbitmq_unreachable_for_a_while_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    target = urlsplit(BROKER)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5672).start()
    # The platform reaches RabbitMQ only through the proxy; the test's own look at the queue
    # below goes straight to the broker. With a broker configured the ledger publishes only
    # through its relay (no in-process bus), as in production.
    broker = _via(proxy, AMQP_URL)
    c, db, _ = _private_container(tmp_path, "notify_outage_amqp", CELERY_BROKER_URL=broker)
    exchange, queue = f"test.ledger.{uuid.uuid4().hex[:8]}", f"test.notify.{uuid.uuid4().hex[:8]}"
    publisher = CountingPublisher(RabbitPublisher(amqp_url(broker) or broker, exchange=exchange))
    relay = DatabaseOutboxRelay(db, publisher)  # its own exchange, no snapshot scheduling
    consumer = SupervisedConsumer(amqp_url(broker) or broker, c, queue=queue, exchange=exchange)
    stop_relay = threading.Event()
    relay_thread = threading.Thread(
        target=relay.run_forever, args=(stop_relay,), kwargs={"idle_seconds": 0.1, "max_backoff": 0.2}
    )
    direct = pika.BlockingConnection(pika.URLParameters(BROKER))
    try:
        channel = direct.channel()
        setup = RabbitPublisher(BROKER, exchange=exchange)
        setup.declare()
        setup.close()
        # The queue exists before the outage (declared by the consumer's deployment), so what
        # the relay publishes while the consumer is down waits in it.
        amqp.declare(channel, queue, EVENT_TYPES, exchange)

        def consumers() -> int:
            return int(channel.queue_declare(queue, passive=True).method.consumer_count)

        world = make_world(c)
        users = _user_ids(world)
        _ = c.notification_consumer, c.notifications  # built before two threads use them
        relay_thread.start()
        consumer.start()
        assert _eventually(lambda: consumers() == 1), "the consumer never attached to its queue"
        assert _eventually(lambda: relay.backlog().unpublished == 0)

        proxy.cut()  # RabbitMQ is gone, as far as the platform can tell
        assert _eventually(lambda: consumers() == 0), "the broker never lost the consumer"
        failures_before = publisher.failures
        pool, _, _ = _call(world)

        # The books committed; the event waits in the ledger's outbox, the relay retrying.
        assert c.ledger.verify(pool).ok
        with db.writer_session() as session:
            issued = session.scalars(
                select(OutboxEvent).where(OutboxEvent.event_type == "capital_call.issued")
            ).one()
        assert issued.published_at is None
        waiting = relay.backlog().unpublished
        assert waiting >= 1
        assert _eventually(lambda: publisher.failures >= failures_before + 2), "the relay did not retry"
        assert relay.backlog().unpublished == waiting  # retried, nothing marked, nothing lost
        assert _notifications_per_user(db) == {} and _deliveries(db) == []
        assert _eventually(lambda: consumers() == 0)  # the broker lost the consumer too

        proxy.restore()
        assert _eventually(lambda: relay.backlog().unpublished == 0), "the backlog was never published"
        assert _eventually(lambda: consumer.times_handled(issued.event_id) == [3]), consumer.handled
        assert consumer.crashed() == 0  # it rode out the outage itself, reconnecting
        per_person = {users[k]: 1 for k in users}
        assert _notifications_per_user(db) == per_person
        assert {k: c.notifications.unread_count(getattr(world, k)) for k in users} == dict.fromkeys(users, 1)
        emails = _deliveries(db)
        assert Counter(d.user_id for d in emails) == Counter(per_person)
        assert {d.status for d in emails} == {DeliveryStatus.QUEUED.value}
        assert {d.event_id for d in emails} == {issued.event_id}

        # Running the relay again publishes nothing; a relay that died after publishing and
        # before marking publishes the event again (at least once): the consumer adds nothing.
        stop_relay.set()
        relay_thread.join(15)
        replay_publisher = RabbitPublisher(amqp_url(broker) or broker, exchange=exchange)
        replay = DatabaseOutboxRelay(db, replay_publisher)
        try:
            assert replay.drain() == 0
            with db.writer_session() as session:
                session.execute(
                    update(OutboxEvent).where(OutboxEvent.id == issued.id).values(published_at=None)
                )
                session.commit()
            assert replay.run_once() == 1
        finally:
            replay_publisher.close()
        assert _eventually(lambda: consumer.times_handled(issued.event_id) == [3, 0]), consumer.handled
        assert _notifications_per_user(db) == per_person
        assert len(_deliveries(db)) == len(per_person)
        assert int(channel.queue_declare(f"{queue}.dead", passive=True).method.message_count) == 0
    finally:
        stop_relay.set()
        if relay_thread.is_alive():
            relay_thread.join(15)
        consumer.stop()
        proxy.close()
        direct.close()
        _delete_broker_objects(queue, exchange)
        db.dispose()


# -- b. SMTP down between two sends of one batch -------------------------------------------


def test_smtp_going_down_mid_batch_sends_the_first_and_the_rest_once_after_restart(
    container: Container, mail: MailServer
) -> None:
    world = make_world(container)
    _call(world)  # records one email each for the manager and both investors
    people = [world.emails[k] for k in ("manager", "investor", "other_investor")]  # in send order
    assert sorted(_status_by_address(container.db).items()) == sorted((p, "queued") for p in people)
    clock = [datetime.now(UTC)]
    outbox = _outbox(container, lambda: clock[0])

    # The server takes the first message; when the second one starts, it goes down.
    collector = _scripted(mail)
    collector.down_at = collector.mails + 2

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
    assert collector.down_at is None, "the server never went down"
    # The second message's connection was dropped and a new one refused; the third is not
    # tried on a relay known to be down in this pass: both are for later.
    assert counts == {"sent": 1, "retry": 2, "failed": 0, "interrupted": 0}
    assert _received(mail) == Counter({people[0]: 1})
    after_outage = {d.to_address: d for d in _deliveries(container.db)}
    assert after_outage[people[0]].status == "sent"
    for address in people[1:]:
        row = after_outage[address]
        assert row.status == "queued" and row.attempts == 1 and row.last_error
        assert row.next_try_at is not None and row.next_try_at > clock[0]

    mail.start()  # back, on the same port
    assert outbox.send_due()["sent"] == 0  # the backoff holds: not due yet
    clock[0] += timedelta(hours=2)
    assert outbox.send_due() == {"sent": 2, "retry": 0, "failed": 0, "interrupted": 0}
    clock[0] += timedelta(hours=2)
    assert outbox.send_due()["sent"] == 0
    assert _received(mail) == Counter(dict.fromkeys(people, 1))  # each exactly once
    assert set(_status_by_address(container.db).values()) == {"sent"}


def test_a_message_the_server_took_before_it_went_down_is_not_sent_again(
    container: Container, mail: MailServer
) -> None:
    world = make_world(container)
    _call(world)
    people = [world.emails[k] for k in ("manager", "investor", "other_investor")]
    clock = [datetime.now(UTC)]
    outbox = _outbox(container, lambda: clock[0])
    # The server takes every message (250 after DATA), then, going down, answers QUIT with
    # 421: each message was delivered, only the goodbye failed.
    _scripted(mail).quit_reply = "421 4.3.2 shutting down"
    first = outbox.send_due()
    _scripted(mail).quit_reply = None
    assert _received(mail) == Counter(dict.fromkeys(people, 1))
    clock[0] += timedelta(hours=2)
    outbox.send_due()
    assert _received(mail) == Counter(dict.fromkeys(people, 1))  # fails: each went twice
    assert first == {"sent": 3, "retry": 0, "failed": 0, "interrupted": 0}


# -- c. kill -9 of the email sender mid-send -----------------------------------------------


def _env(url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "VAR_DIR": str(tmp_path / "var"), **extra}
    env.pop("CELERY_BROKER_URL", None)  # these processes need no broker unless told
    return env


class Worker:
    """A platform process of the test's; its output goes to a file (a pipe nobody reads
    could fill and stall it)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def running(self) -> bool:
        return self.process.poll() is None

    def kill9(self) -> int:
        os.kill(self.process.pid, signal.SIGKILL)
        return self.process.wait(timeout=15)

    def stop(self) -> str:
        """Make sure it is gone; what it printed (for a failure's message)."""
        if self.running():
            self.process.kill()
        self.process.wait(timeout=15)
        return self.log.read_text(errors="replace")


def test_a_sender_killed_mid_send_leaves_the_message_unknown_until_an_admin_resends_it(
    tmp_path: Path, mail: MailServer
) -> None:
    c, db, url = _private_container(tmp_path, "notify_outage_sender", **mail.settings())
    sender: Worker | None = None
    try:
        world = make_world(c)
        _call(world)  # records three emails: the manager's, then the investors' (by user id)
        manager, held, other = (world.emails[k] for k in ("manager", "investor", "other_investor"))
        collector = _scripted(mail)
        collector.block_to = held

        # The production command, in its own process: `python app.py notifications send`.
        sender = Worker(
            [sys.executable, "app.py", "notifications", "send"],
            _env(url, tmp_path, **mail.settings()),
            tmp_path / "sender.log",
        )
        running = sender.running
        assert _eventually(lambda: collector.blocked.is_set() or not running(), 60)
        assert collector.blocked.is_set(), f"the sender never reached the held message: {sender.stop()}"
        # The kill lands here by construction: the server holds the investor's message in
        # DATA, so the sender is waiting for the answer, its claim committed.
        assert _status_by_address(db) == {manager: "sent", held: "sending", other: "queued"}
        assert sender.kill9() == -signal.SIGKILL
        collector.release.set()  # the server answers an error to nobody; the message is not kept
        assert _received(mail) == Counter({manager: 1})

        # Within five minutes of the claim a live sender might still be talking to the server.
        # (limit=0: only the look for interrupted sends, nothing else is sent yet)
        recently = _outbox(c, lambda: datetime.now(UTC) + INTERRUPTED_AFTER / 2)
        assert recently.send_due(limit=0) == {"sent": 0, "retry": 0, "failed": 0, "interrupted": 0}
        assert _status_by_address(db)[held] == "sending"

        clock = [datetime.now(UTC) + INTERRUPTED_AFTER + timedelta(minutes=1)]
        service = DatabaseNotificationService(db, _outbox(c, lambda: clock[0]))
        assert service.send_due_emails() == {"sent": 1, "retry": 0, "failed": 0, "interrupted": 1}
        assert _status_by_address(db) == {manager: "sent", held: "unknown", other: "sent"}
        unknown = next(d for d in _deliveries(db) if d.to_address == held)
        assert "may have gone" in unknown.last_error
        clock[0] += timedelta(days=1)
        assert service.send_due_emails() == {"sent": 0, "retry": 0, "failed": 0, "interrupted": 0}
        assert _received(mail) == Counter({manager: 1, other: 1})  # never sent again by itself

        # An administrator checked with the investor: resend it; it goes once.
        again = service.resend_delivery(world.admin, unknown.id)
        assert again.status is DeliveryStatus.QUEUED and again.to_address == held
        assert service.send_due_emails()["sent"] == 1
        assert service.send_due_emails()["sent"] == 0
        assert _received(mail) == Counter({manager: 1, held: 1, other: 1})
        assert set(_status_by_address(db).values()) == {"sent"}
    finally:
        if sender is not None:
            sender.stop()
        db.dispose()


# -- d. kill -9 of the notification consumer between commit and ack ------------------------

CONSUMER = """
import sys, threading, time
from pathlib import Path
from backend.composition.container import Container
from backend.platform.config import load_settings
from notifications import amqp
from notifications.consumer import EVENT_TYPES

url, queue, exchange, pause_after, paused, journal = sys.argv[1:7]
container = Container(load_settings())
handled = 0

def handle(event):
    global handled
    created = container.notification_consumer.handle(event)  # notifications and emails committed
    handled += 1
    with open(journal, "a") as f:
        f.write(f"{event.event_id} {created}\\n")
    if handled == int(pause_after):
        Path(paused).write_text("committed, not acknowledged")
        time.sleep(600)  # killed here

amqp.consume(url, handle, EVENT_TYPES, threading.Event(), queue=queue, exchange=exchange, prefetch=10)
"""
EVENTS = 5
PAUSE_AFTER = 3


def _journal(path: Path) -> list[tuple[str, int]]:
    """(event id, notifications created) per message each consumer handled, in order."""
    if not path.exists():
        return []
    lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
    return [(event_id, int(created)) for event_id, created in lines]


def test_a_consumer_killed_between_commit_and_ack_notifies_and_emails_once(tmp_path: Path) -> None:
    c, db, url = _private_container(tmp_path, "notify_outage_consumer")
    exchange, queue = f"test.ledger.{uuid.uuid4().hex[:8]}", f"test.notify.{uuid.uuid4().hex[:8]}"
    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    workers: list[Worker] = []
    try:
        world = make_world(c)
        pool = c.pools.create_pool(world.manager, closed_pool()).id
        a = world.investor_profile(world.investor)
        b = world.investor_profile(world.other_investor, name="Bo Other")
        users = _user_ids(world)
        channel = connection.channel()
        publisher = RabbitPublisher(BROKER, exchange=exchange)
        publisher.declare()
        amqp.declare(channel, queue, EVENT_TYPES, exchange)
        events = [str(uuid.uuid4()) for _ in range(EVENTS)]
        for i, event_id in enumerate(events):  # capital calls as the ledger's relay publishes them
            publisher.publish(
                LedgerEvent(
                    event_id=event_id,
                    event_type="capital_call.issued",
                    pool_id=pool,
                    entry_id=800_000 + i,
                    occurred_at=datetime.now(UTC),
                    payload={
                        "amount": "150.00",
                        "due_date": "2030-03-31",
                        "allocation": {a: "100.00", b: "50.00"},
                    },
                )
            )
        publisher.close()

        paused, journal = tmp_path / "paused", tmp_path / "journal"

        def start(pause_after: int) -> Worker:
            args = [BROKER, queue, exchange, str(pause_after), str(paused), str(journal)]
            log = tmp_path / f"consumer-{len(workers) + 1}.log"
            worker = Worker([sys.executable, "-c", CONSUMER, *args], _env(url, tmp_path), log)
            workers.append(worker)
            return worker

        first = start(pause_after=PAUSE_AFTER)
        assert _eventually(lambda: paused.exists() or not first.running(), 60)
        assert paused.exists(), f"the consumer never reached its pause: {first.stop()}"
        # The third event's notifications and emails are committed, its message not acknowledged.
        assert _journal(journal) == [(e, 3) for e in events[:PAUSE_AFTER]]
        held = events[PAUSE_AFTER - 1]
        assert _notifications_per_user(db, held) == dict.fromkeys(users.values(), 1)
        assert first.kill9() == -signal.SIGKILL

        second = start(pause_after=EVENTS + 1)  # the next consumer: never pauses
        assert _eventually(lambda: len(_journal(journal)) == EVENTS + 1 or not second.running(), 60)
        handled = _journal(journal)
        assert len(handled) == EVENTS + 1, f"{handled}: {second.stop()}"
        # The held message came back, and its second handling created nothing.
        assert [n for e, n in handled if e == held] == [3, 0]
        assert sorted(e for e, n in handled if n == 3) == sorted(events)
        for event_id in events:
            assert _notifications_per_user(db, event_id) == dict.fromkeys(users.values(), 1)
        emails = Counter((d.event_id, d.user_id) for d in _deliveries(db))
        assert emails == Counter({(e, u): 1 for e in events for u in users.values()})

        # Every message was acknowledged: once the second consumer is gone (its unacknowledged
        # messages would be requeued as it detaches), the queue is empty, the dead letters too.
        second.stop()
        assert _eventually(lambda: channel.queue_declare(queue, passive=True).method.consumer_count == 0)
        assert channel.queue_declare(queue, passive=True).method.message_count == 0
        assert channel.queue_declare(f"{queue}.dead", passive=True).method.message_count == 0
    finally:
        for worker in workers:
            worker.stop()
        connection.close()
        _delete_broker_objects(queue, exchange)
        db.dispose()


def test_a_line_that_goes_quiet_during_data_leaves_the_message_unknown_not_resent(
    container: Container, mail: MailServer
) -> None:
    """The sender times out waiting for the answer to the message itself: the server may have
    taken it, so it is neither retried (a double notice) nor failed (a lost one): unknown."""
    world = make_world(container)
    _call(world)
    manager, held, other = (world.emails[k] for k in ("manager", "investor", "other_investor"))
    collector = _scripted(mail)
    collector.block_to = held
    outbox = EmailOutbox(
        container.db,
        lambda: SmtpMail("127.0.0.1", mail.port, starttls=False, timeout=1.0),
        container.users.contacts,
        sender=container.settings.mail_from,
        portal_url="http://pools.test",
    )
    assert outbox.send_due() == {"sent": 2, "retry": 0, "failed": 1, "interrupted": 0}
    assert collector.blocked.is_set()  # the timeout came while the server held the message
    collector.release.set()
    assert _status_by_address(container.db) == {manager: "sent", held: "unknown", other: "sent"}
    unknown = next(d for d in _deliveries(container.db) if d.to_address == held)
    assert "during DATA" in unknown.last_error and "check before resending" in unknown.last_error
    assert outbox.send_due()["sent"] == 0
    assert _received(mail) == Counter({manager: 1, other: 1})


def test_senders_racing_to_mark_interrupted_messages_do_not_crash_on_a_deadlock(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four senders on MariaDB each start a pass by marking dead claims unknown; two such
    range updates can deadlock (seen in bench/notifications.py at 3,000 investors). The loser
    leaves it to the winner: its pass goes on and sends what is due."""
    import pymysql
    from sqlalchemy.exc import OperationalError

    from backend.platform.unit_of_work import UnitOfWork
    from notifications import delivery_rows

    world = make_world(container)
    _call(world)
    real = UnitOfWork

    class Deadlocked(real):  # type: ignore[misc, valid-type]
        def write_first(self, table: str, column: str) -> None:
            raise OperationalError(
                "UPDATE notification_deliveries", {}, pymysql.err.OperationalError(1213, "Deadlock")
            )

    rows = delivery_rows.DeliveryRows(container.db, lambda: datetime.now(UTC))
    monkeypatch.setattr(delivery_rows, "UnitOfWork", Deadlocked)
    assert rows.mark_interrupted() == 0
    monkeypatch.setattr(delivery_rows, "UnitOfWork", real)
    counts = container.notifications.send_due_emails()
    assert counts["sent"] == 3

    class Broken(real):  # type: ignore[misc, valid-type]
        def write_first(self, table: str, column: str) -> None:
            raise OperationalError("UPDATE", {}, pymysql.err.OperationalError(2013, "Lost connection"))

    monkeypatch.setattr(delivery_rows, "UnitOfWork", Broken)
    with pytest.raises(OperationalError):  # anything else is not swallowed
        rows.mark_interrupted()
