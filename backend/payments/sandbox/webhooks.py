"""Webhook delivery, signed as Stripe signs it, and the faults a receiver must survive.

Each event is POSTed as JSON with `Stripe-Signature: t=<ts>,v1=<hex>[,v1=<hex>...]`, one v1 per
configured secret (so secrets can rotate), where each v1 is HMAC-SHA256(secret, f"{t}.{body}").
Every attempt is signed afresh with the sandbox clock's time, as Stripe does; a `replay` resends
an event with the header of its first attempt, which is what an attacker replaying it would send.

Delivery runs on background worker threads (or only when `deliver_pending()` is called), with
retries and exponential backoff while the endpoint answers non-2xx or cannot be reached. Faults:
`duplicate` (every event twice), `set_order` (in order, reverse, or shuffled by the seeded random),
`delay`, `hold`/`release`, `drop_next` (never delivered: the receiver must poll /v1/events) and
`replay`. Ordering applies to whatever is queued when a delivery is picked: exact after a hold
or for `deliver_pending()`, best effort for a live stream or several workers."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal
from urllib.parse import urlsplit

from backend.payments.sandbox.store import Clock
from backend.payments.sandbox.transport import post, sign
from backend.payments.sandbox.wire import Obj

Order = Literal["in_order", "reverse", "shuffle"]
_IDLE_POLL = 1.0  # seconds a worker sleeps at most before looking at the queue again


@dataclass(frozen=True)
class DeliveryRecord:
    """One attempt to deliver one event: what a test asserts on."""

    event_id: str
    event_type: str
    attempt: int
    status: int | None  # None: the endpoint could not be reached
    error: str | None
    signature: str
    replay: bool
    sent_at: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class _Delivery:
    seq: int
    event_id: str
    event_type: str
    body: bytes
    due: float  # time.monotonic()
    attempt: int = 1
    signature: str | None = None  # only a replay carries one: its original header


@dataclass
class _Drop:
    remaining: int
    event_type: str | None


class WebhookDispatcher:
    def __init__(self, clock: Clock, *, url: str | None, secrets: Sequence[str], seed: int = 0,
                 enabled_events: Sequence[str] = ("*",), background: bool = True, workers: int = 1,
                 timeout: float = 5.0, max_attempts: int = 8, retry_base: float = 0.1,
                 retry_cap: float = 5.0) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._url: str | None = None
        self._secrets: tuple[str, ...] = ()
        self.configure(url, secrets)
        self._enabled = tuple(enabled_events)
        # Seeded so a shuffled order is the same on every run; not for anything secret.
        self._rng = random.Random(seed)  # noqa: S311
        self._background, self._workers = background, workers
        self._timeout, self._max_attempts = timeout, max_attempts
        self._retry_base, self._retry_cap = retry_base, retry_cap
        self._queue: list[_Delivery] = []
        self._seq = 0
        self._sending = 0
        self._events: dict[str, tuple[str, int, bytes]] = {}  # id -> (type, created, body), for replays
        self._first_signature: dict[str, str] = {}
        self._records: list[DeliveryRecord] = []
        self.dropped: list[str] = []
        self._drops: list[_Drop] = []
        self._duplicate, self._order, self._delay, self._held = False, "in_order", 0.0, False
        self._threads: list[threading.Thread] = []
        self._stopped = False

    # -- configuration ---------------------------------------------------------------------------
    def configure(self, url: str | None, secrets: Sequence[str] | None = None) -> None:
        """Point delivery at `url` (None: keep events for polling only) and/or rotate the secrets."""
        if url is not None and urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("a webhook URL must be http:// or https://")
        with self._cond:
            self._url = url
            if secrets is not None:
                if not secrets or not all(s.startswith("whsec_") for s in secrets):
                    raise ValueError("webhook secrets look like whsec_...")
                self._secrets = tuple(secrets)
            self._cond.notify_all()

    @property
    def url(self) -> str | None:
        return self._url

    @property
    def secrets(self) -> tuple[str, ...]:
        return self._secrets

    # -- faults ----------------------------------------------------------------------------------
    def duplicate(self, on: bool = True) -> None:
        self._duplicate = on

    def set_order(self, order: Order) -> None:
        if order not in ("in_order", "reverse", "shuffle"):
            raise ValueError(f"unknown order {order!r}")
        self._order = order

    def delay(self, seconds: float) -> None:
        """Deliver each event enqueued from now on no sooner than `seconds` after it happened."""
        self._delay = max(0.0, seconds)

    def hold(self) -> None:
        with self._cond:
            self._held = True

    def release(self) -> None:
        with self._cond:
            self._held = False
            self._cond.notify_all()

    def drop_next(self, n: int = 1, event_type: str | None = None) -> None:
        """The next `n` events (of `event_type`, or any) are never delivered; /v1/events still has them."""
        with self._cond:
            self._drops.append(_Drop(n, event_type))

    def clear_faults(self) -> None:
        with self._cond:
            self._duplicate, self._order, self._delay, self._held = False, "in_order", 0.0, False
            self._drops.clear()
            self._cond.notify_all()

    def replay(self, event_id: str) -> None:
        """Send an old event again with its original timestamp and signature (a replay attack)."""
        with self._cond:
            event_type, created, body = self._events[event_id]
            signature = self._first_signature.get(event_id) or sign(body, created, self._secrets)
            self._push(event_id, event_type, body, time.monotonic(), signature)

    # -- delivery --------------------------------------------------------------------------------
    def enqueue(self, event: Obj) -> None:
        """Called by the store, under its lock, for each new event."""
        body = (json.dumps(event, indent=2) + "\n").encode()
        event_id, event_type = event["id"], event["type"]
        with self._cond:
            self._events[event_id] = (event_type, event["created"], body)
            if self._url is None or not any(fnmatchcase(event_type, p) for p in self._enabled):
                return
            if self._take_drop(event_type):
                self.dropped.append(event_id)
                return
            due = time.monotonic() + self._delay
            for _ in range(2 if self._duplicate else 1):
                self._push(event_id, event_type, body, due)

    def deliver_pending(self) -> list[DeliveryRecord]:
        """Send everything queued now, in the configured order, from this thread (delays ignored,
        a hold respected). Failures are queued again for a later attempt."""
        with self._cond:
            if self._held or self._url is None:
                return []
            batch = self._ordered(self._queue)
            self._queue = []
            self._sending += len(batch)
        return [self._attempt(delivery) for delivery in batch]

    def wait_idle(self, timeout: float) -> bool:
        """True once nothing is queued or being sent; False if `timeout` seconds pass first."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and self._sending == 0, timeout)

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._queue) + self._sending

    @property
    def records(self) -> list[DeliveryRecord]:
        with self._cond:
            return list(self._records)

    def start(self) -> None:
        if not self._background or self._threads:
            return
        self._stopped = False
        for number in range(self._workers):
            thread = threading.Thread(target=self._run, name=f"sandbox-webhooks-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout=self._timeout + 1)
        self._threads = []

    # -- internals -------------------------------------------------------------------------------
    def _push(self, event_id: str, event_type: str, body: bytes, due: float,
              signature: str | None = None) -> None:
        self._seq += 1
        self._queue.append(_Delivery(self._seq, event_id, event_type, body, due, signature=signature))
        self._cond.notify()

    def _take_drop(self, event_type: str) -> bool:
        for rule in self._drops:
            if rule.remaining > 0 and rule.event_type in (None, event_type):
                rule.remaining -= 1
                return True
        return False

    def _ordered(self, deliveries: list[_Delivery]) -> list[_Delivery]:
        ordered = sorted(deliveries, key=lambda d: d.seq, reverse=self._order == "reverse")
        if self._order == "shuffle":
            self._rng.shuffle(ordered)
        return ordered

    def _next_due(self) -> _Delivery | None:
        if self._held or self._url is None:
            return None
        now = time.monotonic()
        due = [i for i, d in enumerate(self._queue) if d.due <= now]
        if not due:
            return None
        if self._order == "in_order":
            return self._queue.pop(due[0])
        if self._order == "reverse":
            return self._queue.pop(due[-1])
        return self._queue.pop(self._rng.choice(due))

    def _wait_time(self) -> float:
        if self._held or not self._queue:
            return _IDLE_POLL
        return min(_IDLE_POLL, max(0.0, min(d.due for d in self._queue) - time.monotonic()))

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._stopped:
                        return  # what is still queued stays queued: a restart sends it
                    delivery = self._next_due()
                    if delivery is not None:
                        break
                    self._cond.wait(self._wait_time())
                self._sending += 1
            self._attempt(delivery)

    def _attempt(self, delivery: _Delivery) -> DeliveryRecord:
        try:
            with self._cond:
                url, secrets = self._url, self._secrets
            signature = delivery.signature or sign(delivery.body, self._clock.now(), secrets)
            status, error = post(url, delivery.body, signature, self._timeout) if url else (None, "no URL")
            record = DeliveryRecord(delivery.event_id, delivery.event_type, delivery.attempt, status, error,
                                    signature, delivery.signature is not None, time.time())
            with self._cond:
                self._records.append(record)
                self._first_signature.setdefault(delivery.event_id, signature)
                if not record.ok and delivery.attempt < self._max_attempts:
                    backoff = min(self._retry_cap, self._retry_base * 2 ** (delivery.attempt - 1))
                    delivery.attempt += 1
                    delivery.due = time.monotonic() + backoff
                    self._queue.append(delivery)
            return record
        finally:
            with self._cond:
                self._sending -= 1
                self._cond.notify_all()
