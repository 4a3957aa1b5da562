"""kill -9 in the middle of a payment, on real MariaDB, at each step:
- the process paying is killed after the gateway took the request and before it heard the
  answer (so before anything of the answer was committed here): the sweep asks the gateway by
  the attempt's key, and the payment is applied once, the contribution posted once, and the
  investor charged once;
- the process applying a webhook is killed after its own commit and before the books were
  written: the redelivered event does nothing, and the sweep posts the contribution once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from backend.composition.container import Container
from backend.payments.interface import MethodIn, PayIn, PaymentRequestOut
from backend.payments.sandbox import SandboxGateway
from backend.payments.webhook_signature import signature_header
from backend.platform.cache import InProcessCache
from backend.platform.config import load_settings
from backend.platform.db import Database
from ledger.interface import CapitalCallRequest, EntryType
from sql.migrate import upgrade
from tests.conftest import mariadb_database_url
from tests.integration.payments_support import gateway_settings
from tests.integration.pools_support import World, closed_pool, make_world

ROOT = Path(__file__).resolve().parents[2]
D = Decimal

PAY = """
import sys
from backend.composition.container import Container
from backend.payments.interface import PayIn
from backend.platform.actors import Actor, Role
from backend.platform.config import load_settings

container = Container(load_settings())
actor = Actor(user_id=int(sys.argv[1]), role=Role.INVESTOR, label="investor@pools.test")
container.payments.pay(actor, int(sys.argv[2]), PayIn(method=sys.argv[3]), "pay-now-pressed-once")
print("answered", flush=True)
"""


def _eventually(condition: Callable[[], bool], seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


IN_FLIGHT_CLAIMS = text("SELECT COUNT(*) FROM ledger_idempotency_keys WHERE status = 'in_flight'")


@dataclass
class Called:
    """A capital call on its own MariaDB database (the subprocesses share it): the investor
    owes 20,000.00 under `request`; `env` runs a subprocess against the same database."""

    c: Container
    world: World
    pool: int
    investor: int
    request: PaymentRequestOut
    env: dict[str, str]


@pytest.fixture
def called(tmp_path: Path, sandbox: SandboxGateway) -> Iterator[Called]:
    url = mariadb_database_url(f"payments_crash_{uuid.uuid4().hex[:6]}")
    upgrade(url)
    gateway = gateway_settings(sandbox)
    settings = load_settings(DATABASE_URL=url, VAR_DIR=str(tmp_path / "var"), **gateway)
    db = Database(url, positions=InProcessCache())
    c = Container(settings, db=db, cache=InProcessCache())
    try:
        world = make_world(c)
        pool = c.pools.create_pool(world.manager, closed_pool()).id
        investor = world.investor_profile(world.investor)
        world.commit(pool, investor, "100000.00")
        call = CapitalCallRequest(
            amount=D("20000"), due_date=date(2025, 1, 20), effective_date=date(2025, 1, 15)
        )
        c.transactions.capital_call(world.manager, pool, call, str(uuid.uuid4()))
        request = c.payments.list_requests(world.investor)[0]
        env = {**os.environ, "DATABASE_URL": url, "VAR_DIR": str(tmp_path / "var"), **gateway}
        env.pop("CELERY_BROKER_URL", None)
        yield Called(c, world, pool, investor, request, env)
    finally:
        db.dispose()


def test_a_payer_killed_before_the_gateway_answered_is_finished_once(
    called: Called, sandbox: SandboxGateway
) -> None:
    c, world, pool, investor, request = called.c, called.world, called.pool, called.investor, called.request
    env = called.env
    card = c.payments.add_payment_method(world.investor, MethodIn(token="tok_visa"))
    assert world.investor.user_id is not None

    # The gateway holds the charge for 3 s, then makes it: the payer dies meanwhile.
    sandbox.faults.timeout_next(1, seconds=3.0, path="/v1/payment_intents", method="POST", processed=True)
    payer = subprocess.Popen(
        [sys.executable, "-c", PAY, str(world.investor.user_id), str(request.id), card.token],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert _eventually(lambda: sandbox.request_count("/v1/payment_intents", "POST") >= 1)
        os.kill(payer.pid, signal.SIGKILL)
        assert payer.wait(timeout=10) == -signal.SIGKILL
    finally:
        if payer.poll() is None:
            payer.kill()
    output = payer.stdout.read().decode() if payer.stdout else ""
    assert "answered" not in output, output

    # Our side: the attempt committed before the gateway was called, still pending.
    payments = c.payments.list_payments(world.manager, request.id)
    assert [p.status.value for p in payments] == ["pending"], output
    payment = payments[0]
    # The gateway's side: it took the money once, after the payer had died.
    assert _eventually(lambda: len(sandbox.charges_for("payment_id", str(payment.id))) == 1)

    assert c.payments.resume_gateway_attempts(older_than=timedelta(0)) == 1
    assert c.payments.resume_gateway_attempts(older_than=timedelta(0)) == 0
    done = c.payments.list_payments(world.manager, request.id)
    assert [p.status.value for p in done] == ["succeeded"]
    page = c.transactions.list_transactions(
        world.manager, pool, entry_type=EntryType.CONTRIBUTION, investor_id=investor
    )
    assert [D(e.details["amount"]) for e in page.entries] == [D("20000.00")]
    assert len(sandbox.charges_for("payment_id", str(payment.id))) == 1
    assert c.payments.get_request(world.investor, request.id).status.value == "paid"
    assert c.ledger.verify(pool).ok


WEBHOOK = """
import sys
from pathlib import Path
from backend.composition.container import Container
from backend.platform.config import load_settings

container = Container(load_settings())
outcome = container.payments.apply_webhook(Path(sys.argv[1]).read_bytes(), sys.argv[2])
print("applied", outcome, flush=True)
"""


def test_a_webhook_worker_killed_after_its_commit_and_before_the_books_is_posted_once_by_the_sweep(
    called: Called, tmp_path: Path, sandbox: SandboxGateway
) -> None:
    """The worker applying the gateway's "succeeded" commits the payment, then blocks posting
    the contribution (the test holds the pool's ledger lock) and is killed there: the books
    lack the contribution, the redelivered event does nothing, and the sweep posts it once."""
    c, world, pool, investor, request = called.c, called.world, called.pool, called.investor, called.request
    env = called.env
    debit = c.payments.add_payment_method(world.investor, MethodIn(token="pm_sepaDebit_success"))
    paying = c.payments.pay(world.investor, request.id, PayIn(method=debit.token), "debit-once")
    assert paying.status.value == "processing" and paying.gateway_payment_id
    event = {
        "id": "evt_settled_1",
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {
            "object": {
                "id": paying.gateway_payment_id,
                "object": "payment_intent",
                "amount": 2000000,
                "currency": "eur",
                "status": "succeeded",
                "metadata": {"payment_id": str(paying.id)},
            }
        },
    }
    body = json.dumps(event).encode()
    (tmp_path / "event.json").write_bytes(body)
    header = signature_header(body, c.payment_webhook_secrets(), int(time.time()))

    lock = c.db.primary.connect()
    held = lock.begin()
    lock.execute(text("SELECT pool_id FROM ledger_chain_heads WHERE pool_id = :p FOR UPDATE"), {"p": pool})
    worker = subprocess.Popen(
        [sys.executable, "-c", WEBHOOK, str(tmp_path / "event.json"), header],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:

        def committed_and_posting() -> bool:
            """The payment committed, and the posting's key claimed: the worker waits on the lock."""
            statuses = [p.status.value for p in c.payments.list_payments(world.manager, request.id)]
            with c.db.primary.connect() as look:
                claimed = look.execute(IN_FLIGHT_CLAIMS).scalar_one()
            return statuses == ["succeeded"] and claimed == 1

        assert _eventually(committed_and_posting), "the worker never reached the books"
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
        held.rollback()
        lock.close()
    output = worker.stdout.read().decode() if worker.stdout else ""
    assert "applied" not in output, output

    def contributions() -> list[Decimal]:
        page = c.transactions.list_transactions(
            world.manager, pool, entry_type=EntryType.CONTRIBUTION, investor_id=investor
        )
        return [D(e.details["amount"]) for e in page.entries]

    assert contributions() == []  # killed before the books heard of it
    assert c.payments.gateway_health(world.admin).books_behind == 1
    again = c.payments.apply_webhook(
        body, signature_header(body, c.payment_webhook_secrets(), int(time.time()))
    )
    assert again.duplicate and contributions() == []
    # The dead worker's claim on the posting's key named its process lock, which died with
    # it: the sweep takes the key over at once (not after in_flight_timeout) and posts once.
    with c.db.primary.connect() as look:
        assert look.execute(IN_FLIGHT_CLAIMS).scalar_one() == 1, "the dead worker's claim is still there"
    assert c.payments.post_contributions() == 1
    assert c.payments.post_contributions() == 0
    assert c.payments.list_payments(world.manager, request.id)[0].failure_reason is None
    assert contributions() == [D("20000.00")]
    assert c.payments.get_request(world.investor, request.id).status.value == "paid"
    assert c.payments.gateway_health(world.admin).books_behind == 0
    assert c.ledger.verify(pool).ok
