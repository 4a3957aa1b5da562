"""Where a job's progress, result and cancel flag are kept until the browser collects them.

In memory for the embedded default (one process), in the Celery app's Redis result backend
in production (every app server and worker shares it). Both hold JSON text under the job's
key and a few keys derived from it.
"""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING, Any

from portal.jobs.dash_internals import PlotlyJSONEncoder

if TYPE_CHECKING:
    from celery import Celery

JOB_STATE_TTL_SECONDS = 3600
"""How long a job's result, progress and cancel flag are kept when nobody collects them."""


def dumps(value: Any) -> str:
    return json.dumps(value, cls=PlotlyJSONEncoder)


def cancel_key(job: str) -> str:
    return f"{job}-cancel"


def done_key(job: str) -> str:
    return f"{job}-done"


class MemoryStore:
    """The embedded default's job state: a dict with expiry, shared by the process's threads."""

    def __init__(self, ttl_seconds: float = JOB_STATE_TTL_SECONDS) -> None:
        self._ttl = ttl_seconds
        self._items: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[1] < time.monotonic():
                return None
            return item[0]

    def set(self, key: str, value: str) -> None:
        now = time.monotonic()
        with self._lock:
            for stale in [k for k, (_, expires) in self._items.items() if expires < now]:
                del self._items[stale]
            self._items[key] = (value, now + self._ttl)

    def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._items)


class BackendStore:
    """Production job state: the Celery app's Redis result backend (keys expire with
    ``result_expires``), the store every app server and worker shares."""

    def __init__(self, celery: Celery) -> None:
        self._celery = celery

    def get(self, key: str) -> str | None:
        value = self._celery.backend.get(key)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    def set(self, key: str, value: str) -> None:
        self._celery.backend.set(key, value)

    def delete(self, key: str) -> None:
        self._celery.backend.delete(key)


Store = MemoryStore | BackendStore
