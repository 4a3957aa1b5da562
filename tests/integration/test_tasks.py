"""Celery: eager in the embedded default, a real worker over RabbitMQ with Redis results."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker

from backend.composition import celery_app
from backend.composition.container import Container
from backend.platform.actors import Actor
from backend.platform.cache import InProcessCache
from backend.platform.config import load_settings
from backend.platform.db import Database
from backend.platform.orm import utcnow
from sql.migrate import upgrade
from tests.conftest import AMQP_URL, REDIS_URL
from tests.ledger_entries import PostEntryRequest, post_entry

OPERATOR = Actor.operator("tasks-test")


@pytest.fixture
def sqlite_container(tmp_path: Path) -> Iterator[Container]:
    url = f"sqlite:///{tmp_path / 'tasks.sqlite3'}"
    upgrade(url)
    db = Database(url, positions=InProcessCache())
    container = Container(load_settings(VAR_DIR=str(tmp_path / "var")), db=db, cache=InProcessCache())
    yield container
    celery_app.configure(load_settings())  # leave the process-wide app as the embedded default
    db.dispose()


def _post_with_key(container: Container, key: str) -> None:
    request = PostEntryRequest.model_validate(
        {
            "pool_id": 1,
            "currency": "USD",
            "entry_type": "income",
            "effective_date": "2025-01-02",
            "postings": [{"account": "cash", "amount": "1.00"}, {"account": "income", "amount": "-1.00"}],
        }
    )
    post_entry(container.ledger, OPERATOR, request, key)


def test_the_embedded_default_runs_tasks_eagerly(sqlite_container: Container) -> None:
    celery_app.bind(sqlite_container)
    assert celery_app.celery.conf.task_always_eager is True
    _post_with_key(sqlite_container, "k-1")
    # Nothing has expired yet: the purge keeps the key.
    assert celery_app.purge_expired_idempotency_keys.delay().get() == 0


def test_a_real_worker_over_rabbitmq_returns_results_through_redis(
    sqlite_container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(
        CELERY_BROKER_URL=AMQP_URL, REDIS_URL=REDIS_URL, VAR_DIR=str(sqlite_container.settings.var_dir)
    )
    sqlite_container.settings = settings
    celery_app.bind(sqlite_container)
    app = celery_app.celery
    queue = f"pools-test-{uuid.uuid4().hex[:8]}"  # a queue of our own: no other run's messages
    app.conf.task_default_queue = queue
    assert app.conf.task_always_eager is False
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    _post_with_key(sqlite_container, "k-2")
    # Make the key look older than its retention: the purge must remove exactly it.
    later = utcnow() + timedelta(days=2)
    monkeypatch.setattr(sqlite_container.ledger, "_clock", lambda: later)
    with start_worker(
        app, queues=[queue], perform_ping_check=False, pool="threads", loglevel="WARNING", shutdown_timeout=30
    ):
        result = celery_app.purge_expired_idempotency_keys.apply_async(queue=queue)
        assert result.get(timeout=30) == 1
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(queue)


def test_the_schedule_purges_auth_state_and_idempotency_keys(sqlite_container: Container) -> None:

    celery_app.bind(sqlite_container)
    schedule = {entry["task"] for entry in celery_app.celery.conf.beat_schedule.values()}
    assert {
        "backend.auth.tasks.purge_expired_auth_state",
        "ledger.tasks.purge_expired_idempotency_keys",
        "reports.tasks.snapshot_all_pools",
        "backend.payments.tasks.sweep",
        "backend.payments.tasks.reconcile_day",
        "backend.payments.tasks.send_reminders",
        "backend.payments.tasks.retry_gateway_attempts",
        "notifications.tasks.send_due_emails",
        "notifications.tasks.send_due_sms",
    } <= schedule
    # every scheduled task is registered once the worker has imported its task modules
    # (done here as a worker does at start, so the check does not depend on test order)
    celery_app.celery.loader.import_default_modules()
    assert schedule <= set(celery_app.celery.tasks)
    assert celery_app.purge_expired_auth_state.delay().get() == 0  # nothing has expired in a new database
