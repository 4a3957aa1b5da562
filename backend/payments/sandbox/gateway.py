"""`SandboxGateway`: the sandbox as tests and the embedded demo drive it.

It binds 127.0.0.1 only and serves from daemon threads, so the demo can start it in-process
and forget it. The test controls run under the same lock as the API, so they are safe to call
while a thousand requests are in flight."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from types import TracebackType

from backend.payments.sandbox import routes
from backend.payments.sandbox.faults import ApiFaults
from backend.payments.sandbox.idempotency import IdempotencyCache
from backend.payments.sandbox.intents import Intents
from backend.payments.sandbox.methods import Methods
from backend.payments.sandbox.money import Money
from backend.payments.sandbox.payouts import Payouts
from backend.payments.sandbox.server import Listener, SandboxApp
from backend.payments.sandbox.store import Clock, Store
from backend.payments.sandbox.webhooks import WebhookDispatcher
from backend.payments.sandbox.wire import ApiError, Obj


class SandboxGateway:
    def __init__(self, api_key: str = "sk_test_sandbox", webhook_url: str | None = None,
                 webhook_secrets: Sequence[str] = ("whsec_sandbox",), seed: int = 0, *, port: int = 0,
                 background_webhooks: bool = True, webhook_workers: int = 1,
                 enabled_events: Sequence[str] = ("*",), webhook_timeout: float = 5.0,
                 webhook_max_attempts: int = 8, webhook_retry_base: float = 0.1,
                 bank_settle_after: float | None = None) -> None:
        if not api_key.startswith("sk_test_"):
            raise ValueError("the sandbox only takes test-mode keys (sk_test_...)")
        self.api_key = api_key
        self.clock = Clock()
        self.webhooks = WebhookDispatcher(
            self.clock, url=webhook_url, secrets=webhook_secrets, seed=seed, enabled_events=enabled_events,
            background=background_webhooks, workers=webhook_workers, timeout=webhook_timeout,
            max_attempts=webhook_max_attempts, retry_base=webhook_retry_base)
        self.faults = ApiFaults()
        self.idempotency = IdempotencyCache(self.clock)
        self._store = Store(self.clock, self.webhooks.enqueue)
        self._methods = Methods(self._store)
        self._money = Money(self._store)
        self._intents = Intents(self._store, self._methods, self._money, on_processing=self._schedule_settle)
        self._payouts = Payouts(self._store, self._money)
        self._settle_after = bank_settle_after
        self._timers: list[threading.Timer] = []
        self._stopping = threading.Event()
        app = SandboxApp(
            api_key=api_key, store=self._store, cache=self.idempotency, faults=self.faults,
            routes=routes.build(routes.Operations(self._store, self._methods, self._intents, self._money,
                                                  self._payouts)),
            stopping=self._stopping)
        self._listener = Listener(app, port)
        self._started = False

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> str:
        """Listen on 127.0.0.1 (any free port unless one was given) and return the base URL."""
        self._stopping.clear()
        self._listener.start()
        self.webhooks.start()
        self._started = True
        return self.url

    def stop(self) -> None:
        self._stopping.set()
        with self._store.lock:
            timers, self._timers = self._timers, []
        for timer in timers:
            timer.cancel()
        self._listener.stop()
        self.webhooks.stop()

    def __enter__(self) -> SandboxGateway:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if not self._started:
            raise RuntimeError("the sandbox has not been started")
        return f"http://127.0.0.1:{self._listener.port}"

    @property
    def port(self) -> int:
        return self._listener.port

    def down(self, for_seconds: float | None = None) -> None:
        """Stop listening: every request is refused until `up()` (or after `for_seconds`)."""
        self._listener.stop()
        if for_seconds is not None:
            self._timer(for_seconds, self.up)

    def up(self) -> None:
        if not self._stopping.is_set():
            self._listener.start()

    @property
    def is_up(self) -> bool:
        return self._listener.running

    # -- test controls ---------------------------------------------------------------------------
    def settle(self, payment_intent_id: str, outcome: str | None = None) -> Obj:
        """Finish a processing bank debit: "succeeded", "failed", or None for what its test account does
        (pm_usBankAccount_failure fails, pm_sepaDebit_dispute succeeds and is then disputed)."""
        with self._store.lock:
            return self._store.render(self._intents.settle(payment_intent_id, outcome))

    def settle_all(self) -> list[Obj]:
        """Settle every processing bank debit as its test account says."""
        with self._store.lock:
            processing = [i["id"] for i in self._store.all("payment_intent") if i["status"] == "processing"]
            return [self._store.render(self._intents.settle(i)) for i in processing]

    def dispute(self, payment_intent_id: str, reason: str = "fraudulent") -> Obj:
        with self._store.lock:
            return self._store.render(self._intents.dispute(payment_intent_id, reason))

    def fail_transfer(self, transfer_id: str) -> Obj:
        with self._store.lock:
            return self._store.render(self._payouts.fail(transfer_id))

    def advance_clock(self, seconds: float) -> int:
        """Move the sandbox's clock (`created`, webhook timestamps, key expiry) forward; the new now."""
        return self.clock.advance(seconds)

    def set_search_lag(self, seconds: int) -> None:
        """New intents stay out of search results for this long, as Stripe's index lags."""
        self._intents.search_lag = seconds

    # -- what tests assert on --------------------------------------------------------------------
    def charges_for(self, metadata_key: str, value: str) -> list[Obj]:
        """Charges that took (or are taking) money whose metadata has `metadata_key` = `value`:
        one means "charged once". Declined and returned charges are left out."""
        with self._store.lock:
            return [self._store.render(c) for c in self._store.all("charge")
                    if c["metadata"].get(metadata_key) == value and c["status"] in ("succeeded", "pending")]

    def request_count(self, path: str = "/", method: str | None = None) -> int:
        return self.faults.request_count(path, method)

    def get(self, object_id: str) -> Obj | None:
        """Any stored object by id, as the API would render it."""
        with self._store.lock:
            found = self._store.find(object_id)
            return None if found is None else self._store.render(found)

    def objects(self, kind: str) -> list[Obj]:
        """Every stored object of a kind ("payment_intent", "charge", ...), oldest first."""
        with self._store.lock:
            return [self._store.render(o) for o in self._store.all(kind)]

    def events(self, event_type: str | None = None) -> list[Obj]:
        """Every event, oldest first (GET /v1/events lists newest first)."""
        return [e for e in self.objects("event") if event_type is None or e["type"] == event_type]

    # -- internals -------------------------------------------------------------------------------
    def _schedule_settle(self, payment_intent_id: str) -> None:
        if self._settle_after is not None:
            self._timer(self._settle_after, self._auto_settle, payment_intent_id)

    def _auto_settle(self, payment_intent_id: str) -> None:
        with contextlib.suppress(ApiError):  # settled or canceled by hand meanwhile
            self.settle(payment_intent_id)

    def _timer(self, seconds: float, action: Callable[..., object], *args: str) -> None:
        timer = threading.Timer(seconds, action, args=args)
        timer.daemon = True
        with self._store.lock:
            self._timers = [t for t in self._timers if t.is_alive()]
            self._timers.append(timer)
        timer.start()
