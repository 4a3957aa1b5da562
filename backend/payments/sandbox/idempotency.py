"""Stripe's idempotency layer: a POST's `Idempotency-Key` remembers the request for 24 hours.

The same key with the same parameters replays the first response byte for byte and creates
nothing; with other parameters it is an `idempotency_error` (400); while the first request is
still running it is a 409, which the SDK retries. A request that failed validation stores
nothing, so correcting it and retrying under the same key works, as on Stripe."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from backend.payments.sandbox.store import Clock
from backend.payments.sandbox.wire import ApiError

TTL_SECONDS = 24 * 3600


@dataclass
class Stored:
    fingerprint: str
    created: int
    done: bool = False
    status: int = 0
    body: bytes = b""
    request_id: str = ""


def fingerprint(method: str, path: str, pairs: Iterable[tuple[str, str]]) -> str:
    """What "the same parameters" means: the endpoint and the set of form pairs, in any order."""
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    for key, value in sorted(pairs):
        digest.update(f"{key}={value}\n".encode())
    return digest.hexdigest()


class IdempotencyCache:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        # Insertion order is age order, since the sandbox clock never goes back: expiry pops the front.
        self._entries: OrderedDict[str, Stored] = OrderedDict()

    def begin(self, key: str, request_fingerprint: str) -> Stored | None:
        """The stored response to replay, or None once the key is marked as running for this request."""
        with self._lock:
            self._expire()
            entry = self._entries.get(key)
            if entry is None:
                self._entries[key] = Stored(request_fingerprint, self._clock.now())
                return None
            if entry.fingerprint != request_fingerprint:
                raise ApiError(
                    400, "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters they were first "
                    f"used with. Try using a key other than '{key}' if you meant to execute a different "
                    "request.", stored=False)
            if not entry.done:
                raise ApiError(
                    409, "idempotency_error",
                    "There is currently another in-progress request using this Stripe-Idempotency-Key. "
                    "Please try again later.", code="idempotency_key_in_use", stored=False)
            return entry

    def finish(self, key: str, status: int, body: bytes, request_id: str) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                entry.done, entry.status, entry.body, entry.request_id = True, status, body, request_id

    def abandon(self, key: str) -> None:
        """Forget a key whose request stored nothing (it failed validation, or never ran)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and not entry.done:
                del self._entries[key]

    def in_progress(self, key: str) -> bool:
        """Whether a request under `key` is running now (a test's cue to send the conflicting one)."""
        with self._lock:
            entry = self._entries.get(key)
            return entry is not None and not entry.done

    def _expire(self) -> None:
        horizon = self._clock.now() - TTL_SECONDS
        while self._entries:
            key, oldest = next(iter(self._entries.items()))
            if oldest.created > horizon or not oldest.done:
                return
            del self._entries[key]
