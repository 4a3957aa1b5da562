"""Whose process owns an in-flight Idempotency-Key claim, and whether that process still lives.

A claim left in flight by a process that died (kill -9, a lost host) used to block its key for
`in_flight_timeout` (60 s): a slow owner and a dead one looked the same. Now each process that
claims keys on MariaDB holds, for as long as it lives, a named lock (GET_LOCK) on a connection
of its own, outside every pool, and each claim it makes names that lock in its owner_token.
MariaDB releases a named lock when the session holding it ends, and the session ends when the
process does (the kernel closes a killed process's sockets), so `IS_USED_LOCK(name) IS NULL`
says the owner is gone and its claim can be taken over at once (ledger.idempotency).

The token is `<15 hex digits of the lock>.<16 hex digits of the claim>`: 32 characters, the
column's width, so no migration. The dot tells it from the plain uuid4 hex of claims that name
no lock (SQLite, whose embedded default is one process; rows written before this; a process
that could not take its lock): those keep the 60 s timeout.

The lock is per process and per database server (named locks are server-wide), made on the
first claim, checked at most once a second when the process claims again, and made afresh,
under a new name, in a child after fork and after its connection is lost. Claims named after a
lost lock look dead to others from then on; ledger.idempotency explains why that is safe.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import uuid

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

LOCK_PREFIX = "ledger-claims-"
_PROCESS_DIGITS = 15
_CLAIM_DIGITS = 16
_CHECK_EVERY_SECONDS = 1.0
# A lock connection must never hang a claim: a server that stops answering fails it instead.
_CONNECT_ARGS = {"connect_timeout": 2, "read_timeout": 2, "write_timeout": 2}


def new_token(process: str | None) -> str:
    """A claim's owner_token: naming the owner's process lock when there is one."""
    claim = uuid.uuid4().hex
    return f"{process}.{claim[:_CLAIM_DIGITS]}" if process else claim


def owner_lock(token: str) -> str | None:
    """The name of the process lock the claim's owner held; None for a claim naming none."""
    process, dot, claim = token.partition(".")
    if not dot or len(process) != _PROCESS_DIGITS or len(claim) != _CLAIM_DIGITS:
        return None
    return LOCK_PREFIX + process


class ClaimOwner:
    """This process's named lock on one database server, on a connection of its own."""

    def __init__(self, url: URL) -> None:
        self._url = url
        self._guard = threading.Lock()
        self._engine: Engine | None = None
        self._connection: Connection | None = None
        self._process: str | None = None
        self._checked_at = 0.0

    def process(self) -> str | None:
        """The id of the lock this process holds, taken now if need be; None when it cannot be
        taken (the claim is then made naming no lock, and falls back on the timeout)."""
        with self._guard:
            now = time.monotonic()
            if now - self._checked_at < _CHECK_EVERY_SECONDS:
                return self._process
            connection, process = self._connection, self._process
            if connection is not None and process is not None and not self._still_held(connection, process):
                log.warning("lost the connection holding this process's claim lock; taking a new one")
                self._drop(close=True)
            if self._connection is None:
                self._take()
            # Checked (or failed to take: tried again in a second, not on every claim).
            self._checked_at = now
            return self._process

    def holds(self, name: str) -> bool:
        """Whether `name` is the lock this process holds now: its owner is alive, no need to ask."""
        return self._process is not None and name == LOCK_PREFIX + self._process

    def close(self) -> None:
        """Release the lock (its claims look dead to others from now on)."""
        with self._guard:
            self._drop(close=True)
            self._checked_at = 0.0

    def _take(self) -> None:
        process = uuid.uuid4().hex[:_PROCESS_DIGITS]
        try:
            if self._engine is None:
                # A pool of its own, of none: this connection lives as long as the lock.
                self._engine = create_engine(
                    self._url, poolclass=NullPool, isolation_level="AUTOCOMMIT", connect_args=_CONNECT_ARGS
                )
            connection = self._engine.connect()
            # Out of the pool's hands: nothing it does on garbage collection (a rollback, a
            # QUIT) may reach the server from a forked child that drops the inherited copy.
            connection.detach()
            taken = connection.scalar(text("SELECT GET_LOCK(:name, 0)"), {"name": LOCK_PREFIX + process})
        except Exception:  # any failure: claims go on without a lock, as before
            log.warning("could not take this process's claim lock; claims fall back on the timeout")
            return
        if taken != 1:
            connection.close()
            log.warning("this process's claim lock was refused; claims fall back on the timeout")
            return
        self._connection, self._process = connection, process

    def _still_held(self, connection: Connection, process: str) -> bool:
        try:
            held = connection.scalar(
                text("SELECT IS_USED_LOCK(:name) = CONNECTION_ID()"), {"name": LOCK_PREFIX + process}
            )
        except Exception:  # a broken connection, whatever the driver calls it
            return False
        return bool(held == 1)

    def _drop(self, *, close: bool) -> None:
        connection, self._connection, self._process = self._connection, None, None
        if connection is not None and close:
            try:
                connection.close()
            except Exception:  # already gone: the server has released the lock
                log.debug("claim lock connection already closed")

    def _after_fork(self) -> None:
        """In a child: the parent's connection and lock are the parent's. Its copy is dropped,
        not closed (closing would send QUIT on the parent's session and free the parent's
        lock; PyMySQL's finaliser only closes this process's descriptor)."""
        self._guard = threading.Lock()
        self._drop(close=False)
        self._checked_at = 0.0


_OWNERS: dict[str, ClaimOwner] = {}
_OWNERS_GUARD = threading.Lock()


def claim_owner_for(url: URL) -> ClaimOwner:
    """The one ClaimOwner of this process for the server of `url` (whatever its database)."""
    server = url._replace(database=None)  # the documented way to unset a part of a URL
    key = server.render_as_string(hide_password=False)
    with _OWNERS_GUARD:
        owner = _OWNERS.get(key)
        if owner is None:
            owner = _OWNERS[key] = ClaimOwner(server)
        return owner


def _after_fork_in_child() -> None:
    global _OWNERS_GUARD  # noqa: PLW0603 - a lock held across fork by another thread is never released
    _OWNERS_GUARD = threading.Lock()
    for owner in _OWNERS.values():
        owner._after_fork()


def _close_all() -> None:
    # A clean QUIT at exit: the server would otherwise log each process's end as an aborted
    # connection. (A process killed outright skips this, which is the point of the lock.)
    for owner in list(_OWNERS.values()):
        owner.close()


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_close_all)
