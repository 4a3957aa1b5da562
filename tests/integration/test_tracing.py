"""Traces of the real app (backend/platform/tracing.py): a request is one server span named by
its route template, its statements are SQL spans under it in the same trace, without a bound
value, and a task it runs continues that trace, as do its calls to other services over gRPC
and the events it writes: through the outbox, the relay's publish to RabbitMQ, the consumers
and the snapshot task a real worker runs. Spans are read from the SDK's in-memory exporter
attached to this process's provider."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pika
import pytest
from celery.contrib.testing.worker import start_worker
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from backend.composition import celery_app
from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform import tracing
from backend.platform.actors import Role
from backend.platform.config import load_settings
from ledger.interface import LedgerEvent
from ledger.outbox import DatabaseOutboxRelay, RabbitPublisher, amqp_url
from notifications import amqp
from sql.migrate import upgrade
from tests.conftest import AMQP_URL, REDIS_URL
from tests.integration import auth_support, portal_support
from tests.integration.auth_support import use_cheap_argon2
from tests.integration.pools_support import Api, World, make_world, open_pool
from tests.integration.portal_support import Portal, login
from tests.integration.rpc_support import over_grpc

GRPC_SERVICES = ("pools", "investors", "users")


def _values(span: ReadableSpan) -> list[str]:
    return [str(value) for value in (span.attributes or {}).values()]


def test_a_sign_in_is_one_trace_of_its_server_span_and_its_statements(
    container: Container, spans: InMemorySpanExporter
) -> None:
    email = f"investor-{uuid.uuid4().hex[:8]}@portal.test"
    auth_support.create_user(container, email, Role.INVESTOR, password=portal_support.PASSWORD)
    client = Portal(create_app(container), container).client()
    spans.clear()

    assert login(client, email).status_code == 303

    finished = spans.get_finished_spans()
    [server] = [span for span in finished if span.kind is SpanKind.SERVER and span.name == "POST /login"]
    assert server.attributes is not None
    assert (
        server.attributes["http.route"] == "/login" and server.attributes["http.response.status_code"] == 303
    )
    assert server.context is not None
    statements = [
        span
        for span in finished
        if span.kind is SpanKind.CLIENT
        and span.parent is not None
        and span.parent.span_id == server.context.span_id
    ]
    assert statements, "the sign-in's statements are spans under its server span"
    for statement in statements:
        assert statement.context is not None and statement.context.trace_id == server.context.trace_id
        assert statement.attributes is not None
        assert statement.attributes["db.system"] == container.db.primary.dialect.name
        sql = str(statement.attributes["db.statement"])
        assert statement.attributes["db.operation"] == sql.split(maxsplit=1)[0].upper()
    # The sign-in's statements bind the email and the password's hash: neither is in a span.
    assert any("email" in str((s.attributes or {}).get("db.statement", "")) for s in statements)
    for span in finished:
        for value in _values(span):
            assert email not in value and portal_support.PASSWORD not in value


def test_a_task_run_in_a_request_continues_its_trace(
    container: Container, spans: InMemorySpanExporter
) -> None:
    celery_app.bind(container)  # the embedded default: tasks run eagerly, in the caller's span
    spans.clear()
    try:
        with tracing.span("GET /test", None, SpanKind.SERVER) as request_span:
            celery_app.purge_expired_idempotency_keys.delay()
    finally:
        celery_app.configure(load_settings())  # leave the process-wide app as the embedded default

    finished = spans.get_finished_spans()
    [run] = [span for span in finished if span.kind is SpanKind.CONSUMER]
    request_context = request_span.otel.get_span_context()
    assert run.name == f"run {celery_app.purge_expired_idempotency_keys.name}"
    assert run.context is not None and run.context.trace_id == request_context.trace_id
    assert run.parent is not None and run.parent.span_id == request_context.span_id
    # The task's own statements hang under its run, in the same trace.
    under_run = [s for s in finished if s.parent is not None and s.parent.span_id == run.context.span_id]
    assert under_run and all(s.kind is SpanKind.CLIENT for s in under_run)


@pytest.fixture
def broker_world(tmp_path: Path) -> Iterator[World]:
    """A database of its own (a worker thread commits to it) and a container with RabbitMQ as
    its broker and Redis as its result store, as `app.py serve` and `app.py worker` build it,
    reaching the pools, investors and users services over gRPC, as the deployed gateway does."""
    url = f"sqlite:///{tmp_path / 'traces.sqlite3'}"
    upgrade(url)
    settings = load_settings(
        DATABASE_URL=url, CELERY_BROKER_URL=AMQP_URL, REDIS_URL=REDIS_URL, VAR_DIR=str(tmp_path / "var")
    )
    container = Container(settings)
    with pytest.MonkeyPatch.context() as patch, over_grpc(container, GRPC_SERVICES):
        use_cheap_argon2(patch)
        try:
            yield make_world(container)
        finally:
            celery_app.configure(load_settings())
            container.db.dispose()


def _until(done: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds:.0f} s"
        time.sleep(0.1)


def test_a_subscription_is_one_trace_from_the_api_to_the_snapshot_task(
    broker_world: World, spans: InMemorySpanExporter
) -> None:
    """POST a subscription (its checks ask the pools and investors services over gRPC); the
    relay publishes its events to RabbitMQ; the notification consumer takes them off a queue;
    the snapshot task the relay schedules runs on a real Celery worker over RabbitMQ. Every
    one of those is a span of the request's trace."""
    c = broker_world.container
    suffix = uuid.uuid4().hex[:8]
    task_queue, exchange, events_queue = (
        f"pools-trace-{suffix}",
        f"test.ledger.{suffix}",
        f"test.notify.{suffix}",
    )
    c.celery.conf.task_default_queue = task_queue
    url = amqp_url(AMQP_URL)
    assert url is not None
    api = Api(broker_world)
    manager = api.headers("manager")
    pool = c.pools.create_pool(broker_world.manager, open_pool(minimum_subscription="0.00")).id
    investor = broker_world.named_investor(f"Trace holder {suffix}")

    publisher = RabbitPublisher(url, exchange=exchange)
    publisher.declare()
    setup = pika.BlockingConnection(pika.URLParameters(url))
    # Bound before anything is published (the consumer declares the same on connect).
    amqp.declare(setup.channel(), events_queue, ["entry.committed"], exchange)
    consumed: list[LedgerEvent] = []

    def consume(event: LedgerEvent) -> None:
        c.notification_consumer(event)
        consumed.append(event)

    stop = threading.Event()
    consumer = threading.Thread(
        target=amqp.consume,
        args=(url, consume, ["entry.committed"], stop),
        kwargs={"queue": events_queue, "exchange": exchange},
        daemon=True,
    )
    consumer.start()
    relay = DatabaseOutboxRelay(c.db, publisher, on_published=c.schedule_snapshots)
    spans.clear()
    try:
        answer = api.client.post(
            f"/api/v1/pools/{pool}/transactions",
            headers={**manager, "Idempotency-Key": str(uuid.uuid4())},
            json={
                "type": "subscription",
                "investor_id": investor,
                "amount": "25000.00",
                "effective_date": "2025-01-02",
            },
        )
        assert answer.status_code == 201, answer.get_data(as_text=True)
        with start_worker(
            c.celery,
            queues=[task_queue],
            perform_ping_check=False,
            pool="threads",
            loglevel="WARNING",
            shutdown_timeout=30,
        ):
            assert relay.drain() >= 1
            _until(lambda: bool(consumed), "the consumer's delivery")
            _until(lambda: c.snapshots.pool_performance(pool, date.today()) is not None, "the snapshot")
            _until(
                lambda: any(
                    s.name == f"run {celery_app.snapshot_pool.name}" for s in spans.get_finished_spans()
                ),
                "the snapshot task's span",
            )
    finally:
        stop.set()
        consumer.join(10)
        publisher.close()
        cleanup = setup.channel()
        cleanup.queue_delete(task_queue)
        for name in (events_queue, f"{events_queue}.dead", f"{exchange}.unrouted"):
            cleanup.queue_delete(name)
        for name in (exchange, f"{events_queue}.dead", f"{exchange}.unrouted"):
            cleanup.exchange_delete(name)
        setup.close()

    finished = spans.get_finished_spans()
    by_id = {s.context.span_id: s for s in finished if s.context is not None}

    def parent_of(span: ReadableSpan) -> ReadableSpan:
        assert span.parent is not None, f"{span.name} has no parent"
        return by_id[span.parent.span_id]

    [server] = [s for s in finished if s.kind is SpanKind.SERVER and s.name.startswith("POST /api/v1/pools")]
    assert server.context is not None
    trace_id = server.context.trace_id
    # The relay ran outside any request, yet published each event as a child of the request.
    published = [s for s in finished if s.kind is SpanKind.PRODUCER and s.name == "publish entry.committed"]
    assert [parent_of(s) for s in published] == [server]
    # The notification consumer's span hangs under that publish, and its statements under it.
    [delivered] = [s for s in finished if s.kind is SpanKind.CONSUMER and s.name == f"process {events_queue}"]
    assert parent_of(delivered) is published[0]
    assert consumed[0].traceparent is not None and f"{trace_id:032x}" in consumed[0].traceparent
    # The snapshot: scheduled under the publish, queued (a Celery producer span), run by the worker.
    [scheduled] = [s for s in finished if s.name == "schedule snapshot"]
    assert parent_of(scheduled) in published
    [queued] = [
        s
        for s in finished
        if s.kind is SpanKind.PRODUCER and s.name == f"publish {celery_app.snapshot_pool.name}"
    ]
    assert parent_of(queued) is scheduled
    [run] = [
        s
        for s in finished
        if s.kind is SpanKind.CONSUMER and s.name == f"run {celery_app.snapshot_pool.name}"
    ]
    assert parent_of(run) is queued
    assert run.context is not None
    computed = [s for s in finished if s.parent is not None and s.parent.span_id == run.context.span_id]
    assert any(s.kind is SpanKind.CLIENT for s in computed), "the snapshot's statements are spans of its run"
    # The gRPC hops inside the request: each call a client span of the request's trace, the
    # service's server span under it, and the service's statements under that.
    calls = [
        s for s in finished if s.kind is SpanKind.CLIENT and (s.attributes or {}).get("rpc.system") == "grpc"
    ]
    in_request = [s for s in calls if s.context is not None and s.context.trace_id == trace_id]
    assert {(s.attributes or {}).get("rpc.service") for s in in_request} >= {
        "investment_pools.pools.v1.PoolService",
        "investment_pools.investors.v1.InvestorService",
    }, sorted(s.name for s in calls)
    hops = []
    for call in in_request:
        assert call.context is not None
        [answered] = [
            s
            for s in finished
            if s.kind is SpanKind.SERVER and s.parent is not None and s.parent.span_id == call.context.span_id
        ]
        assert answered.name == call.name
        hops += [call, answered]
    assert any(
        s.kind is SpanKind.CLIENT and "db.system" in (s.attributes or {}) and parent_of(s) in hops
        for s in finished
    ), "a service's statements are spans under its server span"
    chain = [server, *published, delivered, scheduled, queued, run, *computed, *hops]
    assert {s.context.trace_id for s in chain if s.context is not None} == {trace_id}
