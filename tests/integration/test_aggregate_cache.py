"""Cached aggregations on the in-process cache and on real Redis: versioned keys, one
computation for many concurrent misses, and answers while Redis is down."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest

from backend.platform.aggregate_cache import REQUESTS, AggregateCache, aggregate_key
from backend.platform.cache import Cache, InProcessCache, RedisCache
from tests.conftest import REDIS_URL


@pytest.fixture(params=["in_process", "redis"])
def cache(request: pytest.FixtureRequest) -> Iterator[Cache]:
    if request.param == "in_process":
        yield InProcessCache()
    else:
        yield RedisCache(REDIS_URL, prefix=f"test:{uuid.uuid4().hex}:")


def _dump(value: int) -> bytes:
    return str(value).encode()


def _load(raw: bytes) -> int:
    return int(raw)


def test_a_new_ledger_version_makes_the_old_value_unreachable(cache: Cache) -> None:
    aggregates = AggregateCache(cache)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return 41 + len(calls)

    v1 = aggregate_key("performance", 7, 1, {"as_of": "2025-12-31"})
    assert aggregates.get_or_compute("performance", v1, compute, dump=_dump, load=_load) == 42
    assert aggregates.get_or_compute("performance", v1, compute, dump=_dump, load=_load) == 42
    v2 = aggregate_key("performance", 7, 2, {"as_of": "2025-12-31"})
    assert v2 != v1
    assert aggregates.get_or_compute("performance", v2, compute, dump=_dump, load=_load) == 43
    assert len(calls) == 2


def test_concurrent_misses_compute_once(cache: Cache) -> None:
    aggregates = AggregateCache(cache, poll_seconds=0.01)
    calls: list[int] = []
    key = aggregate_key("nav_history", 1, 5, {"n": uuid.uuid4().hex})
    barrier = threading.Barrier(10)
    results: list[int] = []

    def compute() -> int:
        calls.append(1)
        time.sleep(0.3)  # a slow aggregation: everyone else arrives meanwhile
        return 99

    def caller() -> None:
        barrier.wait()
        results.append(aggregates.get_or_compute("nav_history", key, compute, dump=_dump, load=_load))

    threads = [threading.Thread(target=caller) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [99] * 10
    assert len(calls) == 1


def test_a_failed_computation_releases_the_lock(cache: Cache) -> None:
    aggregates = AggregateCache(cache, poll_seconds=0.01)
    key = aggregate_key("positions", 3, 1, {})

    def broken() -> int:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        aggregates.get_or_compute("positions", key, broken, dump=_dump, load=_load)
    started = time.monotonic()
    assert aggregates.get_or_compute("positions", key, lambda: 5, dump=_dump, load=_load) == 5
    assert time.monotonic() - started < 15  # did not wait out the 30 s lock (half of it, for slow boxes)


def test_redis_down_still_answers_and_is_counted() -> None:
    dead = RedisCache("redis://127.0.0.1:1/0")  # nothing listens on port 1
    aggregates = AggregateCache(dead)
    before = REQUESTS.labels("performance", "unavailable")._value.get()
    key = aggregate_key("performance", 1, 1, {})
    assert aggregates.get_or_compute("performance", key, lambda: 7, dump=_dump, load=_load) == 7
    assert REQUESTS.labels("performance", "unavailable")._value.get() == before + 1
