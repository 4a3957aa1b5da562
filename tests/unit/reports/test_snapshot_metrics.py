"""reports.snapshot_metrics: the stalest pool's newest snapshot and the stale pools as a scrape
reads them, pools without a snapshot counted only when their books have entries, and a
scrape that still answers when the database does not."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, generate_latest

from reports.snapshot_metrics import OLDEST_AGE, STALE_POOLS, UNSNAPSHOTTED_CHECKED, SnapshotMetrics

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _scrape(
    newest: Mapping[int, datetime] | Exception,
    pools: Collection[int],
    with_entries: Collection[int] = (),
    asked: list[int] | None = None,
) -> str:
    def read() -> Mapping[int, datetime]:
        if isinstance(newest, Exception):
            raise newest
        return newest

    def has_entries(pool_id: int) -> bool:
        if asked is not None:
            asked.append(pool_id)
        return pool_id in with_entries

    registry = CollectorRegistry()
    registry.register(SnapshotMetrics(read, lambda: pools, has_entries, lambda: NOW))
    return generate_latest(registry).decode()


def test_the_stalest_newest_snapshot_and_the_pools_past_26_hours() -> None:
    body = _scrape({1: NOW - 2 * HOUR, 2: NOW - 30 * HOUR, 3: NOW - 27 * HOUR}, [1, 2, 3])
    assert f"{OLDEST_AGE} {30 * 3600.0}" in body
    assert f"{STALE_POOLS} 2.0" in body


def test_a_day_old_snapshot_is_not_stale_yet() -> None:
    body = _scrape({1: NOW - 25 * HOUR}, [1])
    assert f"{OLDEST_AGE} {25 * 3600.0}" in body
    assert f"{STALE_POOLS} 0.0" in body


def test_a_pool_with_no_snapshot_is_stale_only_if_its_books_have_entries() -> None:
    asked: list[int] = []
    body = _scrape({1: NOW - HOUR}, [1, 2, 3], with_entries={1, 3}, asked=asked)
    assert f"{STALE_POOLS} 1.0" in body  # pool 3; pool 2 is new and empty
    assert f"{OLDEST_AGE} 3600.0" in body  # a pool with no snapshot has no age
    assert asked == [2, 3]  # only those without a snapshot are asked about


def test_the_books_are_asked_about_a_bounded_number_of_pools_per_scrape() -> None:
    asked: list[int] = []
    pools = range(1, UNSNAPSHOTTED_CHECKED + 51)
    body = _scrape({}, pools, with_entries=set(pools), asked=asked)
    assert len(asked) == UNSNAPSHOTTED_CHECKED
    assert f"{STALE_POOLS} {float(UNSNAPSHOTTED_CHECKED)}" in body


def test_snapshots_of_pools_that_no_longer_exist_are_ignored() -> None:
    body = _scrape({1: NOW - HOUR, 9: NOW - 400 * HOUR}, [1])
    assert f"{OLDEST_AGE} 3600.0" in body and f"{STALE_POOLS} 0.0" in body


def test_no_pools_is_zero_not_missing() -> None:
    body = _scrape({}, [])
    assert f"{OLDEST_AGE} 0.0" in body and f"{STALE_POOLS} 0.0" in body


def test_an_unreadable_database_leaves_the_gauges_out_and_the_scrape_answers() -> None:
    body = _scrape(ConnectionError("the database went away"), [1])
    assert f"{OLDEST_AGE} " not in body and f"{STALE_POOLS} " not in body


def test_registering_it_reads_nothing() -> None:
    reads: list[str] = []

    def newest() -> Mapping[int, datetime]:
        reads.append("snapshots")
        return {}

    def pools() -> list[int]:
        reads.append("pools")
        return []

    def has_entries(pool_id: int) -> bool:
        reads.append("ledger")
        return False

    CollectorRegistry().register(SnapshotMetrics(newest, pools, has_entries, lambda: NOW))
    assert reads == []
