"""The RabbitMQ consumer through long handlers and lost connections, on real RabbitMQ:

* a handler that outlasts several heartbeat intervals keeps its connection and is acked once;
* a connection the broker closes (`rabbitmqctl close_connection`) is opened again and what
  was published meanwhile is handled;
* a line cut (a proxy of the test's own) while a handler runs: that message is not acked and
  comes back, nothing published during the outage is lost;
* a handler that raises dead-letters its message and the consumer goes on;
* `stop` ends the wait between reconnect attempts at once.

A recording handler stands in for the notifications: these tests are about the consumer's
connection, not about what the handler does. Each test has its own exchange and queue, so
parallel runs (`-n`) do not meet; waits poll for an outcome with generous deadlines.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pika
import pytest

from ledger.interface import LedgerEvent
from ledger.outbox import RabbitPublisher, amqp_url
from notifications import amqp
from notifications.consumer import EVENT_TYPES
from tests.conftest import AMQP_URL
from tests.integration.tcp_proxy import TcpProxy

URL = amqp_url(AMQP_URL) or AMQP_URL
RABBITMQCTL = shutil.which("rabbitmqctl")


def _eventually(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    """Poll for a state the consumer's threads reach; the deadline only decides how long a
    failing run takes to say so."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _with_query(url: str, query: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=f"{parts.query}&{query}" if parts.query else query))


def _via(proxy: TcpProxy, url: str) -> str:
    """`url` with its host and port replaced by the proxy's (credentials and vhost kept)."""
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    where = f"{proxy.host}:{proxy.port}"
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{where}" if userinfo else where))


def _event(event_id: str) -> LedgerEvent:
    return LedgerEvent(
        event_id=event_id,
        event_type="valuation.recorded",
        pool_id=1,
        entry_id=1,
        occurred_at=datetime.now(UTC),
        payload={},
    )


def _logged(caplog: pytest.LogCaptureFixture, text: str) -> int:
    return sum(text in r.getMessage() for r in caplog.records if r.name == amqp.__name__)


class Recorder:
    """The handler: records each event id once its handling is done (as the notifications
    commit before the ack). `hold` makes the first handling of one event wait for `release`,
    `pause` makes it take that many seconds, and an id in `fail` raises."""

    def __init__(self, *, hold: str | None = None, pause: tuple[str, float] | None = None) -> None:
        self.hold = hold
        self.entered = threading.Event()
        self.release = threading.Event()
        self.pause = pause
        self.fail: set[str] = set()
        self._lock = threading.Lock()
        self._handled: list[str] = []
        self._seen: set[str] = set()

    def __call__(self, event: LedgerEvent) -> None:
        with self._lock:
            first = event.event_id not in self._seen
            self._seen.add(event.event_id)
        if event.event_id in self.fail:
            raise RuntimeError(f"handler bug on {event.event_id}")
        if first and event.event_id == self.hold:
            self.entered.set()
            assert self.release.wait(60), "the test never released the held handler"
        if first and self.pause is not None and event.event_id == self.pause[0]:
            time.sleep(self.pause[1])
        with self._lock:
            self._handled.append(event.event_id)

    @property
    def handled(self) -> list[str]:
        with self._lock:
            return list(self._handled)


@dataclass
class Broker:
    """This test's exchange and queue, declared before any consumer runs (messages published
    while none is attached wait in the queue), and a direct connection to look at them."""

    exchange: str = field(default_factory=lambda: f"test.ledger.{uuid.uuid4().hex[:8]}")
    queue: str = field(default_factory=lambda: f"test.notify.{uuid.uuid4().hex[:8]}")
    connection: Any = None
    channel: Any = None
    publisher: RabbitPublisher | None = None

    def publish(self, event_id: str) -> None:
        assert self.publisher is not None
        self.publisher.publish(_event(event_id))

    def ready(self, queue: str | None = None) -> int:
        """Messages waiting in the queue (not those delivered and not yet acked)."""
        return int(self.channel.queue_declare(queue or self.queue, passive=True).method.message_count)

    def consumers(self) -> int:
        return int(self.channel.queue_declare(self.queue, passive=True).method.consumer_count)


@pytest.fixture
def broker() -> Iterator[Broker]:
    b = Broker()
    b.connection = pika.BlockingConnection(pika.URLParameters(URL))
    b.channel = b.connection.channel()
    b.publisher = RabbitPublisher(URL, exchange=b.exchange)
    b.publisher.declare()
    amqp.declare(b.channel, b.queue, EVENT_TYPES, b.exchange)
    yield b
    b.publisher.close()
    b.connection.close()
    cleanup = pika.BlockingConnection(pika.URLParameters(URL))
    try:
        channel = cleanup.channel()
        for name in (b.queue, f"{b.queue}.dead", f"{b.exchange}.unrouted"):
            channel.queue_delete(name)
        for name in (b.exchange, f"{b.queue}.dead", f"{b.exchange}.unrouted"):
            channel.exchange_delete(name)
    finally:
        cleanup.close()


class Consumer:
    """`amqp.consume` on a thread of its own, as `app.py notifications consume` runs it."""

    def __init__(self, url: str, handle: Recorder, broker: Broker, **options: Any) -> None:
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self._args = (url, handle, EVENT_TYPES, self.stop)
        self._options = {"queue": broker.queue, "exchange": broker.exchange, **options}
        self.thread = threading.Thread(target=self._run, name="test-consumer", daemon=True)

    def _run(self) -> None:
        try:
            amqp.consume(*self._args, **self._options)
        except BaseException as exc:
            self.errors.append(exc)


@contextmanager
def consuming(url: str, handle: Recorder, broker: Broker, **options: Any) -> Iterator[Consumer]:
    consumer = Consumer(url, handle, broker, **options)
    consumer.thread.start()
    try:
        yield consumer
    finally:
        consumer.stop.set()
        consumer.thread.join(30)


def _connections(name: str) -> list[str]:
    """The broker's process ids of the connections named `name` by their client."""
    assert RABBITMQCTL is not None
    listed = subprocess.run(
        [RABBITMQCTL, "-q", "--no-table-headers", "list_connections", "pid", "client_properties"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    marker = f'{{"connection_name","{name}"}}'
    return sorted(line.split("\t", 1)[0] for line in listed.splitlines() if marker in line)


def _unacked(queue: str) -> int:
    assert RABBITMQCTL is not None
    listed = subprocess.run(
        [RABBITMQCTL, "-q", "--no-table-headers", "list_queues", "name", "messages_unacknowledged"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    counts = dict(line.split("\t") for line in listed.splitlines() if "\t" in line)
    return int(counts[queue])


# -- heartbeats while a handler runs -------------------------------------------------------


def test_a_handler_outlasting_several_heartbeats_is_acked_once_on_the_same_connection(
    broker: Broker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=amqp.__name__)
    slow, quick = str(uuid.uuid4()), str(uuid.uuid4())
    # A 1 s heartbeat: the broker gives up on a silent peer after about two intervals, so a
    # handler of 5 s blocking the I/O loop would lose the connection (and its ack) for sure.
    recorder = Recorder(pause=(slow, 5.0))
    with consuming(_with_query(URL, "heartbeat=1"), recorder, broker) as consumer:
        assert _eventually(lambda: broker.consumers() == 1), "the consumer never attached"
        broker.publish(slow)
        broker.publish(quick)
        # Had the connection dropped, `slow` would have been requeued at the head and
        # redelivered before `quick`: the order proves it was acked where it was handled.
        assert _eventually(lambda: len(recorder.handled) >= 2), recorder.handled
        assert recorder.handled == [slow, quick]
    assert not consumer.thread.is_alive() and consumer.errors == []
    assert recorder.handled == [slow, quick]
    # The consumer's connection is closed now: anything it had not acked would be back.
    assert broker.ready() == 0
    assert broker.ready(f"{broker.queue}.dead") == 0
    assert _logged(caplog, "lost its RabbitMQ connection") == 0
    assert _logged(caplog, "could not connect") == 0


def test_the_url_heartbeat_wins_and_the_connection_is_named() -> None:
    default = amqp.parameters(URL, "notifications consumer on host-1")
    assert default.heartbeat == amqp.HEARTBEAT
    assert default.client_properties["connection_name"] == "notifications consumer on host-1"
    assert default.connection_attempts == 1
    given = amqp.parameters(_with_query(URL, "heartbeat=7&connection_attempts=3"), "n")
    assert given.heartbeat == 7 and given.connection_attempts == 3


# -- lost connections ----------------------------------------------------------------------


@pytest.mark.skipif(RABBITMQCTL is None, reason="needs rabbitmqctl next to the broker")
def test_a_connection_the_broker_closes_is_reopened_and_nothing_is_lost(
    broker: Broker, caplog: pytest.LogCaptureFixture
) -> None:
    assert RABBITMQCTL is not None
    caplog.set_level(logging.INFO, logger=amqp.__name__)
    name = f"test-consumer-{uuid.uuid4().hex[:8]}"
    before, during, after = (str(uuid.uuid4()) for _ in range(3))
    recorder = Recorder()
    with consuming(URL, recorder, broker, connection_name=name, max_backoff=1.0) as consumer:
        assert _eventually(lambda: len(_connections(name)) == 1), "the consumer never connected"
        first = _connections(name)
        broker.publish(before)
        assert _eventually(lambda: recorder.handled == [before])
        # Acked before the close, so that a redelivery below could only be a loss of ours.
        assert _eventually(lambda: _unacked(broker.queue) == 0)

        for pid in first:
            subprocess.run(
                [RABBITMQCTL, "-q", "close_connection", pid, "test: broker-side close"],
                check=True,
                timeout=60,
            )
        broker.publish(during)  # while the consumer is away or on its way back
        assert _eventually(lambda: _connections(name) not in ([], first)), "never reconnected"
        broker.publish(after)
        assert _eventually(lambda: len(recorder.handled) >= 3), recorder.handled
        assert consumer.thread.is_alive() and consumer.errors == []
    assert not consumer.thread.is_alive() and consumer.errors == []
    assert Counter(recorder.handled) == Counter([before, during, after])
    assert broker.ready() == 0 and broker.ready(f"{broker.queue}.dead") == 0
    assert _logged(caplog, "lost its RabbitMQ connection") == 1
    assert _logged(caplog, "connected after") == 1


def test_a_line_cut_mid_handler_redelivers_that_message_and_loses_nothing(
    broker: Broker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=amqp.__name__)
    target = urlsplit(URL)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5672).start()
    held, during, after = (str(uuid.uuid4()) for _ in range(3))
    recorder = Recorder(hold=held)
    try:
        # The consumer reaches RabbitMQ only through the proxy; the test publishes and looks
        # at the queue directly.
        with consuming(_via(proxy, URL), recorder, broker, max_backoff=1.0) as consumer:
            assert _eventually(lambda: broker.consumers() == 1), "the consumer never attached"
            broker.publish(held)
            assert recorder.entered.wait(30), "the handler never started"

            proxy.cut()
            assert _eventually(lambda: broker.consumers() == 0), "the broker never lost the consumer"
            broker.publish(during)
            # The handler finishes with its connection gone: its ack cannot reach the broker.
            recorder.release.set()
            assert _eventually(lambda: recorder.handled == [held])
            assert _eventually(lambda: _logged(caplog, "could not connect") >= 1), "no retry seen"

            proxy.restore()
            assert _eventually(lambda: Counter(recorder.handled) == Counter([held, held, during])), (
                recorder.handled
            )
            broker.publish(after)
            assert _eventually(lambda: after in recorder.handled), recorder.handled
            assert consumer.thread.is_alive() and consumer.errors == []
    finally:
        proxy.close()
    assert not consumer.thread.is_alive() and consumer.errors == []
    assert Counter(recorder.handled) == Counter([held, held, during, after])
    assert broker.ready() == 0 and broker.ready(f"{broker.queue}.dead") == 0
    assert _logged(caplog, "lost its RabbitMQ connection") == 1


def test_a_handler_that_raises_dead_letters_its_message_and_the_consumer_goes_on(broker: Broker) -> None:
    bad, good = str(uuid.uuid4()), str(uuid.uuid4())
    recorder = Recorder()
    recorder.fail.add(bad)
    with consuming(URL, recorder, broker) as consumer:
        broker.publish(bad)
        broker.publish(good)
        assert _eventually(lambda: recorder.handled == [good])
        assert _eventually(lambda: broker.ready(f"{broker.queue}.dead") == 1)
    assert not consumer.thread.is_alive() and consumer.errors == []
    assert broker.ready() == 0


def test_stop_while_waiting_to_reconnect_returns_at_once(
    broker: Broker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=amqp.__name__)
    target = urlsplit(URL)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5672).start()
    proxy.cut()  # its port refuses every connection
    try:
        # A first delay of 30-60 s: a consumer still there after a few seconds was not woken.
        options = {"min_backoff": 60.0, "max_backoff": 60.0}
        with consuming(_via(proxy, URL), Recorder(), broker, **options) as consumer:
            assert _eventually(lambda: _logged(caplog, "could not connect") == 1), "never tried"
            consumer.stop.set()
            consumer.thread.join(5)  # generous for a loaded box; the wait itself is 30 s or more
            assert not consumer.thread.is_alive(), "stop did not end the wait between attempts"
    finally:
        proxy.close()
    assert consumer.errors == []
