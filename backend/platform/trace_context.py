"""W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header, new
trace and span ids, and the context variables every log line of a request or task reads.

`traceparent` is `<version>-<trace id>-<parent span id>-<flags>`: 2, 32, 16 and 2 lowercase
hex digits, for example `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`. A header
that does not parse is ignored (the caller starts a new trace), never an error.

Pure: no framework here. The Flask hooks (backend/platform/observability.py) and the Celery
signals (backend/composition/celery_app.py) set and reset these variables.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

TRACEPARENT = "traceparent"
"""The header's name (HTTP headers and Celery message headers alike)."""

SAMPLED = "01"
"""Flags for a trace started here: every request and task is logged, so it is recorded."""

_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")
_INVALID_TRACE_ID = "0" * 32
_INVALID_SPAN_ID = "0" * 16


@dataclass(frozen=True)
class TraceParent:
    trace_id: str
    parent_id: str
    flags: str = SAMPLED


@dataclass(frozen=True)
class Span:
    """Where this process is in a trace: the trace and this unit of work's own span."""

    trace_id: str
    span_id: str
    flags: str = SAMPLED

    def traceparent(self) -> str:
        """The header a call made from inside this span carries (this span is its parent)."""
        return format_traceparent(self.trace_id, self.span_id, self.flags)


def new_trace_id() -> str:
    while True:
        trace_id = secrets.token_hex(16)
        if trace_id != _INVALID_TRACE_ID:
            return trace_id


def new_span_id() -> str:
    while True:
        span_id = secrets.token_hex(8)
        if span_id != _INVALID_SPAN_ID:
            return span_id


def parse_traceparent(header: str | None) -> TraceParent | None:
    """The header's trace, or None when it is absent or malformed (then start a new trace).

    Version 00 has exactly four fields; a later version may append more, which are ignored
    (the specification asks a version-00 reader to parse what it knows). Version ff, all-zero
    ids and upper-case hex are invalid."""
    if not header:
        return None
    match = _TRACEPARENT.match(header.strip())
    if match is None:
        return None
    version, trace_id, parent_id, flags, rest = match.groups()
    if version == "ff" or (version == "00" and rest is not None):
        return None
    if trace_id == _INVALID_TRACE_ID or parent_id == _INVALID_SPAN_ID:
        return None
    return TraceParent(trace_id, parent_id, flags)


def format_traceparent(trace_id: str, span_id: str, flags: str = SAMPLED) -> str:
    return f"00-{trace_id}-{span_id}-{flags}"


def child_of(parent: TraceParent | None) -> Span:
    """A new span in the caller's trace, or the first span of a new trace."""
    if parent is None:
        return Span(new_trace_id(), new_span_id())
    return Span(parent.trace_id, new_span_id(), parent.flags)


_span: ContextVar[Span | None] = ContextVar("trace_span", default=None)


def current_span() -> Span | None:
    return _span.get()


def current_trace_id() -> str | None:
    span = _span.get()
    return span.trace_id if span else None


def current_span_id() -> str | None:
    span = _span.get()
    return span.span_id if span else None


def current_traceparent() -> str | None:
    """The current span as a `traceparent` value, for work that continues it later or elsewhere
    (an outbox event, an outgoing call); None outside any request or task."""
    span = _span.get()
    return span.traceparent() if span else None


def enter_span(span: Span) -> Token[Span | None]:
    """Make `span` current; hand the token back to `leave_span` when the work ends."""
    return _span.set(span)


def leave_span(token: Token[Span | None]) -> None:
    _span.reset(token)


@contextmanager
def span_of(parent: TraceParent | None) -> Iterator[Span]:
    """Run a block as a new span (a child of `parent`, or the root of a new trace)."""
    span = child_of(parent)
    token = enter_span(span)
    try:
        yield span
    finally:
        leave_span(token)
