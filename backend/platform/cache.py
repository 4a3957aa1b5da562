"""The cache behind one interface: in-process for the embedded default, Redis in production.

Backend failures raise CacheUnavailable so that each caller chooses its own safe
fallback (a report recomputes; read-your-writes falls back to the primary).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Protocol

import redis


class CacheUnavailable(RuntimeError):
    """The cache backend could not be reached."""


class Cache(Protocol):
    def get(self, key: str) -> bytes | None: ...
    def set(self, key: str, value: bytes, ttl_seconds: float) -> None: ...
    def delete(self, key: str) -> None: ...
    def add(self, key: str, value: bytes, ttl_seconds: float) -> bool:
        """Set only if absent (an atomic claim, e.g. a lock); True if this call set it."""
        ...

    def ping(self) -> None: ...


class InProcessCache:
    """A bounded LRU with per-key expiry; the embedded default's only cache."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            item = self._entries.get(key)
            if item is None:
                return None
            expires_at, value = item
            if expires_at <= time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + ttl_seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def add(self, key: str, value: bytes, ttl_seconds: float) -> bool:
        with self._lock:
            item = self._entries.get(key)
            if item is not None and item[0] > time.monotonic():
                return False
            self._entries[key] = (time.monotonic() + ttl_seconds, value)
            self._entries.move_to_end(key)
            return True

    def ping(self) -> None:
        return None


class RedisCache:
    def __init__(self, url: str, prefix: str = "pools:") -> None:
        # Short timeouts: a dead Redis must cost milliseconds, not a hung request.
        self._client = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5, health_check_interval=30
        )
        self._prefix = prefix

    def get(self, key: str) -> bytes | None:
        try:
            value = self._client.get(self._prefix + key)
        except redis.RedisError as exc:
            raise CacheUnavailable(str(exc)) from exc
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        try:
            self._client.set(self._prefix + key, value, px=max(1, int(ttl_seconds * 1000)))
        except redis.RedisError as exc:
            raise CacheUnavailable(str(exc)) from exc

    def delete(self, key: str) -> None:
        try:
            self._client.delete(self._prefix + key)
        except redis.RedisError as exc:
            raise CacheUnavailable(str(exc)) from exc

    def add(self, key: str, value: bytes, ttl_seconds: float) -> bool:
        try:
            done = self._client.set(self._prefix + key, value, px=max(1, int(ttl_seconds * 1000)), nx=True)
        except redis.RedisError as exc:
            raise CacheUnavailable(str(exc)) from exc
        return bool(done)

    def ping(self) -> None:
        try:
            self._client.ping()
        except redis.RedisError as exc:
            raise CacheUnavailable(str(exc)) from exc


def cache_from_url(url: str | None) -> Cache:
    return RedisCache(url) if url else InProcessCache()
