"""Traces of the real app (backend/platform/tracing.py): a request is one server span named by
its route template, its statements are SQL spans under it in the same trace, without a bound
value, and a task it runs continues that trace. Spans are read from the SDK's in-memory
exporter attached to this process's provider."""

from __future__ import annotations

import uuid

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from backend.composition import celery_app
from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform import tracing
from backend.platform.actors import Role
from backend.platform.config import load_settings
from tests.integration import auth_support, portal_support
from tests.integration.portal_support import Portal, login


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
