"""The notifications consumer on RabbitMQ: the production twin of the in-process subscription.

`python app.py notifications consume` binds a durable queue to the ledger's topic exchange
for the events that concern people (capital call issued, distribution made, valuation
recorded) and feeds each message to the same LedgerEventConsumer the embedded default
subscribes to its bus.

* Manual acknowledgement after the notifications are committed: a consumer killed mid-way
  leaves the message queued, and the redelivery is harmless because notifications are
  unique per (event id, user).
* A message that cannot be handled (not a ledger event, or a bug) is rejected without
  requeue and dead-lettered to `<queue>.dead`, so it cannot block the queue; an operator
  inspects and replays it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

import pika

from ledger.interface import EXCHANGE, LedgerEvent, RabbitPublisher

log = logging.getLogger(__name__)

QUEUE = "notifications.ledger-events"


def declare(channel: Any, queue: str, event_types: Iterable[str], exchange: str = EXCHANGE) -> None:
    dead = f"{queue}.dead"
    channel.exchange_declare(dead, exchange_type="fanout", durable=True)
    channel.queue_declare(dead, durable=True)
    channel.queue_bind(dead, dead)
    channel.queue_declare(queue, durable=True, arguments={"x-dead-letter-exchange": dead})
    for event_type in event_types:
        channel.queue_bind(queue, exchange, routing_key=event_type)


def consume(
    url: str,
    handle: Callable[[LedgerEvent], object],
    event_types: Iterable[str],
    stop: threading.Event,
    *,
    queue: str = QUEUE,
    exchange: str = EXCHANGE,
    prefetch: int = 10,
) -> None:
    """Handle messages until `stop` is set. Declares the exchange (as the publisher does), the
    queue with its dead-letter queue, and the bindings, so either side may start first."""
    publisher = RabbitPublisher(url, exchange=exchange)
    publisher.declare()
    publisher.close()
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        declare(channel, queue, event_types, exchange)
        channel.basic_qos(prefetch_count=prefetch)

        def on_message(ch: Any, method: Any, _properties: Any, body: bytes) -> None:
            try:
                event = LedgerEvent.from_json(body)
                handle(event)
            except Exception:
                log.exception("notification consumer could not handle a message; dead-lettered")
                ch.basic_nack(method.delivery_tag, requeue=False)
                return
            ch.basic_ack(method.delivery_tag)

        channel.basic_consume(queue, on_message)
        while not stop.is_set():
            connection.process_data_events(time_limit=0.5)
    finally:
        if connection.is_open:
            connection.close()
