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

The publishers themselves (the Publisher protocol, EventBus, RabbitPublisher, amqp_url) are
in ledger/publishers.py, and importable from here still.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from opentelemetry.trace import SpanKind
from prometheus_client import Counter
from sqlalchemy import CursorResult, Table, func, insert, select, update
from sqlalchemy.orm import Session

from backend.platform import trace_context, tracing
from backend.platform.db import Database
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import UnitOfWork
from ledger.events import EXCHANGE, Backlog, LedgerEvent
from ledger.locking import is_sqlite, take_write_lock
from ledger.models import OutboxEvent
from ledger.publishers import EventBus, Publisher, RabbitPublisher, Subscriber, amqp_url

__all__ = [
    "BACKLOG_COUNTED",
    "BATCH_FAILURES",
    "EVENTS_PUBLISHED",
    "DatabaseOutboxRelay",
    "EventBus",
    "Publisher",
    "RabbitPublisher",
    "Subscriber",
    "add_events",
    "amqp_url",
    "event_row",
]

log = logging.getLogger(__name__)

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
