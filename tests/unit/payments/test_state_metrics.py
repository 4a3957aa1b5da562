"""backend.payments.state_metrics: payments and requests by state and the day's failures as a
scrape reads them, every known state present (0 when empty), and a scrape that still answers
when the database does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, generate_latest

from backend.payments.state_metrics import (
    FAILED_LAST_24H,
    PAYMENTS_BY_STATE,
    REQUESTS_BY_STATE,
    PaymentStateMetrics,
    PaymentStates,
)

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def _scrape(states: PaymentStates | Exception, asked: list[datetime] | None = None) -> str:
    def read(since: datetime) -> PaymentStates:
        if asked is not None:
            asked.append(since)
        if isinstance(states, Exception):
            raise states
        return states

    registry = CollectorRegistry()
    registry.register(PaymentStateMetrics(read, lambda: NOW))
    return generate_latest(registry).decode()


def test_payments_and_requests_by_state_and_the_days_failures() -> None:
    asked: list[datetime] = []
    body = _scrape(
        PaymentStates({"pending": 3, "succeeded": 40, "failed": 2}, {"open": 5, "paid": 31}, 2), asked
    )
    assert f'{PAYMENTS_BY_STATE}{{state="pending"}} 3.0' in body
    assert f'{PAYMENTS_BY_STATE}{{state="succeeded"}} 40.0' in body
    assert f'{PAYMENTS_BY_STATE}{{state="failed"}} 2.0' in body
    assert f'{REQUESTS_BY_STATE}{{state="open"}} 5.0' in body
    assert f'{REQUESTS_BY_STATE}{{state="paid"}} 31.0' in body
    assert f"{FAILED_LAST_24H} 2.0" in body
    assert asked == [NOW - timedelta(hours=24)]  # the failures of the last day, no more


def test_every_known_state_is_a_series_even_when_empty() -> None:
    body = _scrape(PaymentStates({}, {}, 0))
    for state in ("pending", "processing", "succeeded", "failed", "canceled", "refunded", "reversed"):
        assert f'{PAYMENTS_BY_STATE}{{state="{state}"}} 0.0' in body
    for state in ("open", "partially_paid", "paid", "overpaid", "canceled"):
        assert f'{REQUESTS_BY_STATE}{{state="{state}"}} 0.0' in body
    assert f"{FAILED_LAST_24H} 0.0" in body


def test_a_state_the_code_does_not_know_is_still_reported() -> None:
    body = _scrape(PaymentStates({"on_hold": 1}, {}, 0))
    assert f'{PAYMENTS_BY_STATE}{{state="on_hold"}} 1.0' in body


def test_the_labels_are_states_only() -> None:
    body = _scrape(PaymentStates({"pending": 1}, {"open": 1}, 0))
    for line in body.splitlines():
        if line.startswith((PAYMENTS_BY_STATE, REQUESTS_BY_STATE)):
            assert line.split("{")[1].startswith('state="') and line.count("=") == 1, line


def test_an_unreadable_database_leaves_the_gauges_out_and_the_scrape_answers() -> None:
    body = _scrape(ConnectionError("the database went away"))
    assert f"{PAYMENTS_BY_STATE}{{" not in body and f"{REQUESTS_BY_STATE}{{" not in body
    assert f"{FAILED_LAST_24H} " not in body


def test_registering_it_reads_nothing() -> None:
    reads: list[datetime] = []

    def read(since: datetime) -> PaymentStates:
        reads.append(since)
        return PaymentStates({}, {}, 0)

    CollectorRegistry().register(PaymentStateMetrics(read, lambda: NOW))
    assert reads == []
