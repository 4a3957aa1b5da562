"""1,000 investors paying one capital call through the gateway's webhooks at once, on real
MariaDB (SQLite serialises its writers, so the concurrency would not be tested there): every
contribution is posted exactly once, the pool's books verify, and each event delivered twice,
interleaved with the others, changes nothing the second time.

The payments are staged as the gateway rail leaves them once "Pay now" was accepted (pending
-> processing, with the gateway's payment id), so what is tested is the webhook path:
verify, dedupe, state change, ledger post. A delivery that fails (a deadlock the database
chose to break) is retried, as the gateway retries any answer that is not a 2xx.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type

from backend.composition.container import Container
from backend.investors.interface import (
    CommitmentCreate,
    InvestorCreate,
    InvestorType,
    KycStatus,
)
from backend.payments.interface import WebhookOutcome
from backend.payments.models import Payment
from backend.payments.sandbox.staging import stage_processing_payments
from backend.payments.states import PaymentStatus
from backend.payments.webhook_signature import signature_header
from backend.platform import passwords
from backend.platform.actors import Actor, Role
from backend.platform.cache import InProcessCache
from backend.platform.config import load_settings
from backend.platform.db import Database
from backend.platform.unit_of_work import UnitOfWork
from backend.users.interface import UserCreate
from ledger.interface import CapitalCallRequest, EntryType
from sql.migrate import upgrade
from tests.conftest import mariadb_database_url
from tests.integration.pools_support import World, closed_pool, make_world

INVESTORS = 1000
THREADS = 16
SHARE = Decimal("100.00")
OPERATOR = Actor.operator("concurrency-test")


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    # Its own database and connection pool: the suite's shared container runs each test in
    # one connection's savepoint, which threads cannot share.
    url = mariadb_database_url("payments_concurrency")
    upgrade(url)
    db = Database(url, positions=InProcessCache())
    container = Container(
        load_settings(DATABASE_URL=url, VAR_DIR=str(tmp_path / "var")), db=db, cache=InProcessCache()
    )
    # Setup only: a thousand investor logins with cheap argon2 parameters (the same code path).
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    try:
        yield make_world(container)
    finally:
        db.dispose()


def _investors(world: World, pool: int) -> list[int]:
    """A thousand KYC-approved investors with logins, each committed to the pool: made through
    the services' batch calls (each row checked as one alone would be), so the set-up is
    three transactions, not four thousand."""
    c = world.container
    users = c.users.create_users(
        OPERATOR,
        [
            UserCreate(email=f"payer{i}@pools.test", role=Role.INVESTOR, password="p" * 16)
            for i in range(INVESTORS)
        ],
    )
    profiles = c.investors.create_investors(
        OPERATOR,
        [
            InvestorCreate(
                user_id=user.id,
                legal_name=f"Payer {i}",
                investor_type=InvestorType.INDIVIDUAL,
                country="DE",
                kyc_status=KycStatus.APPROVED,
            )
            for i, user in enumerate(users)
        ],
    )
    c.investors.create_commitments(
        world.manager,
        pool,
        [CommitmentCreate.model_validate({"investor_id": p.id, "amount": "1000.00"}) for p in profiles],
    )
    return [p.id for p in profiles]


def _event(payment_id: int, gateway_id: str) -> bytes:
    obj = {
        "id": gateway_id,
        "object": "payment_intent",
        "amount": int(SHARE * 100),
        "currency": "eur",
        "status": "succeeded",
        "metadata": {"payment_id": str(payment_id)},
    }
    event = {
        "id": f"evt_{payment_id}",
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {"object": obj},
    }
    return json.dumps(event).encode()


def test_a_thousand_investors_paying_one_call_at_once_are_each_posted_once(world: World) -> None:
    c = world.container
    pool = c.pools.create_pool(world.manager, closed_pool()).id
    started = time.monotonic()
    investors = _investors(world, pool)
    set_up = time.monotonic() - started
    c.transactions.capital_call(
        world.manager,
        pool,
        CapitalCallRequest(
            amount=SHARE * INVESTORS, due_date=date(2025, 1, 20), effective_date=date(2025, 1, 15)
        ),
        str(uuid.uuid4()),
    )
    requests = c.payments.list_requests(world.manager, pool_id=pool)
    assert len(requests) == INVESTORS and {r.amount_due for r in requests} == {SHARE}
    payments = stage_processing_payments(c.db, pool)
    secrets = c.payment_webhook_secrets()
    deliveries = [_event(p, g) for p, g in payments.items()] * 2  # every event twice
    random.Random(7).shuffle(deliveries)
    retried = 0
    failures: list[str] = []

    def deliver(body: bytes) -> WebhookOutcome:
        nonlocal retried
        for attempt in range(8):
            try:
                return c.payments.apply_webhook(body, signature_header(body, secrets, int(time.time())))
            except Exception as exc:  # a 5xx to the gateway: it delivers again
                retried += 1
                failures.append(repr(exc)[:300])
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError(f"a delivery failed eight times: {failures[0]}")

    started = time.monotonic()
    with ThreadPoolExecutor(THREADS) as pool_of_threads:
        outcomes = list(pool_of_threads.map(deliver, deliveries))
    delivered = time.monotonic() - started

    applied = [o for o in outcomes if not o.duplicate]
    assert len(applied) == INVESTORS and {o.status for o in applied} == {PaymentStatus.SUCCEEDED}
    assert sum(1 for o in outcomes if o.duplicate) == INVESTORS
    assert c.payments.post_contributions() == 0  # nothing left behind for the sweep
    page_size = 500
    posted: list[tuple[int, Decimal]] = []
    cursor = None
    while True:
        page = c.transactions.list_transactions(
            world.manager, pool, entry_type=EntryType.CONTRIBUTION, cursor=cursor, limit=page_size
        )
        posted += [(p.investor_id, Decimal(e.details["amount"])) for e in page.entries for p in e.postings
                   if p.investor_id is not None and p.account.value == "call_receivable"]  # fmt: skip
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(i for i, _ in posted) == sorted(investors)  # one contribution each
    assert {amount for _, amount in posted} == {SHARE}
    assert {r.status.value for r in c.payments.list_requests(world.manager, pool_id=pool)} == {"paid"}
    with UnitOfWork(c.db) as unit:
        statuses = {p.status for p in unit.session.query(Payment).filter(Payment.pool_id == pool)}
    assert statuses == {PaymentStatus.SUCCEEDED.value}
    assert c.ledger.verify(pool).ok
    print(
        f"\n{INVESTORS} investors (set up in {set_up:.1f} s), {len(deliveries)} deliveries on {THREADS} "
        f"threads in {delivered:.1f} s: {retried} retried"
    )
