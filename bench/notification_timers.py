"""The benchmark's timing instrumentation: seconds and calls per label, and the wrappers that
time the call's consumers and the senders' SMTP hand-over, attachment reads and claims."""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

import notifications.documents as documents_module
from backend.composition.container import Container

P = ParamSpec("P")
R = TypeVar("R")


class Timers:
    """Seconds and calls per label, from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()

    def add(self, label: str, seconds: float, calls: int = 1) -> None:
        with self._lock:
            self.seconds[label] += seconds
            self.calls[label] += calls

    def wrap(self, label: str, fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def timed(*args: P.args, **kwargs: P.kwargs) -> R:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(label, time.perf_counter() - started)

        return timed

    def wrap_method(self, obj: object, name: str, label: str) -> None:
        """Time one object's method, as every caller of that object reaches it."""
        setattr(obj, name, self.wrap(label, getattr(obj, name)))

    def merge(self, seconds: dict[str, float], calls: dict[str, int]) -> None:
        for label, value in seconds.items():
            self.add(label, value, calls.get(label, 0))

    def line(self, label: str, name: str) -> str:
        s, n = self.seconds.get(label, 0.0), self.calls.get(label, 0)
        each = f", {s / n * 1000:.2f} ms each" if n else ""
        return f"    {name:<44} {s:8.1f} s  ({n} calls{each})"


class _TimedVault:
    def __init__(self, inner: Any, timers: Timers) -> None:
        self._inner = inner
        self.put = timers.wrap("vault.put", inner.put)
        self.get = timers.wrap("vault.get", inner.get)


class _TimedMail:
    """The provider, its sessions' hand-overs timed (the outbox sends a pass in one session)."""

    def __init__(self, inner: Any, timers: Timers) -> None:
        self._inner = inner
        self._timers = timers
        self.send = timers.wrap("smtp.send", inner.send)

    @contextlib.contextmanager
    def session(self) -> Iterator[Any]:
        with self._inner.session() as session:
            yield _TimedSession(session, self._timers)


class _TimedSession:
    def __init__(self, inner: Any, timers: Timers) -> None:
        self.send = timers.wrap("smtp.send", inner.send)


def instrument_senders(c: Container, timers: Timers) -> None:
    """Before c.notifications is built: time the SMTP hand-over, the attachment read and the
    claims (attempts against successes) of this container's outbox."""
    c.__dict__["mail_provider"] = _TimedMail(c.mail_provider, timers)
    c.__dict__["document_vault"] = _TimedVault(c.document_vault, timers)
    timers.wrap_method(c.documents, "content_for_email", "attachment")
    outbox = getattr(c.notifications, "_outbox", None)
    rows = getattr(outbox, "_rows", None)
    if rows is not None:
        claim = rows.claim

        def counted(delivery_id: int) -> bool:
            started = time.perf_counter()
            won = bool(claim(delivery_id))
            timers.add("claim.won" if won else "claim.lost", time.perf_counter() - started)
            return won

        rows.claim = counted
        timers.wrap_method(rows, "due", "due")
        timers.wrap_method(rows, "finish", "finish")


def instrument_call(c: Container, timers: Timers) -> None:
    """The call's consumers, their steps, and the render inside each notice's issue."""
    consumer = c.notification_consumer
    timers.wrap_method(consumer, "handle", "notify")
    timers.wrap_method(consumer, "_addressees", "notify.addressees")
    timers.wrap_method(c.documents, "issue", "notify.issue")
    timers.wrap_method(documents_module, "render_capital_call", "render")  # looked up at each call
    n = c.notifications
    timers.wrap_method(n, "create_for_event", "notify.record")
    timers.wrap_method(n, "_create_in_app", "notify.record.in_app")
    for attr, label in (("_outbox", "notify.record.email"), ("_sms", "notify.record.sms")):
        if getattr(n, attr, None) is not None:
            timers.wrap_method(getattr(n, attr), "enqueue", label)
    timers.wrap_method(c.payments, "open_requests_for_call", "payments.requests")
