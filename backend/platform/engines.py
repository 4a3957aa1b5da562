"""How connections to the databases are made and kept: the primary's and the replicas'
engines, the health probe's, and SQLite's pragmas (backend.platform.db routes sessions over
them)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import StaticPool

_PROBE_TIMEOUT_SECONDS = 2
_PING_AFTER_IDLE_SECONDS = 1.0


def make_engine(url: str, *, ping_every_checkout: bool = False, autocommit: bool = False) -> Engine:
    """An engine for `url`. `ping_every_checkout` for a replica: a read there must find out
    that the server died before it runs, so it can go elsewhere (the primary has no elsewhere,
    and pings only connections idle long enough to have been dropped, _ping_if_idle).

    `autocommit` for reads on MariaDB: under READ COMMITTED every statement already reads
    its own fresh snapshot, so a read-only transaction gives nothing a lone statement does
    not, and costs the ROLLBACK that ends it, a round trip per read (four of the 26 one
    API write made). Such a connection runs each statement on its own and is handed back
    without a ROLLBACK (skip_autocommit_rollback). Ignored for SQLite, whose transactions
    are snapshots that the embedded reads keep."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=StaticPool if in_memory else None,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN; take
        # control of both (the SQLAlchemy-documented recipe) so nested units of work and
        # rolled-back tests behave as they do on MariaDB.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    connect_args: dict[str, Any] = {"connect_timeout": 2}
    engine = create_engine(
        url,
        pool_pre_ping=ping_every_checkout,
        pool_recycle=1800,
        # Every session ends its transaction (commit, or the rollback close() sends), so
        # the pool's own ROLLBACK on return would be a second, empty round trip each time.
        pool_reset_on_return=None,
        # READ COMMITTED: the ledger's row locks then take no gap locks, which keeps
        # concurrent postings into one pool from deadlocking each other.
        isolation_level="AUTOCOMMIT" if autocommit else "READ COMMITTED",
        skip_autocommit_rollback=autocommit,
        connect_args=connect_args,
    )
    if not ping_every_checkout:
        event.listen(engine, "connect", _note_idle_since)
        event.listen(engine, "checkin", _note_idle_since)
        event.listen(engine, "checkout", _ping_if_idle)
    return engine


def _note_idle_since(_dbapi_conn: Any, record: Any) -> None:
    if record is not None:
        record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    """pool_pre_ping, for connections idle long enough to have been dropped: a ping before
    every checkout was a round trip in each of the four or five sessions one request opens.
    A connection back in the pool within the last _PING_AFTER_IDLE_SECONDS is handed out
    as it is; if the server went away in that second, its first statement fails, and that
    disconnect makes the pool replace every connection it holds."""
    if time.monotonic() - record.info.get("idle_since", 0.0) < _PING_AFTER_IDLE_SECONDS:
        return
    try:
        dbapi_conn.ping(reconnect=False)
    except Exception as exc:  # the driver's own error types; any failure means a dead link
        raise DisconnectionError(f"connection failed its ping: {exc}") from exc


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_probe_engine(url: str) -> Engine | None:
    """An engine for a replica's health probe (None but on MariaDB): one connection, with read
    and write timeouts, so a frozen replica costs a probe two seconds, not a hung reader."""
    parsed = make_url(url)
    if parsed.get_backend_name() not in ("mysql", "mariadb"):
        return None
    # One pooled connection is enough: probes of a replica are serialised by its lock.
    return create_engine(
        url,
        pool_size=1,
        max_overflow=0,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": _PROBE_TIMEOUT_SECONDS,
            "read_timeout": _PROBE_TIMEOUT_SECONDS,
            "write_timeout": _PROBE_TIMEOUT_SECONDS,
        },
    )
