"""ledger.outbox_metrics: the backlog gauges as a scrape reads them, and a scrape that still
answers when the database does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, generate_latest

from ledger.events import Backlog
from ledger.outbox_metrics import OLDEST_AGE, UNPUBLISHED, BacklogMetrics

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def _scrape(backlog: Backlog | Exception) -> str:
    def read() -> Backlog:
        if isinstance(backlog, Exception):
            raise backlog
        return backlog

    registry = CollectorRegistry()
    registry.register(BacklogMetrics(read, lambda: NOW))
    return generate_latest(registry).decode()


def test_the_backlog_and_how_long_its_oldest_event_has_waited() -> None:
    body = _scrape(Backlog(12, NOW - timedelta(minutes=90)))
    assert f"{UNPUBLISHED} 12.0" in body
    assert f"{OLDEST_AGE} 5400.0" in body


def test_nothing_waiting_is_zero_not_missing() -> None:
    body = _scrape(Backlog(0, None))
    assert f"{UNPUBLISHED} 0.0" in body and f"{OLDEST_AGE} 0.0" in body


def test_an_unreadable_backlog_leaves_the_gauges_out_and_the_scrape_answers() -> None:
    body = _scrape(ConnectionError("the database went away"))
    assert f"{UNPUBLISHED} " not in body and f"{OLDEST_AGE} " not in body


def test_registering_it_reads_nothing() -> None:
    reads: list[int] = []

    def read() -> Backlog:
        reads.append(1)
        return Backlog(0, None)

    CollectorRegistry().register(BacklogMetrics(read, lambda: NOW))
    assert reads == []
