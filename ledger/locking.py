"""Transaction helpers shared by the journal, idempotency keys and the outbox relay.

* `take_write_lock`: SQLite in WAL mode refuses (SQLITE_BUSY, without waiting) a read
  transaction that later tries to write after another connection committed. Writing first
  makes SQLite take its single writer lock up front, where busy_timeout does wait. MariaDB
  needs nothing: its row locks are taken by the locking reads themselves.
* `retry_transient`: a deadlock or lock-wait timeout rolls the whole transaction back;
  running it again from the start is the documented remedy. Bounded, with jittered
  exponential backoff so colliding writers do not collide again in lockstep.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from backend.platform.unit_of_work import take_sqlite_writer_lock

log = logging.getLogger(__name__)

_T = TypeVar("_T")

# MariaDB/MySQL: 1213 deadlock found, 1205 lock wait timeout exceeded.
_MYSQL_TRANSIENT = frozenset({1205, 1213})
MAX_ATTEMPTS = 6
_BASE_BACKOFF_SECONDS = 0.01


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def take_write_lock(session: Session) -> None:
    take_sqlite_writer_lock(session, "ledger_chain_heads", "pool_id")


def is_transient(exc: BaseException) -> bool:
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and args[0] in _MYSQL_TRANSIENT:
        return True
    return type(orig).__name__ == "OperationalError" and "database is locked" in str(orig)


def retry_transient(work: Callable[[], _T], *, what: str, attempts: int = MAX_ATTEMPTS) -> _T:
    """Run `work` (one whole transaction), again after a deadlock or lock timeout."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as exc:
            if attempt == attempts or not is_transient(exc):
                raise
            delay = random.uniform(0, _BASE_BACKOFF_SECONDS * 2**attempt)  # noqa: S311 - jitter, not secrecy
            log.info("transient database error, retrying", extra={"what": what, "attempt": attempt})
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
