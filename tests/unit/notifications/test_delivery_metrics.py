"""notifications.delivery_metrics: deliveries by channel and state and the oldest pending one's
age as a scrape reads them, every channel and counted state present (0 when empty), and a
scrape that still answers when the database does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, generate_latest

from notifications.delivery_metrics import BY_STATE, OLDEST_PENDING_AGE, DeliveryMetrics, DeliveryStates

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def _scrape(states: DeliveryStates | Exception) -> str:
    def read() -> DeliveryStates:
        if isinstance(states, Exception):
            raise states
        return states

    registry = CollectorRegistry()
    registry.register(DeliveryMetrics(read, lambda: NOW))
    return generate_latest(registry).decode()


def test_deliveries_by_channel_and_state_and_how_long_the_oldest_pending_one_waited() -> None:
    body = _scrape(
        DeliveryStates(
            {("email", "queued"): 120, ("email", "unknown"): 1, ("sms", "failed"): 4},
            {"email": NOW - timedelta(minutes=45)},
        )
    )
    assert f'{BY_STATE}{{channel="email",state="queued"}} 120.0' in body
    assert f'{BY_STATE}{{channel="email",state="unknown"}} 1.0' in body
    assert f'{BY_STATE}{{channel="sms",state="failed"}} 4.0' in body
    assert f'{OLDEST_PENDING_AGE}{{channel="email"}} 2700.0' in body
    assert f'{OLDEST_PENDING_AGE}{{channel="sms"}} 0.0' in body  # nothing waits there


def test_every_channel_and_counted_state_is_a_series_even_when_empty() -> None:
    body = _scrape(DeliveryStates({}, {}))
    for channel in ("email", "sms"):
        for state in ("queued", "sending", "unknown", "failed", "bounced"):
            assert f'{BY_STATE}{{channel="{channel}",state="{state}"}} 0.0' in body
        assert f'{OLDEST_PENDING_AGE}{{channel="{channel}"}} 0.0' in body
    # The history (what went) is not counted: it would be the whole table at every scrape.
    assert 'state="sent"' not in body and 'state="delivered"' not in body


def test_a_clock_behind_the_database_reads_no_negative_age() -> None:
    body = _scrape(DeliveryStates({("sms", "queued"): 1}, {"sms": NOW + timedelta(seconds=3)}))
    assert f'{OLDEST_PENDING_AGE}{{channel="sms"}} 0.0' in body


def test_an_unreadable_database_leaves_the_gauges_out_and_the_scrape_answers() -> None:
    body = _scrape(ConnectionError("the database went away"))
    assert f"{BY_STATE}{{" not in body and f"{OLDEST_PENDING_AGE}{{" not in body


def test_registering_it_reads_nothing() -> None:
    reads: list[int] = []

    def read() -> DeliveryStates:
        reads.append(1)
        return DeliveryStates({}, {})

    CollectorRegistry().register(DeliveryMetrics(read, lambda: NOW))
    assert reads == []
