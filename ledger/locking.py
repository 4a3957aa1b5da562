"""Transaction helpers shared by the journal, idempotency keys and the outbox relay.

* `take_write_lock`: SQLite in WAL mode refuses (SQLITE_BUSY, without waiting) a read
  transaction that later tries to write after another connection committed. Writing first
  makes SQLite take its single writer lock up front, where busy_timeout does wait. MariaDB
  needs nothing: its row locks are taken by the locking reads themselves.
* `remember_locked_head` / `locked_head`: the pool's chain head, once locked, for the rest of
  the transaction: the lock is held until it ends, so a second locking read of the same row
  would only cost a round trip (the write path took it twice per entry).
* `retry_transient`: a deadlock or lock-wait timeout rolls the whole transaction back;
  running it again from the start is the documented remedy. Bounded, with jittered
  exponential backoff so colliding writers do not collide again in lockstep.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

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


def transaction_memo(session: Session, name: str) -> dict[Any, Any]:
    """A dict kept in the session for its current transaction only: what was read under a
    lock that transaction holds. A rollback (a retry too) or the next transaction starts a
    new one, so nothing read in a transaction that did not commit is ever reused."""
    transaction = session.get_transaction()
    held = session.info.get(name)
    if held is None or held[0] is not transaction:
        held = session.info[name] = (transaction, {})
    memo: dict[Any, Any] = held[1]
    return memo


def remember_locked_head(session: Session, pool_id: int, head: Any) -> None:
    """Keep ``head`` (the pool's chain head row, just locked) for the session's transaction."""
    transaction_memo(session, "ledger.locked_heads")[pool_id] = head


def locked_head(session: Session, pool_id: int) -> Any | None:
    """The pool's chain head if this transaction locked it already; None otherwise."""
    if session.get_transaction() is None:
        return None
    return transaction_memo(session, "ledger.locked_heads").get(pool_id)


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
