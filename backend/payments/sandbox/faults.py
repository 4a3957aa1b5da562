"""Faults in the API itself, armed by tests, and the per-path request counts they assert on.

A fault applies to the next `n` requests that match it (a path prefix, a method, or any),
in the order the faults were armed:

- `fail_next`: answer 500 `api_error` (or 429/502/503) before doing anything: nothing is created
  and nothing is stored under the idempotency key, so a retry runs the request afresh.
- `timeout_next`: hold the request for `seconds` (longer than the client's timeout). With
  `processed=True` the request then runs as a slow server would, its key marked as in progress
  meanwhile (a retry gets 409 until it finishes, then the replay); with `processed=False` it is
  dropped after the wait, as if a proxy had given up on it.
- `accept_then_fail`: run the request (create the object, store the idempotent response) and
  answer 500 anyway: a crash between the gateway's commit and ours.
- `set_latency`: delay every matching request by `seconds`, until cleared.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["error", "timeout", "accept_then_fail"]
_ERROR_STATUSES = (429, 500, 502, 503)


@dataclass
class Fault:
    kind: FaultKind
    remaining: int
    path: str | None = None
    method: str | None = None
    seconds: float = 0.0
    processed: bool = True
    status: int = 500

    def matches(self, method: str, path: str) -> bool:
        return (self.path is None or path.startswith(self.path)) and (
            self.method is None or self.method == method)


class ApiFaults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._latency: list[tuple[str | None, float]] = []
        self._counts: Counter[tuple[str, str]] = Counter()

    def fail_next(self, n: int = 1, *, path: str | None = None, method: str | None = None,
                  status: int = 500) -> None:
        if status not in _ERROR_STATUSES:
            raise ValueError(f"status must be one of {_ERROR_STATUSES}")
        self._arm(Fault("error", n, path, _upper(method), status=status))

    def timeout_next(self, n: int = 1, *, seconds: float = 2.0, path: str | None = None,
                     method: str | None = None, processed: bool = True) -> None:
        self._arm(Fault("timeout", n, path, _upper(method), seconds=seconds, processed=processed))

    def accept_then_fail(self, n: int = 1, *, path: str | None = None, method: str | None = None) -> None:
        self._arm(Fault("accept_then_fail", n, path, _upper(method)))

    def set_latency(self, seconds: float, *, path: str | None = None) -> None:
        with self._lock:
            self._latency = [(p, s) for p, s in self._latency if p != path]
            if seconds > 0:
                self._latency.append((path, seconds))

    def clear(self) -> None:
        """Disarm every fault and latency; the request counts stay."""
        with self._lock:
            self._faults.clear()
            self._latency.clear()

    @property
    def armed(self) -> int:
        """How many faulty answers are still to come."""
        with self._lock:
            return sum(f.remaining for f in self._faults)

    def request_count(self, path: str = "/", method: str | None = None) -> int:
        """Requests received (faulted ones included) whose path starts with `path`."""
        wanted = _upper(method)
        with self._lock:
            return sum(n for (m, p), n in self._counts.items()
                       if p.startswith(path) and (wanted is None or m == wanted))

    def observe(self, method: str, path: str) -> tuple[Fault | None, float]:
        """Count a request; the fault it triggers (used up by one) and the latency to add."""
        with self._lock:
            self._counts[(method, path)] += 1
            latency = sum(s for p, s in self._latency if p is None or path.startswith(p))
            for fault in self._faults:
                if fault.remaining > 0 and fault.matches(method, path):
                    fault.remaining -= 1
                    self._faults = [f for f in self._faults if f.remaining > 0]
                    return fault, latency
            return None, latency

    def _arm(self, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("a fault must apply to at least one request")
        with self._lock:
            self._faults.append(fault)


def _upper(method: str | None) -> str | None:
    return method.upper() if method else None
