"""A client span per SQL statement, from the engine's own events (not the SQLAlchemy
instrumentation package, which declares `sqlalchemy<2.1`): db.system, the operation and the
statement text as SQLAlchemy sends it, with its `%s` placeholders. Parameters are never read:
a bound value (an account number, a token) must not reach a trace.

Kept apart from the statement metrics (backend/platform/db_metrics.py): each listens to the
same events for its own purpose.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import Engine, event

from backend.platform import trace_context, tracing
from backend.platform.db_metrics import first_keyword

_SPAN_KEY = "db_tracing_spans"
_MAX_STATEMENT = 2000
"""Long IN lists would make huge attributes; the head names the statement well enough."""


def operation_of(statement: str) -> str:
    return first_keyword(statement).upper() or "SQL"


def instrument(engine: Engine) -> None:
    """Trace this engine's statements run inside a request or task (a statement outside any
    span, a pool's ping or a relay's poll, makes no trace of its own), while spans are
    exported (tracing.exported): unexported, a statement's span would be dropped unread."""
    system = engine.dialect.name

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
        if trace_context.current_span() is None or not tracing.exported():
            return
        operation = operation_of(statement)
        span = tracing.child_span(
            f"{operation} {engine.url.database or system}",
            SpanKind.CLIENT,
            {
                "db.system": system,
                "db.operation": operation,
                "db.name": engine.url.database or "",
                "db.statement": statement[:_MAX_STATEMENT],
            },
        )
        conn.info.setdefault(_SPAN_KEY, []).append(span)

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, *_: Any) -> None:
        spans = conn.info.get(_SPAN_KEY)
        if spans:
            spans.pop().end()

    @event.listens_for(engine, "handle_error")
    def _error(context: Any) -> None:
        spans = context.connection.info.get(_SPAN_KEY) if context.connection is not None else None
        if spans:
            span = spans.pop()
            span.set_status(Status(StatusCode.ERROR, type(context.original_exception).__name__))
            span.end()
