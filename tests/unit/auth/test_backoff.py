"""The back-off's arithmetic, without a database: delays, their cap, and the leak."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.auth.throttle import backoff_seconds, leaked, saturation

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
PERIOD = timedelta(seconds=1800)


def test_no_delay_within_the_free_allowance_then_doubling_to_the_cap() -> None:
    delays = [backoff_seconds(failures, free=5, cap=900) for failures in range(18)]
    assert delays == [0, 0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]


def test_huge_counts_stay_at_the_cap() -> None:
    assert backoff_seconds(10_000, free=5, cap=900) == 900


@pytest.mark.parametrize(("free", "cap"), [(5, 900), (50, 900), (3, 600), (1, 1), (2, 5), (0, 1024)])
def test_saturation_is_the_first_count_at_the_cap(free: int, cap: int) -> None:
    top = saturation(free, cap)
    assert backoff_seconds(top, free, cap) == cap
    assert backoff_seconds(top - 2, free, cap) < cap


def test_one_failure_leaks_away_per_period_and_partial_periods_are_kept() -> None:
    assert leaked(3, NOW, NOW + PERIOD * 0.9, PERIOD) == (3, NOW)
    assert leaked(3, NOW, NOW + PERIOD * 1.5, PERIOD) == (2, NOW + PERIOD)
    assert leaked(3, NOW, NOW + PERIOD * 3, PERIOD) == (0, NOW + PERIOD * 3)
    assert leaked(0, NOW, NOW + PERIOD, PERIOD) == (0, NOW + PERIOD)


def test_a_clock_behind_the_count_leaks_nothing() -> None:
    assert leaked(4, NOW, NOW - PERIOD, PERIOD) == (4, NOW)
