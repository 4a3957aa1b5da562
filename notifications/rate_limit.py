"""How fast the notification service may hand messages to a provider: a token bucket per key.

Providers throttle: Twilio queues about one message a second per long code and answers 429
beyond its limits, and SMTP relays accept N messages a second per account. Sending faster
only buys refusals and retries, so a worker takes a token before each send. Several workers
(processes, machines) send through the same account, so they must share one budget:

- `RedisTokenBucket`: the bucket lives in Redis and one Lua script refills and takes
  atomically, on Redis's clock, so workers on machines whose clocks disagree still agree.
- `LocalTokenBucket`: the same rules in memory, for the embedded default (one process).

A bucket holds at most `burst` tokens and gains `rate_per_second` of them a second; `take`
either takes now (0.0) or takes nothing and says how long until it could.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import redis


class TokenBucket(Protocol):
    def take(self, key: str, tokens: int = 1) -> float:
        """0.0 if the tokens were taken now; otherwise the seconds to wait before they could
        be, and nothing is taken (another worker may get there first: take again then)."""
        ...


def _check_rules(rate_per_second: float, burst: int) -> None:
    if not (rate_per_second > 0 and math.isfinite(rate_per_second)):
        raise ValueError("rate_per_second must be a positive number")
    if burst < 1:
        raise ValueError("burst must be at least 1")


def _check_request(tokens: int, burst: int) -> None:
    # More than the bucket holds would wait for ever; fewer than one would grant for free.
    if not 1 <= tokens <= burst:
        raise ValueError(f"tokens must be between 1 and the burst ({burst})")


# KEYS[1]: the bucket, a hash {tokens, ts}; ts is Redis's time in microseconds.
# ARGV: rate per second, burst, tokens wanted, expiry in milliseconds. Returns the wait in
# seconds as a string: a Lua number returned as such would be truncated to an integer.
# Redis time, not the caller's, so that skewed clocks on different workers cannot mint tokens
# (Redis >= 5 replicates a script's effects, so reading TIME in one is allowed).
# A clock stepped back refills nothing, and ts stays put until the clock passes it again,
# so the same interval is never counted twice.
# '%.17g' because Lua's tostring keeps 14 digits, less than a microsecond timestamp has.
_TAKE_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local expiry_ms = tonumber(ARGV[4])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) / 1000000 * rate)
  ts = now
end
local wait = 0
if tokens >= wanted then
  tokens = tokens - wanted
else
  wait = (wanted - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', ts))
redis.call('PEXPIRE', KEYS[1], expiry_ms)
return string.format('%.17g', wait)
"""


class RedisTokenBucket:
    """A bucket per key shared by every worker that uses the same Redis and prefix.

    Redis errors (connection refused, timeouts) are raised as they are: whether to send
    unthrottled or to wait for Redis is the caller's choice."""

    def __init__(
        self, client: redis.Redis[Any], *, rate_per_second: float, burst: int, prefix: str = "ratelimit:"
    ) -> None:
        _check_rules(rate_per_second, burst)
        self._rate = rate_per_second
        self._burst = burst
        self._prefix = prefix
        # A full bucket is the same as no bucket, so a key idle for twice the time to fill
        # it can go: idle providers' keys vanish instead of piling up.
        self._expiry_ms = max(1, math.ceil(2000 * burst / rate_per_second))
        self._take = client.register_script(_TAKE_SCRIPT)

    def take(self, key: str, tokens: int = 1) -> float:
        _check_request(tokens, self._burst)
        wait = self._take(keys=[self._prefix + key], args=[self._rate, self._burst, tokens, self._expiry_ms])
        return float(wait)


class LocalTokenBucket:
    """The same bucket in this process's memory. Keys are providers, a handful, so they are
    kept for the life of the process."""

    def __init__(
        self, *, rate_per_second: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        _check_rules(rate_per_second, burst)
        self._rate = rate_per_second
        self._burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, tokens: int = 1) -> float:
        _check_request(tokens, self._burst)
        with self._lock:
            now = self._clock()
            available, since = self._buckets.get(key, (float(self._burst), now))
            if now > since:  # as in the Redis script: a clock stepped back refills nothing
                available = min(float(self._burst), available + (now - since) * self._rate)
                since = now
            if available >= tokens:
                self._buckets[key] = (available - tokens, since)
                return 0.0
            self._buckets[key] = (available, since)
            return (tokens - available) / self._rate


def wait_for(
    bucket: TokenBucket,
    key: str,
    *,
    tokens: int = 1,
    sleep: Callable[[float], object] = time.sleep,
    max_wait: float = 30.0,
) -> bool:
    """Take `tokens`, sleeping as long as the bucket says, for at most `max_wait` seconds in
    all. False when the next wait would go past it: the caller defers the message rather
    than hold a worker."""
    waited = 0.0
    while True:
        wait = bucket.take(key, tokens)
        if wait <= 0:
            return True
        if waited + wait > max_wait:
            return False
        sleep(wait)
        waited += wait
