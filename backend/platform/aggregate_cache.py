"""Cached heavy aggregations: keyed by the pool's ledger version, computed once per miss.

* Versioned keys. A key names the pool's ledger version (the count of its journal
  entries), so the first entry after a value was cached makes that value unreachable at
  once; nothing waits for a TTL, and nothing has to be deleted.
* Single flight. On a miss one caller claims the key's lock (an atomic set-if-absent in
  Redis or in process) and computes; the others wait for its value instead of stampeding
  the database, and compute themselves only if the holder takes longer than the lock.
* Redis down. Every cache failure is logged and counted, and the value is computed
  directly: the service answers, slower.
* Counters. ``aggregate_cache_requests_total{aggregate, result}`` with result hit, miss,
  waited or unavailable, exposed on /metrics.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from prometheus_client import Counter

from backend.platform.cache import Cache, CacheUnavailable

log = logging.getLogger(__name__)

REQUESTS = Counter(
    "aggregate_cache_requests_total",
    "Cached aggregation lookups by aggregate and result (hit, miss, waited, unavailable).",
    ["aggregate", "result"],
)

_T = TypeVar("_T")


def aggregate_key(aggregate: str, pool_id: int, ledger_version: int, params: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return f"agg:{aggregate}:pool{pool_id}:v{ledger_version}:{digest}"


class AggregateCache:
    def __init__(
        self,
        cache: Cache,
        *,
        ttl_seconds: float = 3600.0,
        lock_seconds: float = 30.0,
        poll_seconds: float = 0.05,
    ) -> None:
        self._cache = cache
        self._ttl = ttl_seconds
        self._lock_seconds = lock_seconds
        self._poll = poll_seconds

    def get_or_compute(
        self,
        aggregate: str,
        key: str,
        compute: Callable[[], _T],
        *,
        dump: Callable[[_T], bytes],
        load: Callable[[bytes], _T],
    ) -> _T:
        try:
            cached = self._cache.get(key)
        except CacheUnavailable as exc:
            return self._without_cache(aggregate, key, compute, exc)
        if cached is not None:
            REQUESTS.labels(aggregate, "hit").inc()
            return load(cached)
        token = uuid.uuid4().hex.encode()
        lock = "lock:" + key
        try:
            claimed = self._cache.add(lock, token, self._lock_seconds)
        except CacheUnavailable as exc:
            return self._without_cache(aggregate, key, compute, exc)
        if not claimed:
            waited = self._wait_for(key)
            if waited is not None:
                REQUESTS.labels(aggregate, "waited").inc()
                return load(waited)
        REQUESTS.labels(aggregate, "miss").inc()
        try:
            value = compute()
        except BaseException:
            if claimed:
                self._release(lock)  # let a waiter compute instead of waiting out the lock
            raise
        try:
            self._cache.set(key, dump(value), self._ttl)
            if claimed:
                self._cache.delete(lock)
        except CacheUnavailable as exc:
            log.warning(
                "aggregate cache write failed; serving uncached", extra={"key": key, "error": str(exc)}
            )
        return value

    def _release(self, lock: str) -> None:
        with contextlib.suppress(CacheUnavailable):
            self._cache.delete(lock)

    def _wait_for(self, key: str) -> bytes | None:
        deadline = time.monotonic() + self._lock_seconds
        while time.monotonic() < deadline:
            time.sleep(self._poll)
            try:
                value = self._cache.get(key)
            except CacheUnavailable:
                return None
            if value is not None:
                return value
            try:
                if self._cache.get("lock:" + key) is None:
                    # Released: either the value landed just now (it is set before the lock
                    # is dropped) or the holder gave up, and then we compute ourselves.
                    return self._cache.get(key)
            except CacheUnavailable:
                return None
        return None

    def _without_cache(self, aggregate: str, key: str, compute: Callable[[], _T], exc: Exception) -> _T:
        REQUESTS.labels(aggregate, "unavailable").inc()
        log.warning("aggregate cache unavailable; computing directly", extra={"key": key, "error": str(exc)})
        return compute()
