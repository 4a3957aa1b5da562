"""The consumer's deliveries in hand: handed to worker threads in arrival order, each settled
(acked, or dead-lettered) back through the connection it came on.

Kept apart from notifications.amqp, which connects, declares, consumes and reconnects,
because this is the threading between pika's I/O loop and the handlers: a handler may run
for minutes while the consuming thread keeps heartbeats and acks going, and an ack may only
reach pika through `add_callback_threadsafe`. What counts as a lost connection is here too,
since a settle that finds the connection gone leaves the message to be redelivered.
"""

from __future__ import annotations

import functools
import logging
import queue as queues
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pika.exceptions
from opentelemetry.trace import SpanKind, Status, StatusCode

from backend.platform import trace_context, tracing
from ledger.interface import LedgerEvent

log = logging.getLogger(__name__)


class ChannelLost(Exception):
    """The connection is up but our channel was closed or our consumer cancelled by the broker
    (the queue deleted, a delivery acknowledgement timeout): nothing more would arrive on it."""


# What a lost or refused connection raises; anything else is a bug and propagates.
_LOST: tuple[type[BaseException], ...] = (pika.exceptions.AMQPError, OSError, ChannelLost)


class _Session:
    """One connection's channel as the worker threads see it.

    Retired when the connection is lost or the consumer stops: deliveries of a retired session
    not yet started are skipped (still unacked, the broker hands them out again), so nothing
    is handled on the strength of a connection that can no longer ack it.
    """

    def __init__(self, connection: Any, channel: Any) -> None:
        self._connection = connection
        self._channel = channel
        self._lock = threading.Lock()
        self._retired = False
        self._unsettled = 0

    def begin(self) -> bool:
        """A worker is about to handle one of this session's deliveries; False: leave it."""
        with self._lock:
            if self._retired:
                return False
            self._unsettled += 1
            return True

    def settle(self, delivery_tag: int, handled: bool) -> None:
        """From a worker thread: ack (handled) or dead-letter the delivery."""
        try:
            self._connection.add_callback_threadsafe(
                functools.partial(self._settle_in_io_thread, delivery_tag, handled)
            )
        except _LOST:
            self._done()
            log.info("message %s handled after its connection was lost; redelivered", delivery_tag)

    def retire(self) -> None:
        with self._lock:
            self._retired = True

    @property
    def unsettled(self) -> int:
        """Deliveries handed to a worker whose ack or nack has not been sent yet."""
        with self._lock:
            return self._unsettled

    def _settle_in_io_thread(self, delivery_tag: int, handled: bool) -> None:
        try:
            if self._channel.is_open:
                if handled:
                    self._channel.basic_ack(delivery_tag)
                else:
                    self._channel.basic_nack(delivery_tag, requeue=False)
        finally:
            self._done()

    def _done(self) -> None:
        with self._lock:
            self._unsettled -= 1


@dataclass(frozen=True)
class _Delivery:
    session: _Session
    delivery_tag: int
    body: bytes
    traceparent: str | None  # the relay's publish span, from the message's headers


class _Workers:
    """A fixed number of threads taking deliveries in arrival order; with one thread the
    messages are handled one after the other, as they were before handlers had a thread."""

    def __init__(self, handle: Callable[[LedgerEvent], object], count: int, queue: str) -> None:
        self._handle = handle
        self._queue = queue
        self._inbox: queues.SimpleQueue[_Delivery | None] = queues.SimpleQueue()
        # Daemons: a handler still running when the process exits must not keep it alive; its
        # message was not acked and goes to the next consumer.
        self._threads = [
            threading.Thread(target=self._run, name=f"{queue}-handler-{i + 1}", daemon=True)
            for i in range(count)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, delivery: _Delivery) -> None:
        self._inbox.put(delivery)

    def close(self) -> None:
        """Let each thread end once it is done with what it holds (without waiting for it)."""
        for _ in self._threads:
            self._inbox.put(None)

    def _run(self) -> None:
        while (delivery := self._inbox.get()) is not None:
            if delivery.session.begin():
                delivery.session.settle(delivery.delivery_tag, self._handled(delivery))

    def _handled(self, delivery: _Delivery) -> bool:
        # A consumer span continuing the publish's trace: its log lines and statements carry
        # the trace id of the API call that wrote the event.
        with tracing.span(
            f"process {self._queue}",
            trace_context.parse_traceparent(delivery.traceparent),
            SpanKind.CONSUMER,
            {"messaging.destination.name": self._queue},
        ) as opened:
            try:
                self._handle(replace(LedgerEvent.from_json(delivery.body), traceparent=delivery.traceparent))
            except Exception:
                log.exception("notification consumer could not handle a message; dead-lettered")
                opened.otel.set_status(Status(StatusCode.ERROR, "dead-lettered"))
                return False
            return True
