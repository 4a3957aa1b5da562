"""Sessions: one writer (the primary) and readers (replicas when configured), over the
engines backend.platform.engines makes.

Routing rules, in the order they are applied to a read:
1. No replicas configured (the embedded default) -> the primary.
2. The reader wrote recently (a write position is recorded for its key) -> a healthy
   replica that reaches that GTID within REPLICA_WAIT_SECONDS (MASTER_GTID_WAIT), else the
   primary. Without a GTID (non-MariaDB primary) or when the position cache is unreachable,
   the reader sticks to the primary for the window instead.
3. Otherwise a healthy replica, round robin. Such a reader may see data up to
   REPLICA_MAX_LAG_SECONDS old.
4. When no replica can serve, the primary does.

A replica is healthy when SHOW SLAVE STATUS (which needs the SLAVE MONITOR privilege) shows
both replication threads running and Seconds_Behind_Master within REPLICA_MAX_LAG_SECONDS.
The verdict is kept for a second, or REPLICA_RETRY_SECONDS once unhealthy; a probe that
gets no answer gives up after two seconds. A replica is also connected to before its session
is handed out, so one that died since its last probe is skipped rather than failing the read.
replica_statuses() reports each replica's verdict and why.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from backend.platform import db_metrics, db_tracing
from backend.platform.cache import Cache, CacheUnavailable
from backend.platform.commit_watch import CommitWatchers
from backend.platform.engines import make_engine, make_probe_engine

log = logging.getLogger(__name__)

_HEALTH_TTL_SECONDS = 1.0
# The marker saying since when the positions cache has remembered (_positions_remembered).
POSITIONS_REMEMBERED_SINCE = "ryw:remembered-since"
_POSITIONS_SINCE_TTL = 10 * 365 * 24 * 3600.0


@dataclass
class ReplicaEndpoint:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    # Health checks get their own connection with read/write timeouts: a frozen replica
    # (stopped VM, black-holed network) accepts TCP connections and then never answers,
    # and without a timeout the probe, and every reader waiting on it, would hang forever.
    probe_engine: Engine | None = None
    healthy: bool = True
    checked_at: float = 0.0
    lag_seconds: float | None = None
    last_error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class ReplicaStatus:
    url: str
    healthy: bool
    lag_seconds: float | None
    last_error: str | None


class Database:
    def __init__(
        self,
        primary_url: str,
        replica_urls: list[str] | None = None,
        *,
        positions: Cache | None = None,
        max_lag_seconds: float = 5.0,
        wait_seconds: float = 0.5,
        retry_seconds: float = 5.0,
        read_your_writes_seconds: float = 30.0,
        health_ttl_seconds: float = _HEALTH_TTL_SECONDS,
    ) -> None:
        self.primary = make_engine(primary_url)
        self.writer_sessions = sessionmaker(self.primary, expire_on_commit=False)
        self.is_mariadb = self.primary.dialect.name in ("mysql", "mariadb")
        # Reads on the primary go through connections of their own in autocommit mode
        # (make_engine); None reads through writer_sessions (SQLite, and the tests, whose
        # sessions all share one rolled-back connection).
        self.primary_reads: Engine | None = None
        self.primary_readers: sessionmaker[Session] | None = None
        if self.is_mariadb:
            self.primary_reads = make_engine(primary_url, autocommit=True)
            self.primary_readers = sessionmaker(self.primary_reads, expire_on_commit=False)
        self.replicas = [
            ReplicaEndpoint(url, eng, sessionmaker(eng, expire_on_commit=False), make_probe_engine(url))
            for url, eng in (
                (u, make_engine(u, ping_every_checkout=True, autocommit=True)) for u in (replica_urls or [])
            )
        ]
        self._instrument()
        self._positions = positions
        self._max_lag = max_lag_seconds
        self._wait = wait_seconds
        self._retry = retry_seconds
        self._ryw_seconds = read_your_writes_seconds
        self._health_ttl = health_ttl_seconds
        self._round_robin = itertools.count()
        self.commit_watchers = CommitWatchers()

    def _instrument(self) -> None:
        """Statement durations and pool use for /metrics (backend/platform/db_metrics.py), by
        engine role; the replicas' probe engines are left out (one connection each, health
        checks only)."""
        db_metrics.instrument(self.primary, db_metrics.PRIMARY)
        db_metrics.size_pools(db_metrics.PRIMARY, [self.primary])
        if self.primary_reads is not None:
            db_metrics.instrument(self.primary_reads, db_metrics.PRIMARY_READS)
            db_metrics.size_pools(db_metrics.PRIMARY_READS, [self.primary_reads])
        for replica in self.replicas:
            db_metrics.instrument(replica.engine, db_metrics.REPLICA)
        if self.replicas:
            db_metrics.size_pools(db_metrics.REPLICA, [replica.engine for replica in self.replicas])
        # A span per statement of a request or task (backend/platform/db_tracing.py).
        for engine in [self.primary, self.primary_reads, *(replica.engine for replica in self.replicas)]:
            if engine is not None:
                db_tracing.instrument(engine)

    # -- writes ---------------------------------------------------------------
    def writer_session(self) -> Session:
        return self.writer_sessions()

    def note_write(self, reader_key: str | None) -> None:
        """Remember where the primary stood after this reader's write (read-your-writes)."""
        if not self.replicas or reader_key is None or self._positions is None:
            return
        position = b"sticky"
        if self.is_mariadb:
            # Read after the commit, so it covers this reader's transaction (and perhaps
            # later ones by others, which only makes the wait a little longer).
            with self.primary.connect() as conn:
                gtid = conn.execute(text("SELECT @@gtid_binlog_pos")).scalar()
            position = str(gtid or "").encode() or b"sticky"
        try:
            self._positions.set(f"ryw:{reader_key}", position, self._ryw_seconds)
        except CacheUnavailable:
            log.warning("read-your-writes position not recorded: cache unavailable")

    # -- reads ----------------------------------------------------------------
    def primary_reader_session(self) -> Session:
        """A session for reads that must see the primary's latest commits (never for writes)."""
        return self.primary_readers() if self.primary_readers is not None else self.writer_sessions()

    def reader_session(self, reader_key: str | None = None) -> Session:
        if not self.replicas:
            return self.primary_reader_session()
        position = self._position_for(reader_key)
        if position == b"sticky":
            return self.primary_reader_session()
        gtid = None if position is None else position.decode()
        for replica in self._healthy_replicas():
            if self._can_serve(replica, gtid):
                return replica.sessions()
        return self.primary_reader_session()

    def _position_for(self, reader_key: str | None) -> bytes | None:
        if reader_key is None or self._positions is None:
            return None
        try:
            position = self._positions.get(f"ryw:{reader_key}")
            if position is None and not self._positions_remembered(self._positions):
                return b"sticky"
            return position
        except CacheUnavailable:
            # Cannot tell whether this reader just wrote: the primary is the safe answer.
            return b"sticky"

    def _positions_remembered(self, positions: Cache) -> bool:
        """Whether a missing position means "no recent write", not "the cache forgot it".

        Redis restarted without persistence (or flushed) has lost every position: a reader
        who wrote a moment before would be sent to a lagging replica and not see the write.
        A marker written once, with the time it was written, says since when the cache has
        remembered; until it is read_your_writes_seconds old, nobody's absence is trusted.
        """
        since = positions.get(POSITIONS_REMEMBERED_SINCE)
        if since is None:
            positions.add(POSITIONS_REMEMBERED_SINCE, repr(time.time()).encode(), _POSITIONS_SINCE_TTL)
            return False
        return time.time() - float(since) >= self._ryw_seconds

    def _healthy_replicas(self) -> list[ReplicaEndpoint]:
        start = next(self._round_robin)
        ordered = self.replicas[start % len(self.replicas) :] + self.replicas[: start % len(self.replicas)]
        return [r for r in ordered if self._check(r)]

    def _check(self, replica: ReplicaEndpoint) -> bool:
        ttl = self._health_ttl if replica.healthy else self._retry
        if time.monotonic() - replica.checked_at < ttl:
            return replica.healthy
        if not replica.lock.acquire(blocking=False):
            # Another thread is probing it: go by the last verdict rather than queue every
            # reader behind a probe that may take up to its timeout.
            return replica.healthy
        try:
            if time.monotonic() - replica.checked_at < ttl:
                return replica.healthy
            replica.healthy, replica.lag_seconds, replica.last_error = self._probe(replica)
            replica.checked_at = time.monotonic()
            if not replica.healthy:
                log.warning(
                    "replica skipped", extra={"replica": _safe_url(replica.url), "reason": replica.last_error}
                )
            return replica.healthy
        finally:
            replica.lock.release()

    def _probe(self, replica: ReplicaEndpoint) -> tuple[bool, float | None, str | None]:
        engine = replica.probe_engine or replica.engine
        try:
            with engine.connect() as conn:
                if engine.dialect.name not in ("mysql", "mariadb"):
                    conn.execute(text("SELECT 1"))
                    return True, 0.0, None
                # Needs the SLAVE MONITOR privilege (SUPER before 10.5); without it every
                # probe fails and the replica is never used, which the reason spells out.
                row = conn.execute(text("SHOW SLAVE STATUS")).mappings().first()
        except SQLAlchemyError as exc:
            # A connection keeps the global privileges it logged in with, so a GRANT that
            # fixes the probe would never reach a pooled one; the next probe logs in afresh.
            if replica.probe_engine is not None:
                replica.probe_engine.dispose()
            return False, None, f"probe failed: {_describe(exc)}"
        return self._judge(row)

    def _judge(self, row: Mapping[Any, Any] | None) -> tuple[bool, float | None, str | None]:
        if row is None:
            return False, None, "not configured as a replica"
        io_running, sql_running = row.get("Slave_IO_Running"), row.get("Slave_SQL_Running")
        if sql_running != "Yes" or io_running != "Yes":
            # Seconds_Behind_Master is NULL here, so the stopped thread is the only signal.
            errors = "; ".join(e for e in (row.get("Last_IO_Error"), row.get("Last_SQL_Error")) if e)
            reason = f"replication stopped: IO thread {io_running}, SQL thread {sql_running}"
            return False, None, f"{reason} ({errors})" if errors else reason
        lag = row.get("Seconds_Behind_Master")
        if lag is None:
            return False, None, "lag unknown"
        if float(lag) > self._max_lag:
            return False, float(lag), f"lagging {lag}s (max {self._max_lag:g}s)"
        return True, float(lag), None

    def _can_serve(self, replica: ReplicaEndpoint, gtid: str | None) -> bool:
        """Connect now, and for a reader who wrote, wait for the replica to reach its GTID.

        Connecting here rather than at the caller's first query means a replica that died
        since its last probe costs this reader a fallback instead of an error.
        """
        try:
            with replica.engine.connect() as conn:
                if not gtid:
                    return True
                waited = conn.execute(
                    text("SELECT MASTER_GTID_WAIT(:gtid, :timeout)"),
                    {"gtid": gtid, "timeout": self._wait},
                ).scalar()
        except SQLAlchemyError as exc:
            replica.healthy, replica.lag_seconds = False, None
            replica.last_error = f"connection failed: {_describe(exc)}"
            replica.checked_at = time.monotonic()
            log.warning(
                "replica skipped", extra={"replica": _safe_url(replica.url), "reason": replica.last_error}
            )
            return False
        # -1 is a timeout: this replica is behind this reader, not broken, so it stays in
        # rotation for everyone else.
        return waited == 0

    def replica_statuses(self) -> list[ReplicaStatus]:
        for replica in self.replicas:
            self._check(replica)
        return [
            ReplicaStatus(_safe_url(r.url), r.healthy, r.lag_seconds, r.last_error) for r in self.replicas
        ]

    def dispose(self) -> None:
        self.primary.dispose()
        if self.primary_reads is not None:
            self.primary_reads.dispose()
        for replica in self.replicas:
            replica.engine.dispose()
            if replica.probe_engine is not None:
                replica.probe_engine.dispose()


# MariaDB/MySQL client and server codes that mean "no database to talk to right now", not a
# wrong statement: cannot connect (2002, 2003), gone or lost mid-query (2006, 2013), shutting
# down (1053), connection killed (1927), a read-only server (1290: a replica not promoted yet).
_UNAVAILABLE_CODES = frozenset({1053, 1290, 1927, 2002, 2003, 2006, 2013})


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database cannot be reached or written just now (a restart, a
    failover): the same request may be sent again, a write with its Idempotency-Key."""
    if isinstance(exc, DisconnectionError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    args: tuple[Any, ...] = getattr(exc.orig, "args", ())
    return bool(args) and args[0] in _UNAVAILABLE_CODES


def _describe(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None) or exc
    args: tuple[Any, ...] = getattr(orig, "args", ())
    if len(args) == 2 and isinstance(args[0], int):
        return f"{type(orig).__name__} ({args[0]}) {args[1]}"
    return f"{type(orig).__name__}: {orig}"


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
