"""kill -9 of the payments consumer after its commit and before its acknowledgement, on real
RabbitMQ and MariaDB: the message comes back to the next consumer, and every capital call
still has exactly one payment request per investor; nothing is lost, nothing doubled.

The consumer runs in its own process. Its script pauses after the handler returned (the
requests committed) and before the acknowledgement, says so in a file, and is killed there:
the kill lands at that step by construction, not by timing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pika
from sqlalchemy import func, select

from backend.composition.container import Container
from backend.payments.consumer import EVENT_TYPES
from backend.payments.models import PaymentRequest
from backend.platform.cache import InProcessCache
from backend.platform.config import load_settings
from backend.platform.db import Database
from ledger.interface import LedgerEvent
from ledger.outbox import RabbitPublisher, amqp_url
from notifications import amqp
from sql.migrate import upgrade
from tests.conftest import AMQP_URL, mariadb_database_url
from tests.integration.pools_support import closed_pool, make_world

ROOT = Path(__file__).resolve().parents[2]
URL = amqp_url(AMQP_URL) or AMQP_URL
CALLS = 30

CONSUMER = """
import sys, threading, time
from pathlib import Path
from backend.composition.container import Container
from backend.platform.config import load_settings
from backend.payments.consumer import EVENT_TYPES
from notifications import amqp

url, queue, exchange, pause_after, paused = sys.argv[1:6]
container = Container(load_settings())
handled = 0

def handle(event):
    global handled
    container.payment_consumer(event)  # commits the requests
    handled += 1
    if handled == int(pause_after):
        Path(paused).write_text("committed, not acknowledged")
        time.sleep(600)  # killed here

amqp.consume(url, handle, EVENT_TYPES, threading.Event(), queue=queue, exchange=exchange, prefetch=5)
"""


def _eventually(condition: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_consumer_killed_between_commit_and_ack_loses_and_doubles_nothing(tmp_path: Path) -> None:
    url = mariadb_database_url("payments_consumer_crash")
    upgrade(url)
    settings = load_settings(DATABASE_URL=url, VAR_DIR=str(tmp_path / "var"))
    db = Database(url, positions=InProcessCache())
    c = Container(settings, db=db, cache=InProcessCache())
    exchange, queue = f"test.ledger.{uuid.uuid4().hex[:8]}", f"test.payments.{uuid.uuid4().hex[:8]}"
    connection = pika.BlockingConnection(pika.URLParameters(URL))
    workers: list[subprocess.Popen[bytes]] = []
    try:
        world = make_world(c)
        pool = c.pools.create_pool(world.manager, closed_pool()).id
        a = world.investor_profile(world.investor)
        b = world.investor_profile(world.other_investor, name="Bo Other")
        publisher = RabbitPublisher(URL, exchange=exchange)
        publisher.declare()
        amqp.declare(connection.channel(), queue, EVENT_TYPES, exchange)
        for i in range(CALLS):  # capital calls as the ledger's relay publishes them
            publisher.publish(
                LedgerEvent(
                    event_id=str(uuid.uuid4()),
                    event_type="capital_call.issued",
                    pool_id=pool,
                    entry_id=700_000 + i,
                    occurred_at=datetime.now(UTC),
                    payload={"due_date": "2025-03-31", "allocation": {str(a): "100.00", str(b): "50.00"}},
                )
            )
        publisher.close()

        def requests() -> int:
            with db.writer_session() as session:
                return int(session.scalar(select(func.count()).select_from(PaymentRequest)) or 0)

        env = {**os.environ, "DATABASE_URL": url, "VAR_DIR": str(tmp_path / "var")}
        env.pop("CELERY_BROKER_URL", None)
        paused = tmp_path / "paused"

        def start(pause_after: int) -> subprocess.Popen[bytes]:
            args = [URL, queue, exchange, str(pause_after), str(paused)]
            worker = subprocess.Popen(
                [sys.executable, "-c", CONSUMER, *args],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            workers.append(worker)
            return worker

        first = start(pause_after=7)
        assert _eventually(paused.exists), "the consumer never reached its pause"
        assert requests() == 7 * 2  # seven calls' requests committed; the seventh not acknowledged
        os.kill(first.pid, signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL

        start(pause_after=CALLS + 1)  # the next consumer: never pauses
        assert _eventually(lambda: requests() == CALLS * 2), requests()
        time.sleep(0.5)  # anything still redelivered would show up now
        with db.writer_session() as session:
            per_call = session.execute(
                select(PaymentRequest.source_entry_id, func.count()).group_by(PaymentRequest.source_entry_id)
            ).all()
        assert len(per_call) == CALLS and {n for _, n in per_call} == {2}
        amounts = {
            (r.investor_id, r.amount_due) for r in c.payments.list_requests(world.manager, pool_id=pool)
        }
        assert amounts == {(a, Decimal("100.00")), (b, Decimal("50.00"))}
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
        channel = connection.channel()
        channel.queue_delete(queue)
        channel.queue_delete(f"{queue}.dead")
        channel.exchange_delete(exchange)
        connection.close()
        db.dispose()
