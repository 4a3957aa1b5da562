"""The business figures /metrics reads from the database at each scrape, on both backends:
payments and payment requests by state and the day's failed payments, email deliveries by
state and the oldest one waiting, and how fresh the pools' performance snapshots are. Each
is shown counting a real row written by the services, then the row moved (in time or in
state) and the figure following it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.payments.interface import MethodIn, PayIn
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import UnitOfWork
from ledger.interface import CapitalCallRequest, TransactionRequest
from tests.integration.pools_support import World, closed_pool, make_world, open_pool
from tests.promql import exposition_samples

D = Decimal


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _scrape(world: World) -> dict[str, float]:
    """{series as exposed (name and labels): value} of one /metrics answer."""
    body = create_app(world.container).test_client().get("/metrics").get_data(as_text=True)
    return exposition_samples(body)


def _sql(world: World, statement: str, **params: object) -> None:
    with UnitOfWork(world.container.db) as unit:
        unit.session.execute(text(statement), params)
        unit.commit()


def _hours_ago(hours: int) -> datetime:
    """That long ago, as a naive UTC time for a raw UPDATE (the columns keep naive UTC)."""
    return (utcnow() - timedelta(hours=hours)).replace(tzinfo=None, microsecond=0)


def _call(world: World) -> tuple[int, int]:
    """A closed pool; investors a and b committed; a 30k call: a owes 20k, b 10k. Returns the
    pool and a's payment request."""
    c = world.container
    today = date.today()
    pool = c.pools.create_pool(world.manager, closed_pool()).id
    world.commit(pool, world.investor_profile(world.investor), "100000.00")
    world.commit(pool, world.investor_profile(world.other_investor, name="Bo Other"), "50000.00")
    c.transactions.capital_call(
        world.manager,
        pool,
        # Dated today: a call loaded as history would email nobody.
        CapitalCallRequest(amount=D(30000), due_date=today + timedelta(days=14), effective_date=today),
        str(uuid.uuid4()),
    )
    return pool, c.payments.list_requests(world.investor)[0].id


FAILED = 'payments_by_state{state="failed"}'
FAILED_DAY = "payments_failed_last_24h"
OPEN_REQUESTS = 'payment_requests_by_state{state="open"}'


@pytest.mark.payment_gateway  # the card is declined by the test's own gateway sandbox
def test_payments_by_state_and_the_failures_of_the_last_day(world: World) -> None:
    before = _scrape(world)
    assert before[FAILED] == 0 and before[FAILED_DAY] == 0 and before[OPEN_REQUESTS] == 0
    _, request = _call(world)
    c = world.container
    method = c.payments.add_payment_method(world.investor, MethodIn(token="tok_chargeDeclined"))
    declined = c.payments.pay(world.investor, request, PayIn(method=method.token), str(uuid.uuid4()))
    assert declined.status.value == "failed"

    after = _scrape(world)
    assert after[OPEN_REQUESTS] == 2  # one request per investor of the call, nothing paid
    assert after[FAILED] == 1 and after[FAILED_DAY] == 1
    assert after['payments_by_state{state="succeeded"}'] == 0

    # The same failure a day and an hour ago: still a failed payment, no longer the day's.
    _sql(
        world,
        "UPDATE payments SET updated_at = :at WHERE id = :id",
        at=_hours_ago(25),
        id=declined.id,
    )
    later = _scrape(world)
    assert later[FAILED] == 1 and later[FAILED_DAY] == 0


QUEUED_EMAILS = 'notification_deliveries_by_state{channel="email",state="queued"}'
OLDEST_EMAIL = 'notification_deliveries_oldest_pending_age_seconds{channel="email"}'


def _queued_emails(world: World) -> int:
    with UnitOfWork(world.container.db) as unit:
        found = unit.session.execute(
            text("SELECT COUNT(*) FROM notification_deliveries WHERE channel = 'email' AND status = 'queued'")
        ).scalar_one()
    return int(found)


def _email_ids(world: World) -> list[int]:
    with UnitOfWork(world.container.db) as unit:
        found = unit.session.execute(
            text("SELECT id FROM notification_deliveries WHERE channel = 'email' ORDER BY id")
        ).scalars()
        return [int(i) for i in found]


def test_email_deliveries_waiting_and_how_long_the_oldest_has_waited(world: World) -> None:
    before = _scrape(world)
    assert before[QUEUED_EMAILS] == 0 and before[OLDEST_EMAIL] == 0
    _call(world)  # the call notices are emailed to both investors
    queued = _queued_emails(world)
    assert queued >= 2

    waiting = _scrape(world)
    assert waiting[QUEUED_EMAILS] == queued
    assert 0 <= waiting[OLDEST_EMAIL] < 600
    assert waiting['notification_deliveries_by_state{channel="sms",state="queued"}'] == 0

    first, second = _email_ids(world)[:2]
    # One recorded two hours ago and still not gone (a provider outage, say); another refused
    # for good five hours ago: failed, counted as such, and not waiting any more.
    _sql(
        world,
        "UPDATE notification_deliveries SET created_at = :at WHERE id = :id",
        at=_hours_ago(2),
        id=first,
    )
    _sql(
        world,
        "UPDATE notification_deliveries SET created_at = :at, status = 'failed' WHERE id = :id",
        at=_hours_ago(5),
        id=second,
    )
    outage = _scrape(world)
    assert 7200 <= outage[OLDEST_EMAIL] < 7200 + 600
    assert outage[QUEUED_EMAILS] == queued - 1
    assert outage['notification_deliveries_by_state{channel="email",state="failed"}'] == 1

    # The senders' pass sends the rest (to the embedded folder): nothing waits any more.
    world.container.notifications.send_due_emails()
    assert _queued_emails(world) == 0
    sent = _scrape(world)
    assert sent[QUEUED_EMAILS] == 0 and sent[OLDEST_EMAIL] == 0
    assert sent['notification_deliveries_by_state{channel="email",state="failed"}'] == 1


OLDEST_SNAPSHOT = "reports_snapshot_oldest_age_seconds"
STALE = "reports_stale_snapshot_pools"


def test_how_fresh_the_pools_snapshots_are(world: World) -> None:
    c = world.container
    c.pools.create_pool(world.manager, open_pool(minimum_subscription="0.00"))  # no entries, no snapshot
    pool = c.pools.create_pool(world.manager, open_pool(minimum_subscription="0.00")).id
    subscription = {
        "type": "subscription",
        "investor_id": world.investor_profile(world.investor),
        "amount": "1000.00",
        "effective_date": "2025-01-02",
    }
    c.transactions.record(
        world.manager, pool, TransactionRequest.model_validate(subscription), str(uuid.uuid4())
    )
    # The embedded default stores no snapshot: a pool with entries and none is stale; the empty one is not.
    never = _scrape(world)
    assert never[STALE] == 1 and never[OLDEST_SNAPSHOT] == 0

    today = utcnow().date()
    c.snapshots.refresh_pool(pool, today)
    fresh = _scrape(world)
    assert fresh[STALE] == 0 and 0 <= fresh[OLDEST_SNAPSHOT] < 600

    # An older day's snapshot, computed long ago, is not the pool's newest: it changes nothing.
    c.snapshots.refresh_pool(pool, today - timedelta(days=1))
    _sql(
        world,
        "UPDATE reports_pool_snapshots SET computed_at = :at WHERE pool_id = :pool AND as_of < :today",
        at=_hours_ago(50),
        pool=pool,
        today=today,
    )
    still = _scrape(world)
    assert still[STALE] == 0 and still[OLDEST_SNAPSHOT] < 600

    # The worker stopped: the newest snapshot was computed 30 hours ago.
    _sql(
        world,
        "UPDATE reports_pool_snapshots SET computed_at = :at WHERE pool_id = :pool AND as_of = :today",
        at=_hours_ago(30),
        pool=pool,
        today=today,
    )
    stale = _scrape(world)
    assert stale[STALE] == 1 and stale[OLDEST_SNAPSHOT] >= 30 * 3600
