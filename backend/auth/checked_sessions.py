"""An app server's short memory of the access checks that passed: the live session and the
active user behind a request, asked of the auth and user services on every request otherwise.
Remote, that is two gRPC calls each time, the largest share of what a hop costs an API read;
in process, two reads of the primary, about a tenth of a single write's time
(bench/api_write.py).

A remembered check is used only while the access epoch is the one it was made under. The
epoch is a random value in the shared cache (Redis), replaced after every commit that changes
a user or an auth session row (a logout, a revoked session, a password change, a disabled
account, a new role or address: backend.platform.commit_watch). A logout therefore bites on
the next request on every app server, as it does without this memory. Only checks that
passed are kept, never a refusal, and each for `seconds` at most (a session past its end is
refused within that many seconds; the token's own expiry is checked on every request).

It fails closed: when the cache cannot be read, every request is checked at the services. If
a commit could not replace the epoch (the cache unreachable from the service, reachable from
the app servers), what was remembered lives `seconds` at most.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from backend.auth.identity import LOGGER_NAME
from backend.platform.cache import Cache, CacheUnavailable

log = logging.getLogger(LOGGER_NAME)

EPOCH_KEY = "auth:access-epoch"
_EPOCH_TTL_SECONDS = 7 * 24 * 3600.0
_MAX_ENTRIES = 10_000

T = TypeVar("T")


class AccessEpoch:
    """The shared value every remembered check is made under."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    def advance(self) -> None:
        """A user or a session changed: every check remembered anywhere is void."""
        try:
            self._cache.set(EPOCH_KEY, secrets.token_bytes(16), _EPOCH_TTL_SECONDS)
        except CacheUnavailable as exc:
            log.warning("access epoch not advanced: the cache is unreachable", extra={"error": str(exc)})

    def current(self) -> bytes | None:
        """The epoch now; None when the cache cannot be read (then nothing is remembered)."""
        try:
            value = self._cache.get(EPOCH_KEY)
            if value is None:
                # Gone (a cache restarted empty, an eviction): a fresh one, so that checks
                # remembered under the lost value can never match again.
                self._cache.add(EPOCH_KEY, secrets.token_bytes(16), _EPOCH_TTL_SECONDS)
                value = self._cache.get(EPOCH_KEY)
        except CacheUnavailable:
            return None
        return value


@dataclass(frozen=True)
class _Passed:
    answer: object
    epoch: bytes
    at: float


class CheckedSessions:
    """Checks that passed, by what they checked, under the epoch they were made in."""

    def __init__(
        self,
        epoch: AccessEpoch,
        seconds: float,
        *,
        max_entries: int = _MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._epoch = epoch
        self._seconds = seconds
        self._max_entries = max_entries
        self._clock = clock
        self._passed: OrderedDict[Hashable, _Passed] = OrderedDict()
        self._lock = threading.Lock()

    def answer(self, key: Hashable, check: Callable[[], T], passed: Callable[[T], bool]) -> T:
        """`check()`'s answer, remembered when `passed(answer)` and reused for `key` while the
        epoch holds and `seconds` have not gone by. A refusal (an exception, or an answer that
        did not pass) is never remembered."""
        epoch = self._epoch.current()
        if epoch is None:
            return check()
        started = self._clock()
        with self._lock:
            hit = self._passed.get(key)
            if hit is not None and hit.epoch == epoch and started - hit.at < self._seconds:
                self._passed.move_to_end(key)
                return hit.answer  # type: ignore[return-value]
        # Read before the check: a change committed while it runs advances the epoch past
        # the one this answer is filed under.
        answer = check()
        if passed(answer):
            with self._lock:
                self._passed[key] = _Passed(answer, epoch, started)
                self._passed.move_to_end(key)
                while len(self._passed) > self._max_entries:
                    self._passed.popitem(last=False)
        return answer


def reused(
    checked: CheckedSessions | None, key: Hashable, check: Callable[[], T], passed: Callable[[T], bool]
) -> T:
    """`check()`, or its answer remembered under `key` when there is a memory (`checked`)."""
    return check() if checked is None else checked.answer(key, check, passed)


def always(_answer: object) -> bool:
    """For a check whose refusal raises: any answer it returns passed."""
    return True


def is_someone(answer: object) -> bool:
    """For a lookup that answers None when the user is gone or disabled."""
    return answer is not None
