"""Whose and which request a log line is: W3C trace context over HTTP and into Celery tasks
(eager, and a real worker over RabbitMQ), the authenticated user on a request's lines.

The app is the real server (create_app) over the `container` fixture's database; one extra
route queues a task of this module's own, as a page or an API operation would."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import before_task_publish
from flask import Flask, Response, jsonify, request
from flask.testing import FlaskClient

from backend.composition import celery_app
from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform.actors import Role
from backend.platform.config import load_settings
from backend.platform.observability import JsonFormatter
from backend.platform.trace_context import current_span, current_span_id, current_trace_id, parse_traceparent
from tests.conftest import AMQP_URL, KNOWN_SECRETS, REDIS_URL, secrets_in
from tests.integration import auth_support, payments_support, portal_support
from tests.integration.portal_support import Portal, login

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"
HEX32, HEX16 = re.compile(r"[0-9a-f]{32}"), re.compile(r"[0-9a-f]{16}")

TASK_LOG = logging.getLogger("tests.log_context.task")


@celery_app.celery.task(name="tests.log_context.log_the_trace", bind=True)  # type: ignore[untyped-decorator]
def log_the_trace(self: Any) -> dict[str, str | None]:
    TASK_LOG.info("inside the task")
    headers = self.request.headers or {}
    return {
        "received": headers.get("traceparent"),
        "trace_id": current_trace_id(),
        "span_id": current_span_id(),
    }


def _queue_a_task() -> Response:
    queue = request.args.get("queue")
    result = log_the_trace.apply_async(queue=queue) if queue else log_the_trace.delay()
    return jsonify({"task_id": result.id})


class Lines(logging.Handler):
    """The lines of the loggers it is put on, as the platform writes them."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))

    def of(self, logger: str) -> list[dict[str, Any]]:
        return [line for line in self.lines if line["logger"] == logger]


@pytest.fixture
def lines() -> Iterator[Lines]:
    """The request lines ("http") and the task's, caught on their own loggers: a Celery
    worker starting in this process replaces the root logger's handlers."""
    handler = Lines()
    loggers = [logging.getLogger("http"), TASK_LOG]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield handler
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def _server(container: Container) -> Flask:
    server = create_app(container)
    server.add_url_rule("/test/queue-a-task", "test_queue_a_task", _queue_a_task)
    return server


@pytest.fixture
def app(container: Container) -> Flask:
    return _server(container)


def _signed_in(portal: Portal) -> tuple[FlaskClient, int]:
    """A browser signed in to the portal as a new investor, and that investor's user id."""
    email = f"investor-{uuid.uuid4().hex[:8]}@portal.test"
    user_id = auth_support.create_user(
        portal.container, email, Role.INVESTOR, password=portal_support.PASSWORD
    )
    client = portal.client()
    assert login(client, email).status_code == 303
    return client, user_id


def _span_of(response: Any) -> tuple[str, str]:
    parent = parse_traceparent(response.headers.get("traceparent"))
    assert parent is not None, response.headers
    return parent.trace_id, parent.parent_id


# -- HTTP ---------------------------------------------------------------------------------


def test_a_request_continues_the_callers_trace_in_a_span_of_its_own(app: Flask, lines: Lines) -> None:
    client = app.test_client()
    first = client.get("/healthz", headers={"traceparent": TRACEPARENT})
    second = client.get("/healthz", headers={"traceparent": TRACEPARENT})
    assert first.status_code == second.status_code == 200
    spans = [_span_of(first), _span_of(second)]
    assert [trace for trace, _ in spans] == [TRACE_ID, TRACE_ID]
    first_span, second_span = (span for _, span in spans)
    assert first_span != second_span and PARENT_ID not in (first_span, second_span)
    assert HEX16.fullmatch(first_span) and HEX32.fullmatch(first.headers["X-Request-ID"])
    logged = lines.of("http")
    assert [(line["trace_id"], line["span_id"]) for line in logged] == [
        (TRACE_ID, first_span),
        (TRACE_ID, second_span),
    ]
    assert logged[0]["request_id"] == first.headers["X-Request-ID"]
    assert first.headers["traceparent"] == f"00-{TRACE_ID}-{first_span}-01"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "garbage",
        f"00-{TRACE_ID.upper()}-{PARENT_ID}-01",
        f"00-{'0' * 32}-{PARENT_ID}-01",
        f"00-{TRACE_ID}-{PARENT_ID}-01-extra",
        f"ff-{TRACE_ID}-{PARENT_ID}-01",
        f"00-{TRACE_ID}-{PARENT_ID}",
    ],
)
def test_a_missing_or_malformed_traceparent_starts_a_new_trace(
    app: Flask, lines: Lines, header: str | None
) -> None:
    client = app.test_client()
    headers = {"traceparent": header} if header is not None else {}
    responses = [client.get("/healthz", headers=headers) for _ in range(2)]
    assert [r.status_code for r in responses] == [200, 200]  # never an error
    spans = [_span_of(r) for r in responses]
    traces = [trace for trace, _ in spans]
    assert TRACE_ID not in traces and traces[0] != traces[1] and all(HEX32.fullmatch(t) for t in traces)
    assert [(line["trace_id"], line["span_id"]) for line in lines.of("http")] == spans


def test_an_api_request_names_the_user_its_token_belongs_to(
    container: Container, app: Flask, lines: Lines
) -> None:
    user_id = auth_support.create_user(container, "ana@example.com")
    client = app.test_client()
    issued = client.post(
        "/api/v1/auth/token", json={"email": "ana@example.com", "password": auth_support.PASSWORD}
    )
    access = issued.get_json()["access_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})
    assert me.status_code == 200 and me.get_json()["id"] == user_id
    refused = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token-at-all"})
    assert refused.status_code == 401
    after = client.get("/healthz")
    assert after.status_code == 200
    by_route = [(line["route"], line["status"], line["user_id"]) for line in lines.of("http")]
    assert by_route == [
        ("/api/v1/auth/token", 200, None),  # credentials, not yet a user, when the request began
        ("/api/v1/me", 200, user_id),
        ("/api/v1/me", 401, None),
        ("/healthz", 200, None),  # the user went with the request that named them
    ]


def test_a_portal_session_names_its_user_on_each_request(container: Container, lines: Lines) -> None:
    portal = Portal(_server(container), container)
    client, user_id = _signed_in(portal)
    assert client.get("/_dash-layout").status_code == 200
    logged = {(line["route"], line["method"]): line["user_id"] for line in lines.of("http")}
    assert logged[("/login", "POST")] == user_id  # from the moment the password was accepted
    assert logged[("/_dash-layout", "GET")] == user_id
    assert logged[("/login", "GET")] is None


# -- Celery ---------------------------------------------------------------------------------


def test_an_eager_task_run_from_a_request_logs_the_requests_trace(container: Container, lines: Lines) -> None:
    celery_app.configure(container.settings)  # the embedded default: tasks run in the caller
    assert celery_app.celery.conf.task_always_eager is True
    portal = Portal(_server(container), container)
    client, user_id = _signed_in(portal)
    response = client.get("/test/queue-a-task", headers={"traceparent": TRACEPARENT})
    assert response.status_code == 200
    trace, request_span = _span_of(response)
    [task_line] = lines.of(TASK_LOG.name)
    assert task_line["trace_id"] == TRACE_ID == trace
    assert HEX16.fullmatch(task_line["span_id"]) and task_line["span_id"] not in (request_span, PARENT_ID)
    assert task_line["user_id"] == user_id  # eager: still inside the signed-in request
    request_line = lines.of("http")[-1]
    assert (request_line["route"], request_line["span_id"]) == ("/test/queue-a-task", request_span)
    assert current_span() is None  # nothing of the request or the task outlives them


@pytest.mark.parametrize("backend_name", ["sqlite"])
def test_a_worker_runs_a_task_in_the_trace_of_the_request_that_queued_it(
    container: Container, lines: Lines
) -> None:
    settings = load_settings(
        CELERY_BROKER_URL=AMQP_URL, REDIS_URL=REDIS_URL, VAR_DIR=str(container.settings.var_dir)
    )
    broker_container = Container(settings, db=container.db, cache=container.cache)
    celery_app.bind(broker_container)
    app = celery_app.celery
    queue = f"pools-test-{uuid.uuid4().hex[:8]}"  # a queue of our own: no other run's messages
    published: list[dict[str, Any]] = []

    def keep_headers(headers: dict[str, Any] | None = None, **_: Any) -> None:
        if headers and headers.get("task") == log_the_trace.name:
            published.append(dict(headers))

    before_task_publish.connect(keep_headers, weak=False)
    try:
        portal = Portal(_server(broker_container), broker_container)
        client, _ = _signed_in(portal)
        with start_worker(
            app,
            queues=[queue],
            perform_ping_check=False,
            pool="threads",
            loglevel="WARNING",
            shutdown_timeout=30,
        ):
            response = client.get(f"/test/queue-a-task?queue={queue}", headers={"traceparent": TRACEPARENT})
            assert response.status_code == 200
            ran = log_the_trace.AsyncResult(response.get_json()["task_id"]).get(timeout=30)
    finally:
        before_task_publish.disconnect(keep_headers)
        celery_app.configure(load_settings())  # leave the process-wide app as the embedded default
    trace, request_span = _span_of(response)
    # The message carried the request's trace; the task's parent is the producer span of the
    # queuing (a child of the request's span, backend/composition/celery_app.py) ...
    [headers] = published
    parent = parse_traceparent(headers["traceparent"])
    assert parent is not None and parent.trace_id == TRACE_ID
    assert parent.parent_id not in (request_span, PARENT_ID)
    assert ran["received"] == headers["traceparent"]
    # ... and the worker's line of that task is in the same trace, in a span of its own.
    [task_line] = lines.of(TASK_LOG.name)
    assert task_line["trace_id"] == trace == TRACE_ID == ran["trace_id"]
    assert task_line["span_id"] == ran["span_id"] and task_line["span_id"] not in (request_span, PARENT_ID)
    assert task_line["user_id"] is None  # a worker authenticates nobody


# -- the leak guard's list keeps up with the helpers ------------------------------------------


def test_the_leak_guard_knows_the_helpers_secrets() -> None:
    for password in (auth_support.PASSWORD, portal_support.PASSWORD):
        assert any(known in password for known in KNOWN_SECRETS), password
    assert secrets_in(payments_support.WEBHOOK_SECRET)
