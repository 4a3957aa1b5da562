"""The parts of tracing (backend/platform/tracing.py, backend/platform/db_tracing.py): a SQL span
holds the statement with its placeholders, never a bound value; the OTLP exporter is set up
only when an endpoint is; a queued task's traceparent names a producer span of the caller's
trace; the logs' ids are the OTel span's."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import create_engine, text

from backend.composition import celery_app
from backend.platform import db_tracing, trace_context, tracing
from backend.platform.trace_context import TRACEPARENT, TraceParent

ACCOUNT_NUMBER = "GB29NWBK60161331926819"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"



def _processors(provider: TracerProvider) -> list[object]:
    return list(provider._active_span_processor._span_processors)  # what was attached


def test_a_sql_span_has_the_statement_but_never_a_bound_value(spans: InMemorySpanExporter) -> None:
    engine = create_engine("sqlite://")
    db_tracing.instrument(engine)
    with tracing.span("POST /api/investors", None, SpanKind.SERVER) as request_span, engine.connect() as conn:
        conn.execute(text("SELECT :account AS account"), {"account": ACCOUNT_NUMBER}).scalar_one()
    [statement] = [span for span in spans.get_finished_spans() if span.kind is SpanKind.CLIENT]
    assert statement.attributes is not None
    assert statement.attributes["db.system"] == "sqlite"
    assert statement.attributes["db.operation"] == "SELECT"
    assert statement.attributes["db.statement"] == "SELECT ? AS account"
    assert all(ACCOUNT_NUMBER not in str(value) for value in statement.attributes.values())
    assert statement.parent is not None
    assert statement.parent.span_id == request_span.otel.get_span_context().span_id


def test_a_statement_outside_any_request_or_task_makes_no_span(spans: InMemorySpanExporter) -> None:
    engine = create_engine("sqlite://")
    db_tracing.instrument(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
    assert [span for span in spans.get_finished_spans() if span.kind is SpanKind.CLIENT] == []


def test_statements_make_no_span_while_no_span_is_exported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing would receive it: not worth its Python on every statement."""
    made: list[str] = []
    real_child_span = tracing.child_span

    def counted(name: str, *rest: Any) -> Any:
        made.append(name)
        return real_child_span(name, *rest)

    monkeypatch.setattr(tracing, "child_span", counted)
    engine = create_engine("sqlite://")
    db_tracing.instrument(engine)
    for exported in (False, True):
        monkeypatch.setattr(tracing, "_exported", exported)
        with tracing.span("GET /api/pools", None, SpanKind.SERVER), engine.connect() as conn:
            conn.execute(text("SELECT 1")).scalar_one()
        assert len(made) == (1 if exported else 0)
        made.clear()


def test_the_otlp_exporter_is_set_up_only_when_an_endpoint_is() -> None:
    without = tracing.build_provider("web", None)
    assert _processors(without) == []
    assert without.resource.attributes["service.name"] == "web"
    with_endpoint = tracing.build_provider("worker", "http://127.0.0.1:4318")
    [processor] = _processors(with_endpoint)
    assert isinstance(processor, BatchSpanProcessor)
    assert with_endpoint.resource.attributes["service.name"] == "worker"
    with_endpoint.shutdown()


def test_a_span_continues_an_incoming_trace_and_its_ids_are_the_logs(spans: InMemorySpanExporter) -> None:
    with tracing.span("GET /api/pools", TraceParent(TRACE_ID, PARENT_ID), SpanKind.SERVER) as opened:
        current = trace_context.current_span()
        ids = opened.otel.get_span_context()
        assert current is not None
        assert current.trace_id == TRACE_ID == f"{ids.trace_id:032x}"
        assert current.span_id == f"{ids.span_id:016x}"
    assert trace_context.current_span() is None
    [finished] = spans.get_finished_spans()
    assert finished.parent is not None and f"{finished.parent.span_id:016x}" == PARENT_ID


def test_a_queued_task_carries_a_producer_span_of_the_callers_trace(spans: InMemorySpanExporter) -> None:
    headers: dict[str, object] = {}
    with tracing.span("POST /api/subscriptions", None, SpanKind.SERVER) as request_span:
        celery_app._carry_trace(headers=headers, sender="reports.tasks.snapshot_pool")
    [publish] = [span for span in spans.get_finished_spans() if span.kind is SpanKind.PRODUCER]
    assert publish.name == "publish reports.tasks.snapshot_pool"
    assert publish.context is not None and publish.parent is not None
    assert publish.parent.span_id == request_span.otel.get_span_context().span_id
    carried = trace_context.parse_traceparent(str(headers[TRACEPARENT]))
    assert carried == TraceParent(f"{publish.context.trace_id:032x}", f"{publish.context.span_id:016x}")
