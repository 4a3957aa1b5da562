"""The books' last verification as Prometheus gauges, read when /metrics is scraped.

`app.py ledger verify` (or the scheduled task) records each run in ledger_verify_runs
(ledger.verify_runs); every app server reads the latest run over the whole books at each
scrape, so each reports the same figures whichever worker answers:

* ``ledger_verify_last_run_timestamp_seconds``: when it ended (0 when the books have never
  been verified, so that "not verified for a day" holds from the start);
* ``ledger_verify_last_run_ok``: 1 when every hash and balance held, 0 when it found a break
  (left out when there has been no run: there is no result to give);
* ``ledger_verify_last_run_entries``: the journal entries it checked;
* ``ledger_verify_last_run_breaks``: the problems it found.

A run over one pool (`--pool`) is recorded but is not the books' verification: it says
nothing of the other pools, so these gauges do not move for it. One indexed read a scrape;
if the database cannot be read the gauges are left out of that scrape (the scrape itself
still answers).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ledger.verify_runs import LastVerifyRun

log = logging.getLogger(__name__)

LAST_RUN = "ledger_verify_last_run_timestamp_seconds"
LAST_OK = "ledger_verify_last_run_ok"
LAST_ENTRIES = "ledger_verify_last_run_entries"
LAST_BREAKS = "ledger_verify_last_run_breaks"


class VerifyMetrics(Collector):
    """`read()` answers the latest run over the whole books (ledger.verify_runs.last_full_run
    bound to the database), None if there has been none."""

    def __init__(self, read: Callable[[], LastVerifyRun | None]) -> None:
        self._read = read

    def describe(self) -> list[GaugeMetricFamily]:
        # Registering a collector asks what it exposes; collect() would read the database.
        return [_last_run(), _last_ok(), _last_entries(), _last_breaks()]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            last = self._read()
        except Exception:  # the scrape still answers; the gauges are missing from it
            log.warning("the last ledger verification is not readable for /metrics", exc_info=True)
            return
        when = _last_run()
        when.add_metric([], last.finished_at.timestamp() if last else 0)
        yield when
        if last is None:
            return
        ok, entries, breaks = _last_ok(), _last_entries(), _last_breaks()
        ok.add_metric([], 1 if last.ok else 0)
        entries.add_metric([], last.entries)
        breaks.add_metric([], last.breaks)
        yield ok
        yield entries
        yield breaks


def _last_run() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        LAST_RUN, "Unix time the last verification of the whole books ended (0: never verified)."
    )


def _last_ok() -> GaugeMetricFamily:
    return GaugeMetricFamily(
        LAST_OK, "1 when the last verification of the books found them whole, 0 when broken."
    )


def _last_entries() -> GaugeMetricFamily:
    return GaugeMetricFamily(LAST_ENTRIES, "Journal entries the last verification of the books checked.")


def _last_breaks() -> GaugeMetricFamily:
    return GaugeMetricFamily(LAST_BREAKS, "Problems the last verification of the books found.")
