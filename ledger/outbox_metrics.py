"""The outbox's backlog as Prometheus gauges, read when /metrics is scraped.

Events the relay has not published yet are what an operator alerts on: capital call notices
and payment requests wait for them. The figures come from the database at scrape time (the
same capped count as the status page, ledger.outbox.BACKLOG_COUNTED), so every app server
reports the same backlog, and a scrape costs two indexed reads. If the database cannot be
read the gauges are left out of that scrape (the scrape itself still answers); the
database's own alert says why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ledger.events import Backlog

log = logging.getLogger(__name__)

UNPUBLISHED = "ledger_outbox_unpublished_events"
OLDEST_AGE = "ledger_outbox_oldest_unpublished_age_seconds"


class BacklogMetrics(Collector):
    def __init__(self, backlog: Callable[[], Backlog], clock: Callable[[], datetime]) -> None:
        self._backlog = backlog
        self._clock = clock

    def describe(self) -> list[GaugeMetricFamily]:
        # Registering a collector asks what it exposes; answering with collect() would read
        # the database while the app is being built.
        return [_unpublished(), _oldest_age()]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            backlog = self._backlog()
        except Exception:  # the scrape still answers; the gauges are missing from it
            log.warning("outbox backlog not readable for /metrics", exc_info=True)
            return
        unpublished = _unpublished()
        unpublished.add_metric([], backlog.unpublished)
        oldest = _oldest_age()
        since = backlog.oldest_created_at
        oldest.add_metric([], 0.0 if since is None else max((self._clock() - since).total_seconds(), 0.0))
        yield unpublished
        yield oldest


def _unpublished() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        UNPUBLISHED,
        "Ledger events committed and not yet published to the broker (counted up to 10,000).",
    )


def _oldest_age() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        OLDEST_AGE, "Seconds the oldest unpublished ledger event has waited (0 when none)."
    )
