"""Celery's queues as Prometheus gauges, read from the broker when /metrics is scraped.

* ``celery_queue_messages_ready{queue}``: messages waiting for a worker;
* ``celery_queue_consumers{queue}``: workers consuming from it (0 with messages ready: no
  worker is up);
* ``celery_queue_reader_up``: 1 when this scrape read every queue, 0 when the broker did not
  answer within READ_TIMEOUT_SECONDS (the gauges above are then left out of the scrape: a
  depth that is not known is not 0).

``queue`` is one of the queues the Celery app is configured with (configured_queues: its
default queue and any declared in ``task_queues``), never a name read from the broker.

Read by exactly one process, the scheduler (``app.py beat``): the deployment runs one beat
(two would schedule every periodic task twice), it is already the broker's client and it has
its own scrape job. Read by the app servers or the workers, of which there are several, the
same depth would be reported once per process and a sum over them would count it that many
times; beat's one figure needs no max() or dedup in the rules.

One read is one AMQP connection and a passive ``queue.declare`` per queue, which answers the
ready count and the consumer count and creates nothing. Messages delivered but not yet
acknowledged are not in that answer (only RabbitMQ's management API has them), so they are
not exported: with ``worker_prefetch_multiplier = 1`` and late acks they are at most one per
worker process, the tasks running now, which ``celery_task_duration_seconds`` already shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

READY = "celery_queue_messages_ready"
CONSUMERS = "celery_queue_consumers"
READER_UP = "celery_queue_reader_up"
READ_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class QueueDepth:
    ready: int
    consumers: int


def configured_queues(conf: Any) -> tuple[str, ...]:
    """The queue names a Celery app's configuration names: its default queue, then those of
    ``task_queues`` (kombu Queue objects or names), each once."""
    names = [str(conf.task_default_queue)]
    for queue in conf.task_queues or ():
        names.append(str(getattr(queue, "name", queue)))
    return tuple(dict.fromkeys(name for name in names if name))


def read_queue_depths(
    broker_url: str, queues: Sequence[str], timeout: float = READ_TIMEOUT_SECONDS
) -> dict[str, QueueDepth]:
    """{queue: its depth} from the broker, each queue by a passive declare; a queue that does
    not exist yet (no worker has declared it) holds nothing. Raises when the broker cannot be
    reached or does not answer within `timeout` seconds."""
    from kombu.connection import Connection

    depths: dict[str, QueueDepth] = {}
    options = {"read_timeout": timeout, "write_timeout": timeout}
    with Connection(broker_url, connect_timeout=timeout, transport_options=options) as connection:  # type: ignore[no-untyped-call]
        connection.ensure_connection(max_retries=0, timeout=timeout)
        channel = connection.channel()
        try:
            for queue in queues:
                try:
                    _name, ready, consumers = channel.queue_declare(queue=queue, passive=True)
                except connection.channel_errors:  # the transport's own: AMQP's 404 here
                    depths[queue] = QueueDepth(0, 0)
                    channel = connection.channel()  # the broker closed the one that asked
                    continue
                depths[queue] = QueueDepth(int(ready), int(consumers))
        finally:
            channel.close()
    return depths


class CeleryQueueMetrics(Collector):
    """`read()` answers {queue: depth} for the configured queues (read_queue_depths bound to
    the broker and the queues), or raises when the broker does not answer."""

    def __init__(self, queues: Sequence[str], read: Callable[[], Mapping[str, QueueDepth]]) -> None:
        self._queues = tuple(queues)
        self._read = read

    def describe(self) -> list[GaugeMetricFamily]:
        # Registering a collector asks what it exposes; collect() would call the broker then.
        return [_ready(), _consumers(), _up()]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = _up()
        try:
            depths = self._read()
        except Exception:  # the scrape still answers, saying the read failed
            log.warning("Celery queue depths not readable for /metrics", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        ready, consumers = _ready(), _consumers()
        for queue in self._queues:
            depth = depths.get(queue, QueueDepth(0, 0))
            ready.add_metric([queue], depth.ready)
            consumers.add_metric([queue], depth.consumers)
        up.add_metric([], 1)
        yield ready
        yield consumers
        yield up


def broker_queue_metrics(broker_url: str, conf: Any) -> CeleryQueueMetrics:
    """The collector for a Celery app's configured queues on its broker."""
    queues = configured_queues(conf)
    return CeleryQueueMetrics(queues, lambda: read_queue_depths(broker_url, queues))


def _ready() -> GaugeMetricFamily:
    return GaugeMetricFamily(READY, "Messages waiting in a Celery queue for a worker.", labels=["queue"])


def _consumers() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        CONSUMERS, "Consumers (worker processes' channels) of a Celery queue.", labels=["queue"]
    )


def _up() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        READER_UP, "1 when this scrape read every Celery queue's depth from the broker, else 0."
    )
