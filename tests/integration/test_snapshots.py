"""Snapshots: computed once per ledger version, triggered by the relay through a real
Celery worker over RabbitMQ, and read by the report service instead of a replay."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker

from backend.composition import celery_app
from backend.composition.container import Container
from backend.platform.aggregate_cache import REQUESTS
from backend.platform.cache import InProcessCache
from backend.platform.config import load_settings
from backend.platform.db import Database
from ledger.outbox import DatabaseOutboxRelay, EventBus
from reports.interface import Frequency
from sql.migrate import upgrade
from tests.conftest import AMQP_URL, REDIS_URL
from tests.integration.pools_support import World, make_world
from tests.integration.reports_support import build_open, key, tx

AS_OF = date(2025, 12, 31)


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def test_a_snapshot_is_computed_once_per_ledger_version(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = world.container
    built = build_open(world)
    first = c.snapshots.refresh_pool(built.pool, AS_OF)
    again = c.snapshots.refresh_pool(built.pool, AS_OF)
    assert first.computed and not again.computed
    assert again.ledger_version == first.ledger_version
    # Reports now read the snapshot: no replay of the journal.
    monkeypatch.setattr(c.local_reports, "_pool_history", lambda *a, **k: pytest.fail("replayed the journal"))
    from_snapshot = c.reports.pool_performance(world.manager, built.pool, as_of=AS_OF)
    assert from_snapshot.pool_id == built.pool
    monkeypatch.undo()
    c.transactions.record(
        world.manager, built.pool, tx(type="income", amount="5.00", effective_date="2025-12-31"), key()
    )
    assert c.snapshots.pool_performance(built.pool, AS_OF) is None  # stale: a new entry since
    assert c.snapshots.refresh_pool(built.pool, AS_OF).computed


def test_a_snapshot_leaves_the_nav_histories_the_pages_chart_in_the_cache(world: World) -> None:
    """Computed with the snapshot, so the first page view after an entry does not replay the
    pool's history: both histories the pool page asks for are hits, none is computed."""
    c = world.container
    built = build_open(world)
    c.snapshots.refresh_pool(built.pool, AS_OF)
    hits, misses = REQUESTS.labels("nav_history", "hit"), REQUESTS.labels("nav_history", "miss")
    before = (hits._value.get(), misses._value.get())
    inception = c.pools.get_pool(world.manager, built.pool).inception_date
    for frequency in (Frequency.MONTHLY, Frequency.DAILY):
        history = c.reports.nav_history(
            world.manager, built.pool, start=inception, end=AS_OF, frequency=frequency
        )
        assert history.points and history.points[-1].date == AS_OF
    assert (hits._value.get() - before[0], misses._value.get() - before[1]) == (2, 0)


def test_a_snapshot_leaves_each_investors_part_of_the_pool_in_the_cache(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The investor dashboard after an entry reads what the snapshot worked out (one replay
    for every investor), and it is what the dashboard would have computed itself."""
    c = world.container
    built = build_open(world)
    computed = c.reports.investor_performance(world.admin, built.a, as_of=AS_OF)  # a miss: computed here
    c.transactions.record(
        world.manager, built.pool, tx(type="income", amount="5.00", effective_date="2025-12-31"), key()
    )
    fresh = c.reports.investor_performance(world.admin, built.a, as_of=AS_OF)
    assert fresh != computed  # the income moved the figures
    c.transactions.record(
        world.manager, built.pool, tx(type="income", amount="7.00", effective_date="2025-12-31"), key()
    )
    assert c.local_reports.warm_investor_figures(built.pool, AS_OF) == 2  # A and B
    hits, misses = REQUESTS.labels("investor_pool", "hit"), REQUESTS.labels("investor_pool", "miss")
    before = (hits._value.get(), misses._value.get())
    warmed = c.reports.investor_performance(world.admin, built.a, as_of=AS_OF)
    assert (hits._value.get() - before[0], misses._value.get() - before[1]) == (1, 0)
    monkeypatch.setattr(c.local_reports, "_aggregates", None)  # worked out afresh, cache or not
    assert warmed == c.reports.investor_performance(world.admin, built.a, as_of=AS_OF)


@pytest.fixture
def broker_container(tmp_path: Path) -> Iterator[Container]:
    url = f"sqlite:///{tmp_path / 'snapshots.sqlite3'}"
    upgrade(url)
    db = Database(url, positions=InProcessCache())
    settings = load_settings(CELERY_BROKER_URL=AMQP_URL, REDIS_URL=REDIS_URL, VAR_DIR=str(tmp_path / "var"))
    container = Container(settings, db=db, cache=InProcessCache())
    yield container
    celery_app.configure(load_settings())
    db.dispose()


def test_the_relay_schedules_snapshots_that_a_real_worker_computes(broker_container: Container) -> None:
    c = broker_container
    app = c.celery
    queue = f"pools-test-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    w = make_world(c)
    built = build_open(w)
    today = date.today()
    # The relay publishes to an in-process bus here (the broker is for the tasks) and hands
    # each published batch to the container's scheduler, as `app.py ledger relay` does.
    relay = DatabaseOutboxRelay(c.db, EventBus(), on_published=c.schedule_snapshots)
    with start_worker(
        app, queues=[queue], perform_ping_check=False, pool="threads", loglevel="WARNING", shutdown_timeout=30
    ):
        assert relay.drain() > 0
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and c.snapshots.pool_performance(built.pool, today) is None:
            time.sleep(0.2)
    stored = c.snapshots.pool_performance(built.pool, today)
    assert stored is not None and stored.pool_id == built.pool
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)
