"""Where the outbox relay hands the ledger's events: the publisher it speaks to, the
in-process bus the embedded default uses, and RabbitMQ with publisher confirms in production
(with the broker URL as Celery writes it turned into the one pika takes).

Kept apart from ledger.outbox, which owns the table and the relay (read in id order, publish,
mark), because a publisher knows nothing of the database: it only has to return once an event
is safely handed over, or raise. A new broker or a change to the exchange's topology is
made here, the relay's ordering and marking there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import quote, unquote

from backend.platform.trace_context import TRACEPARENT
from ledger.events import EXCHANGE, LedgerEvent

log = logging.getLogger(__name__)

# Messages no queue is bound for land in "<exchange>.unrouted" (an alternate exchange and
# a durable queue of that name) instead of being dropped: "nothing committed is left
# unpublished" has to hold before the consumers have declared their queues too.


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
