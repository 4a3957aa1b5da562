"""The operational metrics as a scrape shows them after a known workload:

* the database's statements and pool use (backend/platform/db_metrics.py) on MariaDB, in a
  process of its own: the statement counts are exactly what was run, the pool's in-use
  gauge what is checked out; and under `app.py serve` (two gunicorn workers, multiprocess
  mode) the pool sizes are summed over both workers;
* Celery's queue depth (backend/composition/queue_metrics.py) read from the real RabbitMQ:
  a queue of the test's own holds exactly the messages the test published; a broker that
  does not answer is a reader down; `app.py beat` serves the reading on its metrics port;
* the books' last verification (ledger/verify_metrics.py): a run's time, result and entries
  appear, and a broken balance turns the result to 0;
* each Dash callback's requests (backend/composition/callback_metrics.py): a callback's
  counter moves by one per call, a made-up one is "other".
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pika
import pytest
from sqlalchemy import text

from backend.composition import celery_app
from backend.composition.container import Container
from backend.composition.metrics_server import MetricsServer
from backend.composition.queue_metrics import QueueDepth, broker_queue_metrics, read_queue_depths
from backend.composition.web import create_app
from backend.platform.actors import Role
from backend.platform.config import load_settings
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import UnitOfWork
from ledger.interface import TransactionRequest
from ledger.outbox import amqp_url
from tests.conftest import AMQP_URL
from tests.integration.pools_support import make_world, open_pool
from tests.integration.portal_support import ROUTING_OUTPUT, csrf_cookie, login, make_portal, routing_callback
from tests.integration.replication import free_port
from tests.integration.served_app import ROOT, get, migrate_embedded, serve_app, stop_app
from tests.promql import exposition_samples

DEADLINE = 120.0  # seconds: gunicorn workers and beat load the whole app on a busy machine


def _scrape(container: Container) -> dict[str, float]:
    return exposition_samples(create_app(container).test_client().get("/metrics").get_data(as_text=True))


def _until(what: str, check: Callable[[], Any], log: Path | None = None) -> Any:
    deadline = time.monotonic() + DEADLINE
    while True:
        got = check()
        if got:
            return got
        detail = log.read_text() if log is not None and log.exists() else ""
        assert time.monotonic() < deadline, f"never saw {what}\n{detail}"
        time.sleep(0.2)


# -- the database ------------------------------------------------------------------------------


# Run in a process of its own, so that nothing else of the test session (a thread another
# test left running) moves the figures: it prints the scrape while 4 connections are
# checked out, then the scrape after its statements.
_WORKLOAD = """
import sys
from prometheus_client import REGISTRY, generate_latest
from sqlalchemy import text
from backend.platform.db import Database

db = Database(sys.argv[1])
held = [db.primary.connect() for _ in range(4)]
for connection in held:
    connection.execute(text("SELECT 1"))
    connection.execute(text("SELECT COUNT(*) FROM ledger_verify_runs"))
sys.stdout.write(generate_latest(REGISTRY).decode() + "\\n--\\n")
for connection in held:
    connection.close()
with db.primary_reader_session() as session:
    session.execute(text("SELECT 1"))
try:
    with db.primary.connect() as connection:
        connection.execute(text("SELECT * FROM no_such_table"))
except Exception:
    pass
sys.stdout.write(generate_latest(REGISTRY).decode())
db.dispose()
"""


def test_statements_and_pool_use_on_mariadb_show_in_the_scrape(migrated_urls: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _WORKLOAD, migrated_urls["mariadb"]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    holding, after = (exposition_samples(part) for part in done.stdout.split("\n--\n"))
    assert holding['db_pool_connections_in_use{engine="primary"}'] == 4
    assert holding['db_pool_saturation_ratio{engine="primary"}'] == 4 / 15
    assert after['db_pool_connections_in_use{engine="primary"}'] == 0
    assert after['db_query_duration_seconds_count{engine="primary",statement="select"}'] == 9  # 8, 1 failed
    assert after['db_query_errors_total{engine="primary",statement="select"}'] == 1
    assert after['db_query_duration_seconds_count{engine="primary_reads",statement="select"}'] == 1
    assert after['db_query_duration_seconds_count{engine="primary",statement="insert"}'] == 0
    # The pool's bounds as the engine has them (SQLAlchemy's defaults: 5 and 10).
    assert after['db_pool_size_connections{engine="primary"}'] == 5
    assert after['db_pool_max_overflow_connections{engine="primary"}'] == 10


def test_a_served_apps_workers_sum_their_pools_in_one_scrape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`app.py serve` with two workers (multiprocess mode): each worker's engines are sized
    in its own process, and a scrape from either sums both (livesum)."""
    migrate_embedded(tmp_path, monkeypatch)
    port = free_port()
    proc = serve_app(tmp_path, port, None)
    try:
        base = f"http://127.0.0.1:{port}"

        def both_workers() -> dict[str, float] | None:
            samples = exposition_samples(get(f"{base}/metrics"))
            return samples if samples.get('db_pool_size_connections{engine="primary"}') == 10 else None

        samples = _until("both workers' pools", both_workers, tmp_path / "serve.log")
        assert samples['db_pool_max_overflow_connections{engine="primary"}'] == 20  # 10 each
        assert 'db_pool_saturation_ratio{engine="primary"}' in samples  # the most saturated worker's
        before = samples['db_query_duration_seconds_count{engine="primary",statement="select"}']
        get(f"{base}/readyz")  # its database check is a SELECT on the primary
        after = exposition_samples(get(f"{base}/metrics"))
        assert after['db_query_duration_seconds_count{engine="primary",statement="select"}'] > before
    finally:
        stop_app(proc)


# -- Celery's queues ---------------------------------------------------------------------------


@pytest.fixture
def private_queue() -> Iterator[str]:
    """A queue of the test's own on the shared RabbitMQ, deleted after: no other run's messages."""
    name = f"pools-depth-{uuid.uuid4().hex[:8]}"
    yield name
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url(AMQP_URL) or AMQP_URL))
    connection.channel().queue_delete(name)
    connection.close()


def _publish(queue: str, count: int) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url(AMQP_URL) or AMQP_URL))
    try:
        channel = connection.channel()
        channel.confirm_delivery()  # each publish is on the queue when it returns
        channel.queue_declare(queue, durable=False, auto_delete=False)
        for n in range(count):
            channel.basic_publish("", queue, f"message {n}".encode())
    finally:
        connection.close()


def _scrape_port(port: int) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
        return exposition_samples(answer.read().decode())


def test_the_depth_of_a_queue_is_the_messages_published_to_it(private_queue: str) -> None:
    missing = f"{private_queue}-never-declared"
    # Neither exists yet: a passive declare of each is refused, and each holds nothing.
    assert read_queue_depths(AMQP_URL, [private_queue, missing]) == {
        private_queue: QueueDepth(0, 0),
        missing: QueueDepth(0, 0),
    }
    _publish(private_queue, 7)
    conf = type("Conf", (), {"task_default_queue": private_queue, "task_queues": None})()
    server = MetricsServer("127.0.0.1", 0, None, [broker_queue_metrics(AMQP_URL, conf)])
    try:
        scraped = _scrape_port(server.port)
        assert scraped[f'celery_queue_messages_ready{{queue="{private_queue}"}}'] == 7
        assert scraped[f'celery_queue_consumers{{queue="{private_queue}"}}'] == 0
        assert scraped["celery_queue_reader_up"] == 1
        _publish(private_queue, 3)
        assert _scrape_port(server.port)[f'celery_queue_messages_ready{{queue="{private_queue}"}}'] == 10
    finally:
        server.close()
    depths = read_queue_depths(AMQP_URL, [private_queue, missing])
    assert depths[missing].ready == 0 and depths[private_queue].ready == 10


def test_a_broker_that_does_not_answer_is_a_reader_down() -> None:
    dead = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    conf = type("Conf", (), {"task_default_queue": "pools", "task_queues": None})()
    server = MetricsServer("127.0.0.1", 0, None, [broker_queue_metrics(dead, conf)])
    try:
        scraped = _scrape_port(server.port)
    finally:
        server.close()
    assert scraped["celery_queue_reader_up"] == 0
    assert not any(series.startswith("celery_queue_messages_ready") for series in scraped)


def test_beat_serves_the_queue_reading_on_its_metrics_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beat is the one process that reads the depth; here its broker is a port nothing
    listens on (so it schedules nothing onto the shared RabbitMQ): the reading says so."""
    migrate_embedded(tmp_path, monkeypatch)
    port = free_port()
    log = tmp_path / "beat.log"
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var"), "LOG_LEVEL": "WARNING"}
    for name in ("DATABASE_URL", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR", "METRICS_PORT"):
        env.pop(name, None)
    env["CELERY_BROKER_URL"] = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    with log.open("wb") as out:
        beat = subprocess.Popen(
            [sys.executable, "app.py", "beat", "--metrics-port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:

        def scraped() -> dict[str, float] | None:
            assert beat.poll() is None, log.read_text()
            try:
                return _scrape_port(port)
            except OSError:
                return None

        body = _until("beat's metrics", scraped, log)
        assert body["celery_queue_reader_up"] == 0
    finally:
        stop_app(beat)


# -- the books' verification -------------------------------------------------------------------


def _forget_verify_runs(container: Container) -> None:
    """No run before the test's own, whatever another test of the session committed (the
    fixture's transaction is rolled back after the test, this with it)."""
    with UnitOfWork(container.db) as unit:
        unit.session.execute(text("DELETE FROM ledger_verify_runs"))
        unit.commit()


def test_a_verify_runs_result_appears_in_the_scrape(container: Container) -> None:
    world = make_world(container)
    pool = container.pools.create_pool(world.manager, open_pool(minimum_subscription="0.00")).id
    subscription = {
        "type": "subscription",
        "investor_id": world.investor_profile(world.investor),
        "amount": "1000.00",
        "effective_date": "2025-01-02",
    }
    container.transactions.record(
        world.manager, pool, TransactionRequest.model_validate(subscription), str(uuid.uuid4())
    )
    _forget_verify_runs(container)
    never = _scrape(container)
    assert never["ledger_verify_last_run_timestamp_seconds"] == 0
    assert "ledger_verify_last_run_ok" not in never

    started = utcnow().replace(microsecond=0)
    report = container.ledger.verify()
    assert report.ok and report.entries > 0
    verified = _scrape(container)
    assert verified["ledger_verify_last_run_ok"] == 1
    assert verified["ledger_verify_last_run_entries"] == report.entries
    assert verified["ledger_verify_last_run_breaks"] == 0
    assert verified["ledger_verify_last_run_timestamp_seconds"] >= started.timestamp()

    # One pool's run is recorded but is not the books' verification: the gauges stay.
    assert container.ledger.verify(pool).ok
    assert _scrape(container)["ledger_verify_last_run_entries"] == report.entries

    with UnitOfWork(container.db) as unit:  # a DBA's hand on a balance
        unit.session.execute(
            text("UPDATE ledger_balances SET balance = balance + 1 WHERE pool_id = :pool"), {"pool": pool}
        )
        unit.commit()
    broken = container.ledger.verify()
    assert not broken.ok
    scraped = _scrape(container)
    assert scraped["ledger_verify_last_run_ok"] == 0
    assert scraped["ledger_verify_last_run_breaks"] == broken.breaks >= 1


# -- Dash callbacks ----------------------------------------------------------------------------


def test_a_callbacks_counter_moves_by_one_per_call(container: Container) -> None:
    portal = make_portal(container)
    client = portal.client()
    login(client, portal.email(Role.MANAGER))
    routing = f'dash_callbacks_total{{callback="{ROUTING_OUTPUT}",status="200"}}'
    timed = f'dash_callback_duration_seconds_count{{callback="{ROUTING_OUTPUT}"}}'

    def scrape() -> dict[str, float]:
        return exposition_samples(client.get("/metrics").get_data(as_text=True))

    def call(body: dict[str, Any]) -> int:
        headers = {"X-CSRFToken": csrf_cookie(client)}
        return client.post("/_dash-update-component", json=body, headers=headers).status_code

    before = scrape()
    assert call(routing_callback("/")) == 200
    once = scrape()
    assert once[routing] == before.get(routing, 0) + 1
    assert once[timed] == before.get(timed, 0) + 1
    assert call(routing_callback("/")) == 200
    assert scrape()[routing] == before.get(routing, 0) + 2

    # An output the portal never registered: whatever Dash answers, the label is "other",
    # not the made-up name.
    made_up = {**routing_callback("/"), "output": f"made-up-{uuid.uuid4().hex}.children"}
    status = call(made_up)
    unknown = f'dash_callbacks_total{{callback="other",status="{status}"}}'
    after = scrape()
    assert not any("made-up-" in series for series in after)
    assert after[unknown] == before.get(unknown, 0) + 1


def test_beat_verifies_the_books_daily_at_the_configured_hour(container: Container, tmp_path: Path) -> None:
    """The schedule has the verification at LEDGER_VERIFY_HOUR_UTC; the task (eager here, the
    embedded default) records a run that the scrape shows."""
    settings = load_settings(VAR_DIR=str(tmp_path / "var"), LEDGER_VERIFY_HOUR_UTC="5")
    bound = Container(settings, db=container.db, cache=container.cache)
    celery_app.bind(bound)
    try:
        entry = celery_app.celery.conf.beat_schedule["ledger-verify"]
        assert entry["task"] == "ledger.tasks.verify_books"
        assert entry["schedule"].hour == {5} and entry["schedule"].minute == {40}
        _forget_verify_runs(container)
        assert _scrape(bound)["ledger_verify_last_run_timestamp_seconds"] == 0
        result = celery_app.verify_books.delay().get()
        assert result["ok"] == 1 and result["breaks"] == 0
        scraped = _scrape(bound)
        assert scraped["ledger_verify_last_run_entries"] == result["entries"]
        assert (
            scraped["ledger_verify_last_run_ok"] == 1
            and scraped["ledger_verify_last_run_timestamp_seconds"] > 0
        )
    finally:
        celery_app.configure(load_settings())  # the process-wide app as the embedded default


def test_the_verify_hour_is_checked_by_name() -> None:
    with pytest.raises(ValueError, match="LEDGER_VERIFY_HOUR_UTC"):
        load_settings(LEDGER_VERIFY_HOUR_UTC="24")
