"""The transactional outbox: events written with their entry, published after commit.

An entry's events are rows in `ledger_outbox`, added in the entry's own transaction: a
rolled-back entry leaves no event, a committed one always has its events. The relay reads
unpublished rows in id order, hands each to a publisher, and marks it published only once
the publisher has confirmed it:

* embedded default: `EventBus`, an in-process bus with subscriber callbacks;
* production: `RabbitPublisher`, a durable topic exchange "ledger.events" on RabbitMQ,
  persistent messages, publisher confirms (a message counts as published only after the
  broker acknowledged it). The routing key is the event type, e.g. "entry.committed".

Delivery is at least once. A relay that dies after publishing but before its mark commits
publishes those events again on restart, with the same event id; consumers must be
idempotent by event id (the message's `message_id`).

Order: within one pool, ids are allocated under the pool's chain-head lock, so id order is
commit order and events of a pool are published in the order their entries were committed.
Across pools there is no order. Several relays may run against MariaDB (each batch locks its
rows); on SQLite run one.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol, cast
from urllib.parse import quote, unquote

from opentelemetry.trace import SpanKind
from prometheus_client import Counter
from sqlalchemy import CursorResult, Table, func, insert, select, update
from sqlalchemy.orm import Session

from backend.platform import trace_context, tracing
from backend.platform.db import Database
from backend.platform.orm import utcnow
from backend.platform.trace_context import TRACEPARENT
from backend.platform.unit_of_work import UnitOfWork
from ledger.events import EXCHANGE, Backlog, LedgerEvent
from ledger.locking import is_sqlite, take_write_lock
from ledger.models import OutboxEvent

log = logging.getLogger(__name__)

# Messages no queue is bound for land in "<exchange>.unrouted" (an alternate exchange and
# a durable queue of that name) instead of being dropped: "nothing committed is left
# unpublished" has to hold before the consumers have declared their queues too.


_INSERT_EVENT = insert(cast(Table, OutboxEvent.__table__))

EVENTS_PUBLISHED = Counter(
    "ledger_events_published_total",
    "Ledger events the relay published to the broker (or in-process bus) and marked published.",
)
BATCH_FAILURES = Counter(
    "ledger_relay_batch_failures_total",
    "Relay batches that failed (broker or database); the relay retries them with a backoff.",
)


def event_row(
    event_type: str, *, pool_id: int, entry_id: int | None, payload: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """One outbox row, for add_events."""
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "pool_id": pool_id,
        "entry_id": entry_id,
        "payload": json.dumps(payload, sort_keys=True, default=str),
        "created_at": now,
        "published_at": None,
        "traceparent": trace_context.current_traceparent(),
    }


def add_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Add the events (event_row) to the caller's transaction in one INSERT, in order. A
    Core statement on the session's connection: a writer adds its events under the pool's
    lock, where the ORM's unit of work would cost as much Python again."""
    if rows:
        session.connection().execute(_INSERT_EVENT, list(rows))


BACKLOG_COUNTED = 10_000
"""Unpublished events counted before the status page says "10,000+": enough to tell a
stalled relay from a busy one, read from the index in milliseconds."""


class Publisher(Protocol):
    def publish(self, event: LedgerEvent) -> None:
        """Return only once the event is safely handed over; raise otherwise."""

    def idle(self) -> None:
        """Called between polls: keep connections alive."""

    def close(self) -> None: ...


Subscriber = Callable[[LedgerEvent], None]


class EventBus:
    """In-process publish/subscribe: the embedded default's stand-in for RabbitMQ.

    Subscribers run synchronously in the relay's thread. One that raises is logged and
    skipped, so a broken consumer cannot stall the ledger's event stream for the others
    (as with a queue per consumer on RabbitMQ).
    """

    def __init__(self) -> None:
        self._subscribers: list[tuple[str | None, Subscriber]] = []
        self._lock = threading.Lock()

    def subscribe(self, callback: Subscriber, event_type: str | None = None) -> Callable[[], None]:
        """Call `callback` for every event (or those of `event_type`); returns an unsubscribe."""
        entry = (event_type, callback)
        with self._lock:
            self._subscribers.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subscribers:
                    self._subscribers.remove(entry)

        return unsubscribe

    def publish(self, event: LedgerEvent) -> None:
        with self._lock:
            targets = [cb for wanted, cb in self._subscribers if wanted in (None, event.event_type)]
        for callback in targets:
            try:
                callback(event)
            except Exception:
                log.exception("event subscriber failed", extra={"event_id": event.event_id})

    def idle(self) -> None:
        return None

    def close(self) -> None:
        return None


def amqp_url(url: str | None) -> str | None:
    """The pika URL to publish to, from a Celery-style broker URL; None if it is not AMQP.

    Celery (kombu) reads the path after the host as the virtual host, "//" being "/"; pika
    wants it URL-encoded ("%2F"), and would read "//" as an empty vhost the broker refuses.
    """
    if not url:
        return None
    scheme, sep, rest = url.partition("://")
    if not sep:
        return None
    if scheme in ("amqp", "pyamqp", "librabbitmq"):
        scheme = "amqp"
    elif scheme != "amqps":
        return None
    authority, slash, path = rest.partition("/")
    path, query_sep, query = path.partition("?")
    vhost = unquote(path) if slash and path else "/"
    result = f"{scheme}://{authority}/{quote(vhost, safe='')}"
    return f"{result}?{query}" if query_sep else result


class RabbitPublisher:
    """Publishes to RabbitMQ with publisher confirms over one blocking connection.

    Not thread-safe (nor is pika's BlockingConnection): one relay, one publisher.
    """

    def __init__(self, url: str, *, exchange: str = EXCHANGE) -> None:
        self._url = url
        self._exchange = exchange
        # "<exchange>.unrouted" for both the alternate exchange and its queue.
        self.unrouted = f"{exchange}.unrouted"
        self._connection: Any = None
        self._channel: Any = None

    def _open(self) -> Any:
        import pika

        if self._channel is not None and self._channel.is_open:
            return self._channel
        self.close()
        params = pika.URLParameters(self._url)
        params.connection_attempts = 1
        params.socket_timeout = 5
        self._connection = pika.BlockingConnection(params)
        channel = self._connection.channel()
        channel.exchange_declare(self.unrouted, exchange_type="fanout", durable=True)
        channel.queue_declare(self.unrouted, durable=True)
        channel.queue_bind(self.unrouted, self.unrouted)
        channel.exchange_declare(
            self._exchange,
            exchange_type="topic",
            durable=True,
            arguments={"alternate-exchange": self.unrouted},
        )
        channel.confirm_delivery()
        self._channel = channel
        return channel

    def declare(self) -> None:
        """Connect and declare the exchanges (done by the first publish anyway)."""
        self._open()

    def publish(self, event: LedgerEvent) -> None:
        import pika
        import pika.exceptions

        properties = pika.BasicProperties(
            content_type="application/json",
            delivery_mode=pika.DeliveryMode.Persistent,
            message_id=event.event_id,
            type=event.event_type,
            timestamp=int(event.occurred_at.timestamp()),
            headers={
                "pool_id": event.pool_id,
                "entry_id": event.entry_id,
                **({TRACEPARENT: event.traceparent} if event.traceparent else {}),
            },
        )
        body = event.to_json()
        for attempt in (1, 2):
            try:
                # With confirm_delivery on, this returns only after the broker's ack and
                # raises NackError if the broker refused the message.
                self._open().basic_publish(self._exchange, event.event_type, body, properties)
                return
            except (pika.exceptions.AMQPConnectionError, pika.exceptions.AMQPChannelError):
                self.close()  # a dead connection: reconnect once, then give up to the relay
                if attempt == 2:
                    raise

    def idle(self) -> None:
        if self._connection is not None and self._connection.is_open:
            try:
                self._connection.process_data_events(0)  # answers heartbeats
            except Exception:
                self.close()

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except Exception:
                log.debug("closing the AMQP connection failed", exc_info=True)


class DatabaseOutboxRelay:
    def __init__(
        self,
        db: Database,
        publisher: Publisher,
        *,
        batch_size: int = 100,
        on_published: Callable[[Sequence[LedgerEvent]], object] | None = None,
    ) -> None:
        self._db = db
        self._publisher = publisher
        self._batch_size = batch_size
        # Told of each batch once it is marked published (e.g. to schedule the snapshots of
        # the pools it touched). A failure there is logged: the events are out regardless.
        self._on_published = on_published
        # One batch at a time per relay: the embedded default runs the relay after each
        # commit from whichever request thread made it.
        self._lock = threading.Lock()

    def run_once(self) -> int:
        """Publish one batch of unpublished events in order; returns how many were published."""
        with self._lock:
            try:
                return self._run_batch()
            except Exception:
                BATCH_FAILURES.inc()
                raise

    def drain(self, max_batches: int = 1000) -> int:
        """Publish until nothing is left (or max_batches); returns how many were published."""
        total = 0
        for _ in range(max_batches):
            count = self.run_once()
            total += count
            if count < self._batch_size:
                break
        return total

    def _run_batch(self) -> int:
        published: list[int] = []
        sent: list[LedgerEvent] = []
        with UnitOfWork(self._db) as uow:
            session = uow.session
            # MariaDB: the batch's rows stay locked until marked, so a second relay waits
            # instead of publishing them twice. SQLite has one writer and one relay: read,
            # end the read transaction, publish, then mark in a fresh write transaction.
            lock_rows = not is_sqlite(session)
            stmt = (
                select(OutboxEvent)
                .where(OutboxEvent.published_at.is_(None))
                .order_by(OutboxEvent.id)
                .limit(self._batch_size)
            )
            rows = session.scalars(stmt.with_for_update() if lock_rows else stmt).all()
            events = [(row.id, _event(row)) for row in rows]
            if not lock_rows:
                session.rollback()
            try:
                for row_id, event in events:
                    sent.append(self._publish(event))
                    published.append(row_id)
            finally:
                # Whatever was confirmed is marked, even when a later publish failed.
                if published:
                    if not lock_rows:
                        take_write_lock(session)
                    marked = self._mark_published(session, published)
                    uow.commit()
                    # Counted once marked (a batch that failed part-way too): an event published
                    # but never marked (the relay died between the two) counts when it is.
                    EVENTS_PUBLISHED.inc(marked)
        if sent and self._on_published is not None:
            try:
                self._on_published(sent)
            except Exception:
                log.exception("on_published hook failed", extra={"events": len(sent)})
        return len(published)

    def _publish(self, event: LedgerEvent) -> LedgerEvent:
        """Publish one event as a producer span continuing the trace of the request that wrote
        it; the event sent (and handed to `on_published`) names that span as its parent, so
        consumers and the tasks scheduled from it join the same trace."""
        with tracing.span(
            f"publish {event.event_type}",
            trace_context.parse_traceparent(event.traceparent),
            SpanKind.PRODUCER,
            {
                "messaging.destination.name": EXCHANGE,
                "messaging.message.id": event.event_id,
                "pool.id": event.pool_id,
            },
        ) as opened:
            sent = replace(event, traceparent=tracing.traceparent_of(opened.otel))
            self._publisher.publish(sent)
        return sent

    def _mark_published(self, session: Session, ids: list[int]) -> int:
        """Mark the events published; returns how many were not already."""
        result = session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_(ids), OutboxEvent.published_at.is_(None))
            .values(published_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return int(cast(CursorResult[Any], result).rowcount)

    def run_forever(
        self, stop: threading.Event, *, idle_seconds: float = 0.5, max_backoff: float = 30.0
    ) -> None:
        """Publish until `stop` is set: at once while there is a backlog, else every idle_seconds."""
        backoff = idle_seconds
        while not stop.is_set():
            try:
                count = self.run_once()
            except Exception:
                log.exception("outbox relay batch failed; will retry")
                stop.wait(backoff)
                backoff = min(backoff * 2, max_backoff)
                continue
            backoff = idle_seconds
            if count < self._batch_size:
                self._publisher.idle()
                stop.wait(idle_seconds)
        self._publisher.close()

    def backlog(self) -> Backlog:
        """What waits to be published, counted up to BACKLOG_COUNTED: when the relay is down
        the backlog is what an operator opens the status page for, and counting half a million
        rows took seconds on every refresh. The oldest is the first by id (ids follow time)."""
        unpublished = select(OutboxEvent.id).where(OutboxEvent.published_at.is_(None))
        with UnitOfWork(self._db) as uow:
            session = uow.session
            count = session.scalar(
                select(func.count()).select_from(unpublished.limit(BACKLOG_COUNTED + 1).subquery())
            )
            oldest = session.scalar(
                select(OutboxEvent.created_at)
                .where(OutboxEvent.published_at.is_(None))
                .order_by(OutboxEvent.id)
                .limit(1)
            )
            more = int(count or 0) > BACKLOG_COUNTED
            return Backlog(BACKLOG_COUNTED if more else int(count or 0), oldest, more)


def _event(row: OutboxEvent) -> LedgerEvent:
    return LedgerEvent(
        event_id=row.event_id,
        event_type=row.event_type,
        pool_id=row.pool_id,
        entry_id=row.entry_id,
        occurred_at=row.created_at,
        payload=json.loads(row.payload),
        traceparent=row.traceparent,
    )
