"""The database as Prometheus sees it: statement durations and connection pool use, per engine.

Attached where the engines are made (backend/platform/db.py, Database), through SQLAlchemy's
engine and pool events:

* ``db_query_duration_seconds{engine, statement}``: each statement's time on the wire and in
  the server, from ``before_cursor_execute`` to ``after_cursor_execute`` (or ``handle_error``,
  which also counts ``db_query_errors_total{engine, statement}``);
* ``db_pool_connections_in_use{engine}``: connections checked out of the pool now;
* ``db_pool_size_connections{engine}`` and ``db_pool_max_overflow_connections{engine}``: what
  the pool keeps open and how many more it may open under load; in use beyond their sum, a
  checkout waits (pool_timeout, 30 s) and then fails;
* ``db_pool_saturation_ratio{engine}``: in use over size plus overflow, in one process.

Labels are bounded: ``engine`` is the engine's role (ENGINES: the primary's writer, the
primary's autocommit readers, the replicas together), ``statement`` the statement's kind
(STATEMENTS, read from its first word). Never SQL text, a table or a parameter.

One write is a few dozen statements, so the hot path is a dictionary lookup, two clock reads
and one histogram observation per statement, and a gauge step per checkout and checkin; the
label children are made once per engine, not looked up per statement.

Under gunicorn's several workers or a Celery prefork pool (prometheus-client's multiprocess
mode) each process has its own pools: in use, size and overflow are summed over the live
processes of a scrape target (``livesum``: a worker that exits stops counting), and the
saturation ratio is the highest of any live process (``livemax``), because one worker whose
pool is exhausted makes its requests wait however idle the others are. A process has one
Database (its container's), whose engines say how large each role's pools are.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import Engine, event
from sqlalchemy.pool import QueuePool

PRIMARY = "primary"
PRIMARY_READS = "primary_reads"
REPLICA = "replica"
ENGINES = (PRIMARY, PRIMARY_READS, REPLICA)

SELECT = "select"
INSERT = "insert"
UPDATE = "update"
DELETE = "delete"
OTHER = "other"
STATEMENTS = (SELECT, INSERT, UPDATE, DELETE, OTHER)
_KINDS = {SELECT: SELECT, INSERT: INSERT, UPDATE: UPDATE, DELETE: DELETE}

QUERY_DURATION = Histogram(
    "db_query_duration_seconds",
    "Database statement duration by engine role (primary, primary_reads, replica) and statement kind.",
    ["engine", "statement"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
QUERY_ERRORS = Counter(
    "db_query_errors_total",
    "Database statements that raised, by engine role and statement kind.",
    ["engine", "statement"],
)
POOL_IN_USE = Gauge(
    "db_pool_connections_in_use",
    "Connections checked out of the pool now, by engine role (summed over live processes).",
    ["engine"],
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "db_pool_size_connections",
    "Connections the pool keeps open, by engine role (summed over live processes).",
    ["engine"],
    multiprocess_mode="livesum",
)
POOL_MAX_OVERFLOW = Gauge(
    "db_pool_max_overflow_connections",
    "Connections the pool may open beyond its size under load, by engine role (summed over live processes).",
    ["engine"],
    multiprocess_mode="livesum",
)
POOL_SATURATION = Gauge(
    "db_pool_saturation_ratio",
    "Connections in use over pool size plus overflow, by engine role: the highest of any live process.",
    ["engine"],
    multiprocess_mode="livemax",
)


def first_keyword(statement: str) -> str:
    """The statement's first word as sent ("" for none), read from its first 64 characters
    only (room for an indented text() statement): a bulk INSERT's text can be megabytes, and
    this runs for every statement."""
    words = statement[:64].split(None, 1)
    return words[0] if words else ""


def statement_kind(statement: str) -> str:
    """select, insert, update, delete or other, from the statement's first word."""
    return _KINDS.get(first_keyword(statement).lower(), OTHER)


@dataclass
class _Role:
    """This process's pools of one role: their capacity and what is checked out of them."""

    name: str
    capacity: int = 0
    in_use: int = 0
    durations: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Any] = field(default_factory=dict)
    checked_out: Any = None
    saturation: Any = None

    def __post_init__(self) -> None:
        # The labelled children, made once: a labels() lookup takes a lock and a dict probe.
        for kind in STATEMENTS:
            self.durations[kind] = QUERY_DURATION.labels(self.name, kind)
            self.errors[kind] = QUERY_ERRORS.labels(self.name, kind)
        self.checked_out = POOL_IN_USE.labels(self.name)
        self.saturation = POOL_SATURATION.labels(self.name)

    def step(self, by: int) -> None:
        self.in_use += by
        self.checked_out.inc(by)
        if self.capacity:
            self.saturation.set(self.in_use / self.capacity)


_roles: dict[str, _Role] = {}


def _role(name: str) -> _Role:
    if name not in ENGINES:
        raise ValueError(f"engine role {name!r} is not one of {', '.join(ENGINES)}")
    if name not in _roles:
        _roles[name] = _Role(name)
    return _roles[name]


def pool_capacity(engine: Engine) -> tuple[int, int] | None:
    """(size, max overflow) of a pool that has both; None for one without a bound (SQLite's
    single connection, an unlimited overflow)."""
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return None
    overflow = int(pool._max_overflow)  # no public reader; the constructor's argument
    return (pool.size(), overflow) if overflow >= 0 else None


def size_pools(role: str, engines: list[Engine]) -> None:
    """Say how large this process's pools of `role` are (all its engines of that role: every
    replica's, say). The Database that makes them calls it; the latest one made wins, which
    in a process that makes one Database is the one it uses."""
    found = _role(role)
    size = overflow = 0
    for engine in engines:
        capacity = pool_capacity(engine)
        if capacity is not None:
            size += capacity[0]
            overflow += capacity[1]
    found.capacity = size + overflow
    POOL_SIZE.labels(role).set(size)
    POOL_MAX_OVERFLOW.labels(role).set(overflow)
    found.saturation.set(found.in_use / found.capacity if found.capacity else 0)


def instrument(engine: Engine, role: str) -> None:
    """Time every statement of `engine` and count its pool's checkouts under `role`."""
    found = _role(role)

    def started(_conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _many: bool) -> None:
        if context is not None:
            context._metrics_started = time.perf_counter()

    def finished(_conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool) -> None:
        began = getattr(context, "_metrics_started", None)
        if began is not None:
            found.durations[statement_kind(statement)].observe(time.perf_counter() - began)

    def failed(exception_context: Any) -> None:
        if exception_context.statement is None:  # a connection that failed: no statement ran
            return
        kind = statement_kind(exception_context.statement)
        found.errors[kind].inc()
        began = getattr(exception_context.execution_context, "_metrics_started", None)
        if began is not None:
            found.durations[kind].observe(time.perf_counter() - began)

    event.listen(engine, "before_cursor_execute", started)
    event.listen(engine, "after_cursor_execute", finished)
    event.listen(engine, "handle_error", failed)
    event.listen(engine, "checkout", lambda *_: found.step(1))
    event.listen(engine, "checkin", lambda *_: found.step(-1))
