"""Snapshots end to end on real RabbitMQ, Redis and MariaDB with real worker processes:
post entries, kill the worker while it computes the snapshot, start another, and the
snapshot is complete, current and counted once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from backend.composition import celery_app
from backend.composition.container import Container
from backend.platform.cache import InProcessCache
from backend.platform.config import load_settings
from backend.platform.db import Database
from sql.migrate import upgrade
from tests.conftest import AMQP_URL, REDIS_URL, mariadb_database_url
from tests.integration.pools_support import World, make_world, open_pool

ROOT = Path(__file__).resolve().parents[2]
HISTORY_DAYS = 1500


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[Container, dict[str, str]]]:
    url = mariadb_database_url("snapshot_crash")
    upgrade(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": AMQP_URL,
        "REDIS_URL": REDIS_URL,
        "VAR_DIR": str(tmp_path / "var"),
        "LOG_LEVEL": "INFO",
    }
    settings = load_settings(
        DATABASE_URL=url, CELERY_BROKER_URL=AMQP_URL, REDIS_URL=REDIS_URL, VAR_DIR=str(tmp_path / "var")
    )
    db = Database(url, positions=InProcessCache())
    yield Container(settings, db=db, cache=InProcessCache()), env
    celery_app.configure(load_settings())
    db.dispose()


def _long_history(world: World) -> int:
    """An open-ended pool with a daily valuation for a few years: a slow snapshot."""
    c = world.container
    pool = c.pools.create_pool(
        world.manager, open_pool(minimum_subscription="0.00", inception_date="2021-01-04")
    ).id
    investors = [
        world.investor_profile(world.investor),
        world.investor_profile(world.other_investor, name="Bo"),
    ]
    start = date(2021, 1, 4)
    rows: list[dict[str, object]] = [
        {
            "type": "subscription",
            "investor_id": investors[0],
            "amount": "1000000.00",
            "effective_date": start,
        },
        {"type": "subscription", "investor_id": investors[1], "amount": "500000.00", "effective_date": start},
        {"type": "purchase", "amount": "1400000.00", "effective_date": start},
    ]
    nav = Decimal("1500000.00")
    for day in range(1, HISTORY_DAYS):
        nav = (nav * (Decimal("1.0003") if day % 3 else Decimal("0.9995"))).quantize(Decimal("0.01"))
        rows.append({"type": "valuation", "amount": str(nav), "effective_date": start + timedelta(days=day)})
    for chunk in range(0, len(rows), 500):
        c.transactions.record_batch(world.manager, pool, rows[chunk : chunk + 500], f"history-{pool}-{chunk}")
    return pool


def _worker(env: dict[str, str], queue: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "app.py", "worker", "--pool", "solo", "--concurrency", "1", "--queue", queue],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_for(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


def _snapshot_rows(url: str, pool_id: int) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            pools = conn.execute(
                text("SELECT COUNT(*) FROM reports_pool_snapshots WHERE pool_id = :p"), {"p": pool_id}
            ).scalar_one()
            positions = conn.execute(
                text("SELECT COUNT(*) FROM reports_position_snapshots WHERE pool_id = :p"), {"p": pool_id}
            ).scalar_one()
            return int(pools), int(positions)
    finally:
        engine.dispose()


def test_a_worker_killed_mid_snapshot_loses_nothing(
    stack: tuple[Container, dict[str, str]], tmp_path: Path
) -> None:
    container, env = stack
    world = make_world(container)
    pool = _long_history(world)
    app = container.celery
    queue = f"pools-crash-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    today = date.today().isoformat()
    result = celery_app.snapshot_pool.apply_async((pool, today), queue=queue)

    first = _worker(env, queue, log)
    try:
        # Killed the moment it takes the task: replaying ~1,500 entries takes seconds, so the
        # worker is inside the task, its message delivered and not yet acknowledged.
        assert _wait_for(lambda: result.id in log.read_text(errors="replace"), 60), log.read_text()
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert _snapshot_rows(env["DATABASE_URL"], pool) == (0, 0), "the kill came too late to test anything"

    second = _worker(env, queue, log)
    try:
        # The unacknowledged message went back to the queue when the first worker's
        # connection died; the second worker runs it to the end.
        assert result.get(timeout=120)["computed"] is True
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(30)
    stored = container.snapshots.pool_performance(pool, date.fromisoformat(today))
    assert stored is not None and stored.pool_id == pool
    # What the API answers is the worker's snapshot (the report service reads it when current).
    assert container.reports.pool_performance(world.manager, pool, as_of=date.fromisoformat(today)) == stored
    assert _snapshot_rows(env["DATABASE_URL"], pool) == (1, 2)  # once, with both investors
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)
