"""JSON logs carrying the service, request, trace, span and user ids; Prometheus request metrics.

The request id comes from the X-Request-ID header (nginx sets one) or is generated, is
echoed back on the response, and rides a context variable into every log line and audit
event of that request. The trace follows W3C Trace Context (backend/platform/trace_context.py):
an incoming `traceparent` header's trace id is kept, each request is a new span of it, and
the response's `traceparent` names that span. The user id is set where the request is
authenticated (`bind_user_id`). No line carries a secret (backend/platform/redaction.py).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from backend.platform import trace_context, tracing
from backend.platform.redaction import redact_fields, scrub_text
from backend.platform.trace_context import TRACEPARENT

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
_user_id: ContextVar[int | None] = ContextVar("user_id", default=None)
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

SERVICE_NAME_VARIABLE = "SERVICE_NAME"
DEFAULT_SERVICE = "app"
_service: str | None = None

CONTEXT_FIELDS = ("service", "request_id", "trace_id", "span_id", "user_id")
"""What every line carries beside ts, level, logger and msg (null when there is none). An
event's own field of the same name is written as `event_<name>`, never over these."""

# Attributes every LogRecord has; anything else was passed through `extra=` and is logged.
# The context is stamped on as request_id and private attributes (`extra={"user_id": ...}`
# must stay allowed: logging refuses an extra that overwrites an attribute).
_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
}


def current_request_id() -> str | None:
    return _request_id.get()


def current_client_ip() -> str | None:
    return _client_ip.get()


def current_user_id() -> int | None:
    return _user_id.get()


@contextmanager
def call_context(request_id: str | None, user_id: int | None) -> Iterator[None]:
    """A call served outside Flask (a gRPC method) under its caller's request id and user: its
    log lines carry them as the request's own lines do."""
    request_token, user_token = _request_id.set(request_id), _user_id.set(user_id)
    try:
        yield
    finally:
        _request_id.reset(request_token)
        _user_id.reset(user_token)


def bind_user_id(user_id: int | None) -> None:
    """Name the authenticated user on every later log line of this request. Call it where
    a request's credentials resolve to a user; the request's end (install_request_context)
    puts the previous value back."""
    _user_id.set(user_id)


def _stamp_request_context() -> None:
    """Stamp each record with the request's ids when it is created, not when it is
    formatted: a handler may format it later, outside the request."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_stamps_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = _request_id.get()
        span = trace_context.current_span()
        record._trace_id = span.trace_id if span else None
        record._span_id = span.span_id if span else None
        record._user_id = _user_id.get()
        return record

    factory._stamps_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


_stamp_request_context()


def logging_service() -> str:
    """The process's role as its log lines name it: what setup_logging was given, else the
    SERVICE_NAME environment variable, else "app"."""
    return _service or os.environ.get(SERVICE_NAME_VARIABLE) or DEFAULT_SERVICE


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, the context (CONTEXT_FIELDS), then
    the event's own fields. Secrets are redacted on the way out (backend/platform/redaction.py).

    `service` names the process; by default the one setup_logging configured."""

    def __init__(self, service: str | None = None) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": scrub_text(record.getMessage()),
            "service": self._service or logging_service(),
            "request_id": getattr(record, "request_id", None),
            "trace_id": getattr(record, "_trace_id", None),
            "span_id": getattr(record, "_span_id", None),
            "user_id": getattr(record, "_user_id", None),
        }
        extras = {
            f"event_{key}" if key in CONTEXT_FIELDS else key: value
            for key, value in vars(record).items()
            if key not in _RECORD_FIELDS and not key.startswith("_")
        }
        entry.update(redact_fields(extras))
        if record.exc_info:
            entry["exc"] = scrub_text(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


class StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes each record to the sys.stdout of the moment it is emitted.

    A plain StreamHandler keeps the stream it was given; when that stream is later
    replaced and closed (a test's captured output, a redirected CLI run), a server
    thread still logging to it fails on every record, and printing that failure's
    traceback from a second thread is itself unsafe on Python 3.11.
    """

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, _value: Any) -> None:
        # The stream is always the current sys.stdout; logging's own setStream has nothing to keep.
        pass


def setup_logging(level: str = "INFO", service: str | None = None) -> None:
    """Every log line of this process as one JSON object on stdout, at `level` and above.

    `service` is the process's role as its lines name it ("web", "worker", "relay" ...);
    without one, the SERVICE_NAME environment variable, else "app"."""
    global _service  # noqa: PLW0603 - one name per process, set at start-up
    _service = service or os.environ.get(SERVICE_NAME_VARIABLE) or DEFAULT_SERVICE
    handler = StdoutHandler()
    handler.setFormatter(JsonFormatter(_service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # werkzeug's own access lines duplicate ours and are not JSON.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # The one place a process's tracer provider is made, under the same service name.
    tracing.configure(_service)


class RequestMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency by route template",
            ["route", "method"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )

        self._read_when_scraped: list[Collector] = []

    def read_when_scraped(self, collector: Collector) -> None:
        """Add a collector whose figures are read at each scrape (from the database, say),
        not kept in this process: the same answer from every worker."""
        self._read_when_scraped.append(collector)
        if not shared_metrics_dir():
            self.registry.register(collector)

    def exposition(self) -> Response:
        body = metrics_exposition(self.registry, self._read_when_scraped)
        return Response(body, mimetype=CONTENT_TYPE_LATEST)


SHARED_METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"
"""prometheus-client's multiprocess mode: set before it is imported, every metric of every
process is kept in files in that directory (app.py serve sets it for its workers)."""


def shared_metrics_dir() -> str | None:
    return os.environ.get(SHARED_METRICS_DIR) or None


def metrics_exposition(own: CollectorRegistry, read_when_scraped: list[Collector]) -> bytes:
    """What /metrics answers. Under gunicorn's several workers (shared_metrics_dir set) every
    worker's counters, summed from the shared directory, whichever worker is asked; the
    per-process collector (CPU, memory of one worker) has no meaning there and is left out.
    In one process, the app's own registry (a second app in one process, as in tests, starts
    from zero) and the process-wide default one (the aggregate cache, the process)."""
    if shared_metrics_dir():
        every_worker = CollectorRegistry()
        multiprocess.MultiProcessCollector(every_worker)  # type: ignore[no-untyped-call]
        for collector in read_when_scraped:
            every_worker.register(collector)
        return generate_latest(every_worker)
    return generate_latest(own) + generate_latest(REGISTRY)


def install_request_context(app: Flask, metrics: RequestMetrics) -> None:
    log = logging.getLogger("http")

    @app.before_request
    def _begin() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_id = rid
        g.request_started = time.perf_counter()
        # The caller's trace if its traceparent parses, else a new one; this request is a
        # new span of it either way. No user until the request's credentials name one.
        # The span is an OpenTelemetry server span (backend/platform/tracing.py) named by the
        # route template; its ids are the ones the logs carry.
        route = request.url_rule.rule if request.url_rule else "unmatched"
        opened = tracing.begin_span(
            f"{request.method} {route}",
            trace_context.parse_traceparent(request.headers.get(TRACEPARENT)),
            SpanKind.SERVER,
            {"http.request.method": request.method, "http.route": route},
        )
        span = trace_context.current_span()
        g.request_span = span
        g.request_otel_span = opened
        g.request_tokens = (
            _request_id.set(rid),
            _client_ip.set(request.remote_addr),
            _user_id.set(None),
        )

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        span = g.get("request_span")
        if span is not None:
            response.headers[TRACEPARENT] = span.traceparent()
        started = g.get("request_started")
        # Label by route template, never the raw path: ids in paths would explode cardinality.
        route = request.url_rule.rule if request.url_rule else "unmatched"
        opened = g.get("request_otel_span")
        if opened is not None:
            opened.otel.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                opened.otel.set_status(Status(StatusCode.ERROR))
        if started is not None:
            elapsed = time.perf_counter() - started
            metrics.requests.labels(route, request.method, str(response.status_code)).inc()
            metrics.latency.labels(route, request.method).observe(elapsed)
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "client": request.remote_addr,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
        return response

    @app.teardown_request
    def _reset(_exc: BaseException | None) -> None:
        tokens = g.pop("request_tokens", None)
        opened = g.pop("request_otel_span", None)
        if opened is not None:
            tracing.end_span(opened)
        if tokens:
            request_id, client_ip, user = tokens
            _user_id.reset(user)
            _client_ip.reset(client_ip)
            _request_id.reset(request_id)
