"""The notifications consumer on RabbitMQ: the production twin of the in-process subscription.

`python app.py notifications consume` binds a durable queue to the ledger's topic exchange
for the events that concern people (capital call issued, distribution made, valuation
recorded) and feeds each message to the same LedgerEventConsumer the embedded default
subscribes to its bus. (`python app.py payments consume` runs the same loop on its own queue.)

* Manual acknowledgement after the notifications are committed: a consumer killed mid-way
  leaves the message queued, and the redelivery is harmless because notifications are
  unique per (event id, user).
* A message that cannot be handled (not a ledger event, or a bug) is rejected without
  requeue and dead-lettered to `<queue>.dead`, so it cannot block the queue; an operator
  inspects and replays it.
* Handlers run on worker threads while the calling thread keeps pika's I/O loop turning:
  a capital call to 20,000 investors renders and queues for minutes, and a connection whose
  heartbeats go unanswered that long is closed by the broker, the late ack lost and the whole
  call done again. Acks and nacks go back through `add_callback_threadsafe`, the one method
  of pika's BlockingConnection another thread may call.
* A lost connection (broker restart, network) is opened again with capped exponential backoff
  and jitter, the topology declared again. Messages in hand when it dropped are not acked;
  the broker redelivers them.

The worker threads, the session they settle through and what counts as a lost connection
are in notifications/amqp_handlers.py; ChannelLost is importable from here still.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pika

from backend.platform.trace_context import TRACEPARENT
from ledger.interface import EXCHANGE, LedgerEvent, RabbitPublisher
from notifications.amqp_handlers import _LOST, ChannelLost, _Delivery, _Session, _Workers

__all__ = [
    "HEARTBEAT",
    "MAX_BACKOFF",
    "MIN_BACKOFF",
    "QUEUE",
    "SHUTDOWN_GRACE",
    "ChannelLost",
    "consume",
    "declare",
    "parameters",
]

log = logging.getLogger(__name__)

QUEUE = "notifications.ledger-events"
HEARTBEAT = 30
"""Seconds; the broker's default of 60 leaves a dead peer unnoticed for two minutes."""
MIN_BACKOFF = 0.5
MAX_BACKOFF = 30.0
SHUTDOWN_GRACE = 10.0
"""How long a stop waits for handlers in progress to finish and be acked; a handler still
running after that is abandoned and its message redelivered to the next consumer."""

# The consuming thread looks at `stop` this often; the I/O loop (heartbeats, acks) runs
# all the while, so this only bounds how late a stop is noticed.
_TICK = 0.5


def declare(channel: Any, queue: str, event_types: Iterable[str], exchange: str = EXCHANGE) -> None:
    dead = f"{queue}.dead"
    channel.exchange_declare(dead, exchange_type="fanout", durable=True)
    channel.queue_declare(dead, durable=True)
    channel.queue_bind(dead, dead)
    channel.queue_declare(queue, durable=True, arguments={"x-dead-letter-exchange": dead})
    for event_type in event_types:
        channel.queue_bind(queue, exchange, routing_key=event_type)


def parameters(url: str, connection_name: str, heartbeat: int = HEARTBEAT) -> Any:
    """pika's parameters for `url`, with our defaults where the URL leaves them out."""
    params = pika.URLParameters(url)
    given = parse_qs(urlsplit(url).query)
    if "heartbeat" not in given:
        params.heartbeat = heartbeat
    if "connection_attempts" not in given:
        # The reconnect loop retries, with backoff and watching `stop`; pika's own retries
        # would block without either.
        params.connection_attempts = 1
    properties = dict(params.client_properties or {})
    # Shown by `rabbitmqctl list_connections client_properties` and the management UI, so
    # an operator (or a test) can tell this connection from the others.
    properties.setdefault("connection_name", connection_name)
    params.client_properties = properties
    return params


class _Backoff:
    """Delays doubling from `low` up to `high`, each drawn from the upper half of its step so
    that consumers cut off together do not all come back at the same instant."""

    def __init__(self, low: float, high: float) -> None:
        self._low = low
        self._high = max(high, low)
        self._step = low
        self._random = random.Random()  # noqa: S311 - jitter, not a secret

    def next(self) -> float:
        step, self._step = self._step, min(self._step * 2, self._high)
        return self._random.uniform(step / 2, step)

    def reset(self) -> None:
        self._step = self._low


class _Consumer:
    def __init__(
        self,
        url: str,
        handle: Callable[[LedgerEvent], object],
        event_types: tuple[str, ...],
        stop: threading.Event,
        *,
        queue: str,
        exchange: str,
        prefetch: int,
        workers: int,
        params: Any,
        backoff: _Backoff,
        max_backoff: float,
        shutdown_grace: float,
    ) -> None:
        self._url = url
        self._event_types = event_types
        self._stop = stop
        self._queue = queue
        self._exchange = exchange
        self._prefetch = prefetch
        self._params = params
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._grace = shutdown_grace
        self._workers = _Workers(handle, workers, queue)
        self._consuming_since: float | None = None
        self._down_since: float | None = None
        self._failures = 0

    def run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    self._session()
                except _LOST as exc:
                    if self._stop.is_set():
                        log.info("consumer of %s stopped while its connection failed: %s", self._queue, exc)
                        return
                    self._stop.wait(self._lost(exc))
        finally:
            self._workers.close()

    def _session(self) -> None:
        """Connect, declare, consume until `stop`; raises one of _LOST when the line goes."""
        # The exchange as the publisher declares it (with its alternate exchange), so either
        # side may start first, and a broker that restarted without its definitions has it.
        publisher = RabbitPublisher(self._url, exchange=self._exchange)
        try:
            publisher.declare()
        finally:
            publisher.close()
        connection = pika.BlockingConnection(self._params)
        session: _Session | None = None
        try:
            channel = connection.channel()
            declare(channel, self._queue, self._event_types, self._exchange)
            channel.basic_qos(prefetch_count=self._prefetch)
            session = _Session(connection, channel)
            tag = channel.basic_consume(self._queue, functools.partial(self._deliver, session))
            self._recovered()
            while not self._stop.is_set():
                connection.process_data_events(time_limit=_TICK)
                if not channel.is_open or tag not in channel.consumer_tags:
                    raise ChannelLost("the broker closed the channel or cancelled the consumer")
            self._drain(connection, channel, session, tag)
        finally:
            if session is not None:
                session.retire()
            if connection.is_open:
                with contextlib.suppress(*_LOST):
                    connection.close()

    def _deliver(self, session: _Session, _channel: Any, method: Any, properties: Any, body: bytes) -> None:
        headers = getattr(properties, "headers", None) or {}
        traceparent = headers.get(TRACEPARENT)
        self._workers.submit(
            _Delivery(
                session, method.delivery_tag, body, traceparent if isinstance(traceparent, str) else None
            )
        )

    def _drain(self, connection: Any, channel: Any, session: _Session, tag: str) -> None:
        """`stop` is set: take nothing more, and give the handlers in progress the grace to
        finish, the I/O loop turning meanwhile so that their acks go out before the close."""
        session.retire()
        channel.basic_cancel(tag)
        deadline = time.monotonic() + self._grace
        while session.unsettled and time.monotonic() < deadline:
            connection.process_data_events(time_limit=0.1)
        if session.unsettled:
            log.warning(
                "consumer of %s stopping with %d message(s) still being handled; they will be redelivered",
                self._queue,
                session.unsettled,
            )

    def _recovered(self) -> None:
        self._consuming_since = time.monotonic()
        if self._down_since is None:
            log.info("consuming %s from RabbitMQ", self._queue)
            return
        log.info(
            "consuming %s from RabbitMQ (connected after %.1f s away and %d failed attempt(s))",
            self._queue,
            self._consuming_since - self._down_since,
            self._failures,
        )
        self._down_since, self._failures = None, 0

    def _lost(self, exc: BaseException) -> float:
        """Log the loss; the delay before the next attempt."""
        now = time.monotonic()
        if self._consuming_since is not None:
            # Start from the shortest delay only after a connection that held for a while: one
            # the broker drops as soon as we consume (a bad queue argument, say) would
            # otherwise be reopened twice a second forever.
            if now - self._consuming_since >= self._max_backoff:
                self._backoff.reset()
            self._consuming_since = None
            self._down_since = now
            delay = self._backoff.next()
            log.warning(
                "consumer of %s lost its RabbitMQ connection (%s: %s); reconnecting in %.1f s",
                self._queue,
                type(exc).__name__,
                exc,
                delay,
            )
            return delay
        if self._down_since is None:
            self._down_since = now
        self._failures += 1
        delay = self._backoff.next()
        log.warning(
            "consumer of %s could not connect to RabbitMQ (%s: %s); attempt %d, next in %.1f s",
            self._queue,
            type(exc).__name__,
            exc,
            self._failures,
            delay,
        )
        return delay


def consume(
    url: str,
    handle: Callable[[LedgerEvent], object],
    event_types: Iterable[str],
    stop: threading.Event,
    *,
    queue: str = QUEUE,
    exchange: str = EXCHANGE,
    prefetch: int | None = None,
    workers: int = 1,
    heartbeat: int = HEARTBEAT,
    connection_name: str | None = None,
    min_backoff: float = MIN_BACKOFF,
    max_backoff: float = MAX_BACKOFF,
    shutdown_grace: float = SHUTDOWN_GRACE,
) -> None:
    """Handle messages until `stop` is set, through lost connections. Declares the exchange
    (as the publisher does), the queue with its dead-letter queue, and the bindings on every
    connect, so either side may start first and a broker may restart empty.

    `workers` handler threads (in delivery order when 1); `prefetch` unacked messages in hand,
    by default one per worker: a message waiting behind a long handler would sit unacked and
    could run into the broker's delivery acknowledgement timeout (30 minutes by default).
    `heartbeat` (seconds) and the connection name apply unless the URL sets them.
    """
    if workers < 1 or (prefetch is not None and prefetch < 1):
        raise ValueError("workers and prefetch must be at least 1")
    name = connection_name or f"{queue} consumer on {socket.gethostname()} pid {os.getpid()}"
    _Consumer(
        url,
        handle,
        tuple(event_types),  # declared again on each connect: an iterator would be spent
        stop,
        queue=queue,
        exchange=exchange,
        prefetch=workers if prefetch is None else prefetch,
        workers=workers,
        params=parameters(url, name, heartbeat),
        backoff=_Backoff(min_backoff, max_backoff),
        max_backoff=max_backoff,
        shutdown_grace=shutdown_grace,
    ).run()
