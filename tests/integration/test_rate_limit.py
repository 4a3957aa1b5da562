"""Token buckets: against the real Redis on 127.0.0.1:6379 (each test under its own key prefix,
deleted afterwards) and in memory with a clock the test turns.

Timing rules, so that two busy cores under xdist cannot make these fail: a bound on how many
tokens were granted uses a generous upper estimate of the time that passed (more time can
only mean more tokens), refills are checked only as "at least", and nothing asserts that
something happened quickly."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from notifications.rate_limit import LocalTokenBucket, RedisTokenBucket, TokenBucket, wait_for

REDIS_URL = "redis://127.0.0.1:6379/0"
KEY = "twilio:+15005550006"
# Every Redis TIME a test causes falls between its two monotonic readings; the slack covers
# the wall clock and the monotonic one drifting apart, which is parts per million.
CLOCK_SLACK_SECONDS = 0.25
# One token every 11.5 days: none comes back while a test runs, so counts are exact.
SLOW = 1e-6


def _client() -> redis.Redis[Any]:
    return redis.Redis.from_url(REDIS_URL, socket_timeout=10, socket_connect_timeout=10)


@pytest.fixture
def prefix() -> Iterator[str]:
    prefix = f"test-ratelimit:{uuid.uuid4().hex}:"
    yield prefix
    cleaner = _client()
    try:
        for key in cleaner.scan_iter(match=prefix + "*"):
            cleaner.delete(key)
    finally:
        cleaner.close()


@pytest.fixture
def client() -> Iterator[redis.Redis[Any]]:
    client = _client()
    yield client
    client.close()


def test_a_full_bucket_grants_its_burst_then_says_how_long_to_wait(
    client: redis.Redis[Any], prefix: str
) -> None:
    bucket = RedisTokenBucket(client, rate_per_second=SLOW, burst=5, prefix=prefix)

    granted = [bucket.take(KEY) for _ in range(5)]
    refused = bucket.take(KEY)

    assert granted == [0.0] * 5
    assert 0 < refused <= 1 / SLOW  # one token short at most
    assert bucket.take(KEY) > 0  # a refusal took nothing, and nothing came back


def test_a_refusal_takes_nothing(client: redis.Redis[Any], prefix: str) -> None:
    bucket = RedisTokenBucket(client, rate_per_second=SLOW, burst=3, prefix=prefix)
    assert bucket.take(KEY, 2) == 0.0

    assert bucket.take(KEY, 2) > 0  # one left, two wanted: refused...
    assert bucket.take(KEY, 1) == 0.0  # ...and the one is still there


def test_keys_and_prefixes_are_separate_buckets(client: redis.Redis[Any], prefix: str) -> None:
    bucket = RedisTokenBucket(client, rate_per_second=SLOW, burst=1, prefix=prefix)
    other_prefix = RedisTokenBucket(client, rate_per_second=SLOW, burst=1, prefix=prefix + "other:")

    assert bucket.take("twilio") == 0.0
    assert bucket.take("twilio") > 0
    assert bucket.take("smtp") == 0.0
    assert other_prefix.take("twilio") == 0.0


def test_the_bucket_refills_at_its_rate(client: redis.Redis[Any], prefix: str) -> None:
    # Fills in 0.2 s, so its key lives 0.4 s: the sleep below refills it rather than expires it
    # (and if this runs so late that the key expired, a new bucket is full: the same outcome).
    bucket = RedisTokenBucket(client, rate_per_second=20, burst=4, prefix=prefix)
    waits = [bucket.take(KEY) for _ in range(100)]
    refusals = [wait for wait in waits if wait > 0]
    # 100 takes cannot all be granted unless they took ~5 s; if they did, try again: no flake.
    while not refusals:
        refusals = [wait for wait in (bucket.take(KEY) for _ in range(100)) if wait > 0]
    assert all(wait <= 1 / 20 for wait in refusals)  # less than one token short

    time.sleep(0.1)  # at 20/s, at least 2 tokens come back

    assert bucket.take(KEY) == 0.0
    assert bucket.take(KEY) == 0.0


def test_a_key_lives_twice_the_time_to_fill_its_bucket(client: redis.Redis[Any], prefix: str) -> None:
    bucket = RedisTokenBucket(client, rate_per_second=0.001, burst=2, prefix=prefix)
    bucket.take(KEY)

    ttl_ms = client.pttl(prefix + KEY)
    assert 2_000_000 < ttl_ms <= 4_000_000  # more than the 2,000 s to fill, at most twice that


def test_an_idle_key_vanishes(client: redis.Redis[Any], prefix: str) -> None:
    bucket = RedisTokenBucket(client, rate_per_second=20, burst=2, prefix=prefix)
    bucket.take(KEY)

    time.sleep(0.3)  # past the 0.2 s expiry: twice the 0.1 s it takes to fill
    assert client.exists(prefix + KEY) == 0


def test_the_bucket_state_is_a_hash_of_tokens_and_redis_time(client: redis.Redis[Any], prefix: str) -> None:
    bucket = RedisTokenBucket(client, rate_per_second=SLOW, burst=4, prefix=prefix)
    bucket.take(KEY, 3)

    state = client.hgetall(prefix + KEY)
    assert float(state[b"tokens"]) == 1.0  # a new bucket starts full: 4 - 3
    assert 1_500_000_000_000_000 < int(state[b"ts"]) <= _redis_now_us(client)  # Redis's clock, in µs


def _redis_now_us(client: redis.Redis[Any]) -> int:
    seconds, microseconds = client.time()
    return int(seconds) * 1_000_000 + int(microseconds)


def test_refill_maths_on_redis_time(client: redis.Redis[Any], prefix: str) -> None:
    # Emptied 1,000 s ago at 0.001/s: exactly one token back since, however slow this runs.
    client.hset(prefix + KEY, mapping={"tokens": "0", "ts": str(_redis_now_us(client) - 1_000_000_000)})
    bucket = RedisTokenBucket(client, rate_per_second=0.001, burst=5, prefix=prefix)

    assert bucket.take(KEY) == 0.0
    wait = bucket.take(KEY)
    assert 500 < wait <= 1000  # a whole token short again: 1,000 s less the time since


def test_a_long_idle_bucket_holds_no_more_than_its_burst(client: redis.Redis[Any], prefix: str) -> None:
    # Left empty eleven days ago (written as the script writes it): 1,000 tokens' worth of time.
    client.hset(prefix + KEY, mapping={"tokens": "0", "ts": str(_redis_now_us(client) - 10**12)})
    bucket = RedisTokenBucket(client, rate_per_second=0.001, burst=3, prefix=prefix)
    start = time.monotonic()

    waits = [bucket.take(KEY) for _ in range(10)]

    elapsed = time.monotonic() - start + CLOCK_SLACK_SECONDS
    assert waits[:3] == [0.0] * 3
    assert sum(1 for wait in waits if wait == 0.0) <= 3 + int(0.001 * elapsed)


def test_redis_time_going_backwards_refills_nothing(client: redis.Redis[Any], prefix: str) -> None:
    # As if written on a Redis whose clock was an hour ahead (before a failover, say).
    ahead = _redis_now_us(client) + 3_600_000_000
    client.hset(prefix + KEY, mapping={"tokens": "0.5", "ts": str(ahead)})
    bucket = RedisTokenBucket(client, rate_per_second=1, burst=1, prefix=prefix)

    assert bucket.take(KEY) == 0.5  # half a token, as left: none for the time "in between"
    assert int(client.hget(prefix + KEY, "ts") or 0) == ahead  # that hour is not counted later


def test_two_workers_share_one_budget(prefix: str) -> None:
    first, second = _client(), _client()
    try:
        start = time.monotonic()
        workers = [
            RedisTokenBucket(connection, rate_per_second=0.001, burst=10, prefix=prefix)
            for connection in (first, second)
        ]
        waits = [workers[i % 2].take(KEY) for i in range(30)]
        elapsed = time.monotonic() - start + CLOCK_SLACK_SECONDS
    finally:
        first.close()
        second.close()

    granted = sum(1 for wait in waits if wait == 0.0)
    assert waits[:10] == [0.0] * 10  # the burst, split between the two workers
    assert granted <= 10 + int(0.001 * elapsed)  # and not a token more than one bucket holds


def test_concurrent_takers_never_beat_the_rate(prefix: str) -> None:
    # Half a second of hammering at 20/s: ten tokens' worth of refill besides the burst, so a
    # bucket refilling too fast would show.
    rate, burst, threads, at_least, hammer_seconds = 20.0, 5, 8, 10, 0.5
    clients = [_client(), _client()]
    buckets = [RedisTokenBucket(c, rate_per_second=rate, burst=burst, prefix=prefix) for c in clients]
    waits: list[float] = []
    lock = threading.Lock()
    ready = threading.Barrier(threads)

    def hammer(bucket: TokenBucket) -> None:
        ready.wait()
        mine: list[float] = []
        while len(mine) < at_least or time.monotonic() < deadline:
            mine.append(bucket.take(KEY))
        with lock:
            waits.extend(mine)

    workers = [threading.Thread(target=hammer, args=(buckets[i % 2],)) for i in range(threads)]
    try:
        start = time.monotonic()
        deadline = start + hammer_seconds
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.monotonic() - start + CLOCK_SLACK_SECONDS
    finally:
        for c in clients:
            c.close()

    granted = sum(1 for wait in waits if wait == 0.0)
    assert len(waits) >= threads * at_least
    assert burst <= granted <= burst + rate * elapsed
    assert all(0 < wait <= 1 / rate + 1e-9 for wait in waits if wait != 0.0)


def test_local_bucket_refill_maths_on_a_fake_clock() -> None:
    now = [1000.0]
    bucket = LocalTokenBucket(rate_per_second=2, burst=3, clock=lambda: now[0])

    assert [bucket.take(KEY) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(KEY) == 0.5  # empty: one token is half a second away at 2/s
    now[0] += 0.25
    assert bucket.take(KEY) == 0.25  # half a token back, half to go
    assert bucket.take(KEY, 2) == 0.75  # 1.5 tokens short for two
    now[0] += 0.25
    assert bucket.take(KEY) == 0.0  # exactly one back, taken
    assert bucket.take(KEY) == 0.5

    now[0] += 3600  # an hour idle refills to the burst, not beyond
    assert bucket.take(KEY, 3) == 0.0
    assert bucket.take(KEY) == 0.5
    assert bucket.take("another key", 3) == 0.0  # each key its own bucket


def test_local_bucket_ignores_a_clock_going_backwards() -> None:
    now = [50.0]
    bucket = LocalTokenBucket(rate_per_second=1, burst=1, clock=lambda: now[0])
    assert bucket.take(KEY) == 0.0

    now[0] -= 10
    assert bucket.take(KEY) == 1.0  # no negative refill, no free token
    now[0] = 50.5
    assert bucket.take(KEY) == 0.5  # the ten seconds it went back are not counted a second time


def test_local_bucket_is_safe_across_threads() -> None:
    burst = 2_000
    bucket = LocalTokenBucket(rate_per_second=1, burst=burst, clock=lambda: 7.0)  # time stands still
    granted: list[int] = []
    lock = threading.Lock()

    def hammer() -> None:
        mine = sum(1 for _ in range(1_000) if bucket.take(KEY) == 0.0)
        with lock:
            granted.append(mine)

    workers = [threading.Thread(target=hammer) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sum(granted) == burst


@pytest.mark.parametrize("bucket_kind", ["local", "redis"])
def test_more_than_the_burst_or_bad_rules_are_rejected(
    bucket_kind: str, client: redis.Redis[Any], prefix: str
) -> None:
    bucket: TokenBucket = (
        LocalTokenBucket(rate_per_second=1, burst=2)
        if bucket_kind == "local"
        else RedisTokenBucket(client, rate_per_second=1, burst=2, prefix=prefix)
    )
    with pytest.raises(ValueError, match="burst"):
        bucket.take(KEY, 3)
    with pytest.raises(ValueError, match="burst"):
        bucket.take(KEY, 0)
    with pytest.raises(ValueError, match="rate"):
        LocalTokenBucket(rate_per_second=0, burst=2)
    with pytest.raises(ValueError, match="burst"):
        RedisTokenBucket(client, rate_per_second=1, burst=0, prefix=prefix)


def test_wait_for_sleeps_as_told_until_granted() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    bucket = LocalTokenBucket(rate_per_second=4, burst=1, clock=lambda: now[0])
    assert wait_for(bucket, KEY, sleep=sleep) is True
    assert wait_for(bucket, KEY, sleep=sleep) is True

    assert slept == [0.25]


def test_wait_for_gives_up_past_max_wait() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    bucket = LocalTokenBucket(rate_per_second=0.5, burst=1, clock=lambda: now[0])
    assert bucket.take(KEY) == 0.0

    assert wait_for(bucket, KEY, sleep=sleep, max_wait=1.5) is False  # 2 s away
    assert slept == []  # no point sleeping towards a wait it will not finish
    assert wait_for(bucket, KEY, sleep=sleep, max_wait=2.0) is True
    assert slept == [2.0]


def test_wait_for_gives_up_when_other_workers_keep_winning() -> None:
    class AlwaysTaken:
        """Another worker takes every token just before us."""

        def take(self, key: str, tokens: int = 1) -> float:
            return 0.5

    slept: list[float] = []
    assert wait_for(AlwaysTaken(), KEY, sleep=slept.append, max_wait=2.0) is False
    assert slept == [0.5] * 4  # 2 s in all, and not a sleep more


def test_wait_for_with_redis_gets_a_token_once_one_is_back(client: redis.Redis[Any], prefix: str) -> None:
    bucket = RedisTokenBucket(client, rate_per_second=5, burst=1, prefix=prefix)
    assert bucket.take(KEY) == 0.0
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    # Sleeping what Redis says is enough: however late this runs, one sleep at most.
    assert wait_for(bucket, KEY, sleep=sleep, max_wait=30.0) is True
    assert len(slept) <= 1 and all(0 < seconds <= 1 / 5 for seconds in slept)
