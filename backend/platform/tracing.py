"""OpenTelemetry spans for every process: one tracer provider per process, and the spans of a
request or a task made as OTel spans whose ids are the ones trace_context makes current (so a
log line's trace_id and span_id are the exported span's, one source of truth).

`configure(service)` sets the provider once per process (`service.name` = the process's
service, as the logs name it). With OTEL_EXPORTER_OTLP_ENDPOINT set, a batch processor sends
spans to that collector by OTLP/HTTP; without it the spans of requests and tasks are still made
(the logs carry real ids) and dropped, and SQL statements make none (db_tracing). Sampling
is the SDK's default (parent-based, always on), overridable by the standard
OTEL_TRACES_SAMPLER variables.

A new transport (gRPC) calls `begin_span` with the incoming traceparent and `SpanKind.SERVER`,
and puts `current_traceparent()` in its outgoing metadata; nothing else changes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import Token
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags

from backend.platform import trace_context
from backend.platform.trace_context import Span, TraceParent

OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"
_TRACER_NAME = "investment-pools"
_AttributeValue = str | int | float | bool

_provider: TracerProvider | None = None
_tracer: trace.Tracer | None = None
_exported = False


def configure(service: str, endpoint: str | None = None) -> TracerProvider:
    """The process's tracer provider (made once; a second call returns the first)."""
    global _provider, _exported  # noqa: PLW0603 - one provider per process, set at start-up
    if _provider is None:
        target = endpoint if endpoint is not None else os.environ.get(OTLP_ENDPOINT)
        _provider = build_provider(service, target)
        _exported = bool(target)
        trace.set_tracer_provider(_provider)
    return _provider


def add_processor(processor: SpanProcessor) -> None:
    """Send this process's spans to `processor` as well (a test's in-memory exporter)."""
    global _exported  # noqa: PLW0603 - a process-wide switch, like the provider
    provider().add_span_processor(processor)
    _exported = True


def exported() -> bool:
    """Whether a span finished now reaches anything. A leaf span nobody receives (a SQL
    statement's: its ids are in no log line) is not made: it cost about a tenth of the
    Python of a statement, 17 of them in a subscription (bench/api_write.py)."""
    return _exported


def build_provider(service: str, endpoint: str | None) -> TracerProvider:
    """A provider naming `service`, exporting by OTLP only when `endpoint` is set."""
    made = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    if endpoint:
        made.add_span_processor(otlp_processor(endpoint))
    return made


def otlp_processor(endpoint: str) -> SpanProcessor:
    # Imported here: a process without a collector never loads the exporter's HTTP stack.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    base = endpoint.rstrip("/")
    return BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{base}/v1/traces"))


def provider() -> TracerProvider:
    """The configured provider, or one without an exporter for a process that never called
    `configure` (a test, a script): its spans still have real ids for the logs."""
    return (
        _provider if _provider is not None else configure(os.environ.get("SERVICE_NAME", "investment-pools"))
    )


def tracer() -> trace.Tracer:
    """The process's tracer, made once: a statement's span must not pay for making it."""
    global _tracer  # noqa: PLW0603 - one tracer per process, made on first use
    if _tracer is None:
        _tracer = provider().get_tracer(_TRACER_NAME)
    return _tracer


def _parent_context(parent: TraceParent | None) -> Context | None:
    if parent is None:
        return None
    span_context = SpanContext(
        trace_id=int(parent.trace_id, 16),
        span_id=int(parent.parent_id, 16),
        is_remote=True,
        trace_flags=TraceFlags(int(parent.flags, 16)),
    )
    return trace.set_span_in_context(NonRecordingSpan(span_context))


def current_parent() -> TraceParent | None:
    """This process's current span as a parent (None outside any request or task)."""
    span = trace_context.current_span()
    return TraceParent(span.trace_id, span.span_id, span.flags) if span is not None else None


@dataclass
class OpenSpan:
    """A span begun by `begin_span`; `end_span` closes it and restores the previous one."""

    otel: trace.Span
    token: Token[Span | None]


def begin_span(
    name: str,
    parent: TraceParent | None,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, _AttributeValue] | None = None,
) -> OpenSpan:
    """Start an OTel span, a child of `parent` (else the root of a new trace), and make its
    ids the current ones for logs, SQL spans and outgoing traceparents."""
    otel = tracer().start_span(name, context=_parent_context(parent), kind=kind, attributes=attributes)
    ids = otel.get_span_context()
    token = trace_context.enter_span(Span(f"{ids.trace_id:032x}", f"{ids.span_id:016x}", _flags(ids)))
    return OpenSpan(otel, token)


def end_span(span: OpenSpan, attributes: Mapping[str, _AttributeValue] | None = None) -> None:
    if attributes:
        span.otel.set_attributes(dict(attributes))
    trace_context.leave_span(span.token)
    span.otel.end()


@contextmanager
def span(
    name: str,
    parent: TraceParent | None,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, _AttributeValue] | None = None,
) -> Iterator[OpenSpan]:
    opened = begin_span(name, parent, kind, attributes)
    try:
        yield opened
    finally:
        end_span(opened)


def child_span(name: str, kind: SpanKind, attributes: Mapping[str, _AttributeValue]) -> trace.Span:
    """A leaf span of the current one (a SQL statement, a publish), not made current: the
    caller ends it. Outside a request or task it is the root of its own trace."""
    return tracer().start_span(
        name, context=_parent_context(current_parent()), kind=kind, attributes=attributes
    )


def _flags(ids: SpanContext) -> str:
    """Only the sampled bit: the SDK also sets W3C level 2's "random" bit, which a version-00
    reader (and our logs' traceparent) does not expect."""
    return trace_context.SAMPLED if ids.trace_flags.sampled else "00"


def traceparent_of(otel: trace.Span) -> str:
    ids = otel.get_span_context()
    return trace_context.format_traceparent(f"{ids.trace_id:032x}", f"{ids.span_id:016x}", _flags(ids))
