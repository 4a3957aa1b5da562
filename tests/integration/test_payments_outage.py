"""A gateway answering 5xx: "Pay now" queues the payment (pending, nothing charged), the sweep
leaves the gateway alone until the retry schedule says, retries with growing, jittered waits
while the outage lasts, and completes the payment once the gateway is back: one charge, one
contribution. The schedule's clock is the test's, so nothing here waits for real except the
gateway SDK's own two in-request retries."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from backend.composition.container import Container
from backend.payments.interface import MethodIn, PayIn
from backend.payments.sandbox import SandboxGateway
from ledger.interface import CapitalCallRequest, EntryType
from tests.integration.pools_support import World, closed_pool, make_world

# Their settings point the payment service at the test's own gateway sandbox.
pytestmark = pytest.mark.payment_gateway

D = Decimal
CHARGES = "/v1/payment_intents"


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def test_an_outage_queues_the_payment_and_the_backoff_completes_it_once(
    world: World, sandbox: SandboxGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = world.container
    pool = c.pools.create_pool(world.manager, closed_pool()).id
    investor = world.investor_profile(world.investor)
    world.commit(pool, investor, "100000.00")
    c.transactions.capital_call(
        world.manager,
        pool,
        CapitalCallRequest(amount=D(20000), due_date=date(2025, 1, 20), effective_date=date(2025, 1, 15)),
        str(uuid.uuid4()),
    )
    request = c.payments.list_requests(world.investor)[0]
    card = c.payments.add_payment_method(world.investor, MethodIn(token="tok_visa"))
    clock = [datetime(2026, 12, 4, 12, 0, tzinfo=UTC)]
    collector = c.local_payments._collector  # the retry schedule's clock and dice: the test's
    monkeypatch.setattr(collector, "_now", lambda: clock[0])
    monkeypatch.setattr(collector, "_rng", random.Random(3))

    sandbox.faults.fail_next(10_000, path=CHARGES, method="POST", status=503)
    queued = c.payments.pay(world.investor, request.id, PayIn(method=card.token), "pressed-once")
    assert queued.status.value == "pending" and queued.gateway_payment_id is None
    tried = sandbox.request_count(CHARGES, "POST")
    assert tried == 3  # the SDK's own two retries inside the request

    def charges_tried_after(seconds: float) -> int:
        clock[0] += timedelta(seconds=seconds)
        c.payments.resume_gateway_attempts()
        return sandbox.request_count(CHARGES, "POST")

    # The first wait is at most 5 s: before it nothing is asked; after it, once more.
    assert charges_tried_after(2) == tried  # not due (the wait is at least 2.5 s)
    tried = charges_tried_after(4)
    assert tried == 6
    # Still failing: a new wait starts, so asking again at once asks the gateway nothing.
    assert charges_tried_after(0) == tried
    # The outage ends; within the bound the payment goes through, charged once.
    sandbox.faults.clear()
    charges_tried_after(10)
    done = c.payments.list_payments(world.investor, request.id)
    assert [p.status.value for p in done] == ["succeeded"]
    assert len(sandbox.charges_for("payment_id", str(queued.id))) == 1
    page = c.transactions.list_transactions(
        world.manager, pool, entry_type=EntryType.CONTRIBUTION, investor_id=investor
    )
    assert [D(e.details["amount"]) for e in page.entries] == [D("20000.00")]
    assert c.payments.resume_gateway_attempts() == 0  # nothing left to ask about
    assert c.ledger.verify(pool).ok
