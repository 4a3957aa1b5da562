"""The admin system page's Celery rows against a real RabbitMQ: the queue says how many
workers consume it, so the ping waits for that many replies and is not sent to nobody."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

from backend.composition import celery_app
from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform.cache import InProcessCache
from backend.platform.config import load_settings
from backend.platform.db import Database
from portal.admin.data import StatusRow, system_status
from sql.migrate import upgrade
from tests.conftest import AMQP_URL, REDIS_URL


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[tuple[Container, str]]:
    url = f"sqlite:///{tmp_path / 'status.sqlite3'}"
    upgrade(url)
    db = Database(url, positions=InProcessCache())
    settings = load_settings(CELERY_BROKER_URL=AMQP_URL, REDIS_URL=REDIS_URL, VAR_DIR=str(tmp_path / "var"))
    container = Container(settings, db=db, cache=InProcessCache())
    celery_app.bind(container)
    name = f"pools-status-{uuid.uuid4().hex[:8]}"  # a queue of our own: no other run's workers
    celery_app.celery.conf.task_default_queue = name
    try:
        yield container, name
    finally:
        with celery_app.celery.connection_for_write() as conn:
            conn.default_channel.queue_delete(name)
        celery_app.configure(load_settings())  # leave the process-wide app as the embedded default
        db.dispose()


def _celery_rows(container: Container) -> dict[str, StatusRow]:
    with create_app(container).app_context():
        rows = system_status()
    return {r.component: r for r in rows if r.component in ("celery workers", "queue depth")}


def _declare(name: str) -> None:
    with celery_app.celery.connection_for_write() as conn:
        conn.default_channel.queue_declare(queue=name, durable=True, auto_delete=False)


def test_a_consuming_worker_answers_and_is_counted(queue: tuple[Container, str]) -> None:
    container, name = queue
    with start_worker(
        celery_app.celery,
        queues=[name],
        perform_ping_check=False,
        pool="threads",
        loglevel="WARNING",
        shutdown_timeout=30,
    ):
        rows = _celery_rows(container)
    assert rows["celery workers"].state == "ok"
    assert rows["celery workers"].detail.startswith("1 answering: ")
    assert rows["queue depth"] == StatusRow("queue depth", "ok", f"{name}: 0 waiting, 1 consumers")


def test_a_queue_nobody_consumes_says_so_without_pinging(
    queue: tuple[Container, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    container, name = queue
    _declare(name)
    pinged: list[Any] = []

    def ping(**options: Any) -> list[Any]:
        pinged.append(options)
        return []

    monkeypatch.setattr(celery_app.celery.control, "ping", ping)
    rows = _celery_rows(container)
    assert pinged == []
    assert rows["celery workers"] == StatusRow("celery workers", "down", f"none consuming {name}")
    assert rows["queue depth"].detail == f"{name}: 0 waiting, 0 consumers"


def test_a_missing_queue_is_down_on_both_rows(queue: tuple[Container, str]) -> None:
    container, name = queue
    rows = _celery_rows(container)
    assert rows["celery workers"].state == rows["queue depth"].state == "down"
    assert f"cannot read the queue {name}" in rows["queue depth"].detail
