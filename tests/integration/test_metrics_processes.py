"""/metrics of the processes that serve no HTTP of their own (backend/composition/metrics_server.py):

* `app.py ledger relay --metrics-port P` on the embedded SQLite default counts the events it
  publishes (`ledger_events_published_total`), and a SIGTERM stops it (exit 0, port closed),
  as it stops beat and the consumers;
* `app.py worker` (METRICS_PORT, prefork pool, real RabbitMQ) counts the tasks its children
  ran, succeeded and failed (`celery_tasks_total`), in one scrape of the main process, even
  those of a child killed since;
* the relay's counters themselves, and the task counters when tasks run eagerly (the
  embedded default: in the app server's own process).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pika
import pytest
from celery import Celery
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from backend.composition import celery_app
from backend.composition.container import Container
from backend.platform.actors import Actor
from backend.platform.cache import InProcessCache
from backend.platform.config import load_settings
from backend.platform.db import Database
from backend.platform.unit_of_work import UnitOfWork
from ledger.interface import AccountCode, EntryType
from ledger.journal import DraftLine, EntryDraft
from ledger.models import OutboxEvent
from ledger.outbox import DatabaseOutboxRelay, EventBus, amqp_url
from ledger.service import DatabaseLedgerService
from sql.migrate import upgrade
from tests.conftest import AMQP_URL
from tests.integration.replication import free_port
from tests.integration.served_app import ROOT, migrate_embedded
from tests.ledger_entries import write_draft

OPERATOR = Actor.operator("metrics-processes-test")
POOL = 41
DEADLINE = 120.0  # seconds: a worker builds the portal before it consumes, on a busy machine too
PURGE = "ledger.tasks.purge_expired_idempotency_keys"
RECONCILE = "backend.payments.tasks.reconcile_day"  # fails on a date that is not one


def _draft(amount: str) -> EntryDraft:
    lines = (
        DraftLine(AccountCode.CASH, None, Decimal(amount)),
        DraftLine(AccountCode.INCOME, None, -Decimal(amount)),
    )
    return EntryDraft(POOL, "GBP", EntryType.INCOME, date(2026, 5, 1), "", lines, ())


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var"), "LOG_LEVEL": "WARNING"}
    for name in (
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "REDIS_URL",
        "PROMETHEUS_MULTIPROC_DIR",
        "METRICS_PORT",
    ):
        env.pop(name, None)
    env.update(extra)
    return env


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "app.py", *args], cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
        assert answer.headers["Content-Type"].startswith("text/plain")
        return str(answer.read().decode())


def _sample(body: str, name: str, **labels: str) -> float | None:
    """The value of one series in a scrape; None when it is not there. Labels in any order."""
    for line in body.splitlines():
        match = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)", line)
        if match and match[1] == name and dict(re.findall(r'(\w+)="([^"]*)"', match[2] or "")) == labels:
            return float(match[3])
    return None


def _until(what: str, check: Callable[[], Any], proc: subprocess.Popen[bytes], log: Path) -> Any:
    """Poll `check` until it answers something true; fail (with the process's log) if the
    process dies or the generous deadline passes first."""
    deadline = time.monotonic() + DEADLINE
    while True:
        try:
            got = check()
        except OSError:  # not listening yet
            got = None
        if got:
            return got
        assert proc.poll() is None, (
            f"the process exited ({proc.returncode}) before {what}:\n{log.read_text()}"
        )
        assert time.monotonic() < deadline, f"never saw {what}:\n{log.read_text()}"
        time.sleep(0.2)


def _stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
        raise


def _port_closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_the_relay_serves_the_count_of_what_it_publishes_and_stops_on_sigterm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate_embedded(tmp_path, monkeypatch)
    port = free_port()
    log = tmp_path / "relay.log"
    relay = _start(["ledger", "relay", "--metrics-port", str(port)], _env(tmp_path), log)
    db = Database(load_settings().primary_url)
    try:
        before = _until("the relay's metrics", lambda: _scrape(port), relay, log)
        assert _sample(before, "ledger_events_published_total") == 0.0
        assert _sample(before, "ledger_relay_batch_failures_total") == 0.0

        # Posted through the ledger service against the relay's SQLite file, with no
        # after-commit publishing of its own: what gets published, the relay publishes.
        ledger = DatabaseLedgerService(db)
        ledger.open_books(POOL, "GBP")
        write_draft(ledger, OPERATOR, _draft("10.00"), "relay-metrics-1")
        with UnitOfWork(db) as uow:
            events = uow.session.scalar(select(func.count()).select_from(OutboxEvent))
        assert events
        _until(
            f"{events} events published",
            lambda: _sample(_scrape(port), "ledger_events_published_total") == float(events),
            relay,
            log,
        )
        with UnitOfWork(db) as uow:
            unpublished = select(func.count()).where(OutboxEvent.published_at.is_(None))
            assert uow.session.scalar(unpublished) == 0
    finally:
        code = _stop(relay)
        db.dispose()
    assert code == 0, log.read_text()
    assert _port_closed(port)


@pytest.mark.parametrize(
    ("command", "running"),
    [
        # Beat takes SIGTERM as a stop once its scheduler exists: its first tick's debug line
        # (after "beat: Starting...", a SIGTERM makes Celery's stop handler build a second
        # scheduler while the first is still opening its schedule file, and beat exits 1).
        (["beat"], "beat: Ticking with max interval"),
        (["notifications", "consume"], None),  # their handlers are set before the server starts
        (["payments", "consume"], None),
    ],
    ids=["beat", "notifications", "payments"],
)
def test_beat_and_the_consumers_serve_their_metrics_and_stop_on_sigterm(
    command: list[str], running: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their metrics server is up before their broker is: here one that never answers (a port
    nothing listens on), which the consumers keep retrying and beat has not needed yet."""
    migrate_embedded(tmp_path, monkeypatch)
    port = free_port()
    log = tmp_path / "process.log"
    broker = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    env = _env(tmp_path, CELERY_BROKER_URL=broker, LOG_LEVEL="DEBUG" if running else "INFO")
    proc = _start([*command, "--metrics-port", str(port)], env, log)
    try:
        body = _until("its metrics", lambda: _scrape(port), proc, log)
        assert _sample(body, "process_start_time_seconds")  # its own process, not a shared directory's
        if running:
            _until(running, lambda: running in log.read_text(), proc, log)
    finally:
        code = _stop(proc)
    assert code == 0, log.read_text()
    assert _port_closed(port)


@pytest.fixture
def private_queue() -> Iterator[str]:
    """A queue of the test's own on the shared RabbitMQ: no other run's messages; deleted after."""
    name = f"pools-metrics-{uuid.uuid4().hex[:8]}"
    yield name
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url(AMQP_URL) or AMQP_URL))
    connection.channel().queue_delete(name)
    connection.close()


def _children(pid: int) -> set[int]:
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def _metrics_dir(pid: int) -> Path:
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    [named] = [item.split(b"=", 1)[1] for item in environ if item.startswith(b"PROMETHEUS_MULTIPROC_DIR=")]
    return Path(named.decode())


def _holding(port: int, pids: set[int]) -> set[int]:
    """Which of `pids` hold the socket listening on 127.0.0.1:`port` (an inherited copy too)."""
    inodes = {
        fields[9]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if (fields := line.split())[1].endswith(f":{port:04X}") and fields[3] == "0A"  # LISTEN
    }
    assert len(inodes) == 1, inodes
    held = f"socket:[{inodes.pop()}]"

    def holds(pid: int) -> bool:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == held:
                    return True
            except OSError:  # closed while we looked
                continue
        return False

    return {pid for pid in pids if holds(pid)}


def _counted_by(metrics_dir: Path, kind: str) -> set[int]:
    """The pids with a file of this kind of metric (counter, histogram) in the directory."""
    return {int(path.stem.rsplit("_", 1)[1]) for path in metrics_dir.glob(f"{kind}_*.db")}


def test_a_prefork_workers_children_count_into_one_scrape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, private_queue: str
) -> None:
    migrate_embedded(tmp_path, monkeypatch)
    port = free_port()
    log = tmp_path / "worker.log"
    env = _env(tmp_path, CELERY_BROKER_URL=AMQP_URL, METRICS_PORT=str(port))  # the variable, not the option
    worker = _start(["worker", "--pool", "prefork", "--concurrency", "2", "--queue", private_queue], env, log)
    sender = Celery("metrics-test", broker=AMQP_URL, set_as_current=False)

    def counted(body: str, task: str, outcome: str) -> float | None:
        return _sample(body, "celery_tasks_total", task=task, outcome=outcome)

    def shows(succeeded: int, failed: int) -> Callable[[], str | None]:
        def check() -> str | None:
            body = _scrape(port)
            right = (
                counted(body, PURGE, "succeeded") == succeeded
                and counted(body, RECONCILE, "failed") == failed
            )
            return body if right else None

        return check

    try:
        ready = _until("the worker's metrics, every task at 0", shows(0, 0), worker, log)
        assert counted(ready, PURGE, "failed") == 0.0  # registered tasks start at 0
        metrics_dir = _metrics_dir(worker.pid)  # made by the worker, which restarted itself with it
        for _ in range(4):
            sender.send_task(PURGE, queue=private_queue)
        for _ in range(2):
            sender.send_task(RECONCILE, args=("not-a-date",), queue=private_queue)
        body = _until("4 purges succeeded and 2 reconciliations failed", shows(4, 2), worker, log)
        assert _sample(body, "celery_task_duration_seconds_count", task=PURGE) == 4.0
        assert _sample(body, "celery_task_duration_seconds_count", task=RECONCILE) == 2.0
        # The runs were the children's: the main process observed none of them.
        ran = _counted_by(metrics_dir, "histogram")
        assert ran and worker.pid not in ran
        children = _children(worker.pid)
        assert ran <= children
        # The children closed their copy of the listening socket: it goes with the main process.
        assert _holding(port, {worker.pid, *children}) == {worker.pid}

        # Children killed outright: their counts are in their files, and still counted.
        for child in children:
            os.kill(child, signal.SIGKILL)
        _until(
            "new children",
            lambda: _children(worker.pid) and not _children(worker.pid) & children,
            worker,
            log,
        )
        sender.send_task(PURGE, queue=private_queue)
        _until("a fifth purge beside the killed children's four", shows(5, 2), worker, log)
    finally:
        code = _stop(worker)
    assert code == 0, log.read_text()
    assert _port_closed(port)
    assert not metrics_dir.exists()  # the worker's own directory, removed with it


# -- in one process ---------------------------------------------------------------------------


class _FailingAfter(EventBus):
    """Hands over `ok` events, then refuses the next one (a broker gone mid-batch)."""

    def __init__(self, ok: int) -> None:
        super().__init__()
        self.ok = ok

    def publish(self, event: Any) -> None:
        if self.ok == 0:
            raise ConnectionError("the broker went away")
        self.ok -= 1


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_the_relay_counts_events_once_marked_and_failed_batches(container: Container) -> None:
    ledger = DatabaseLedgerService(container.db)  # no after-commit hook: the relays below publish
    ledger.open_books(POOL, "GBP")
    for key in ("a", "b", "c"):
        write_draft(ledger, OPERATOR, _draft("1.00"), f"relay-counters-{key}")
    published, failures = _value("ledger_events_published_total"), _value("ledger_relay_batch_failures_total")

    with pytest.raises(ConnectionError):
        DatabaseOutboxRelay(container.db, _FailingAfter(ok=1)).run_once()
    # The one handed over before the failure is marked, and counted; the batch failed once.
    assert _value("ledger_events_published_total") == published + 1
    assert _value("ledger_relay_batch_failures_total") == failures + 1

    assert DatabaseOutboxRelay(container.db, EventBus()).drain() == 2
    assert _value("ledger_events_published_total") == published + 3
    assert _value("ledger_relay_batch_failures_total") == failures + 1


@pytest.fixture
def eager_container(tmp_path: Path) -> Iterator[Container]:
    url = f"sqlite:///{tmp_path / 'tasks.sqlite3'}"
    upgrade(url)
    db = Database(url, positions=InProcessCache())
    container = Container(load_settings(VAR_DIR=str(tmp_path / "var")), db=db, cache=InProcessCache())
    celery_app.bind(container)
    yield container
    celery_app.configure(load_settings())  # leave the process-wide app as the embedded default
    db.dispose()


def test_eager_tasks_are_counted_in_the_process_that_runs_them(eager_container: Container) -> None:
    assert celery_app.celery.conf.task_always_eager is True
    succeeded = _value("celery_tasks_total", task=PURGE, outcome="succeeded")
    failed = _value("celery_tasks_total", task=RECONCILE, outcome="failed")
    reconciled = _value("celery_tasks_total", task=RECONCILE, outcome="succeeded")
    timed = _value("celery_task_duration_seconds_count", task=PURGE)

    assert celery_app.purge_expired_idempotency_keys.delay().get() == 0
    with pytest.raises(ValueError, match="not-a-date"):
        celery_app.reconcile_payments.delay("not-a-date")

    assert _value("celery_tasks_total", task=PURGE, outcome="succeeded") == succeeded + 1
    assert _value("celery_tasks_total", task=RECONCILE, outcome="failed") == failed + 1
    assert _value("celery_tasks_total", task=RECONCILE, outcome="succeeded") == reconciled
    assert _value("celery_task_duration_seconds_count", task=PURGE) == timed + 1
