"""Idempotency keys for ledger writes (IETF draft "The Idempotency-Key HTTP Header Field",
and the practice Stripe documents).

Keys belong to the caller (principal) that sent them and live in a table, so they survive
restarts and are shared by every app server. The lifecycle of one key:

1. claim, in its own short committed transaction:
   - unknown (or expired) key: insert it as in_flight, owned by a fresh token;
   - known, different request (other operation or other canonical request hash):
     IdempotencyKeyReused naming the key (a Conflict the API answers with 422);
   - known and completed: the stored response is returned, nothing is executed;
   - in flight, and the owner's process is gone (its process lock is free, ledger.claim_owners):
     taken over at once with a new token;
   - in flight under a live owner: looked at again every `poll_interval` for up to
     `owner_wait` (the owner completes it: its response is replayed; releases it: claimed
     afresh; dies: taken over); still running after that, IdempotencyKeyInFlight (409);
   - in flight under an owner naming no process lock (SQLite, older rows): 409 at once;
   - in flight for longer than `in_flight_timeout`, whoever the owner: presumed dead (or
     stuck) and taken over with a new token.
2. the write's own transaction marks the key completed with its response, but only while
   it still holds the token; an owner taken over that wakes up finds its token gone and
   rolls back, so a key can never produce two entries.
3. if the write fails, the key is released (deleted while still ours), so a retry runs
   afresh instead of replaying a failure.

A wrong "dead" verdict is possible: the owner's lock connection dropped (a network blip, a
database restart, a failover to a server that never saw the lock) while its process lives on.
It is safe for the same reason as the timeout's takeover: the taker gets a new token, the live
owner's completion matches no row and its whole transaction (entry included) rolls back, so the
key still books one entry. The live owner's client, if still listening, gets 409 "a retry with
the same Idempotency-Key took over" and its retry replays the taker's entry.

Keys are kept for `ttl` (24 hours by default), after which the same key starts over.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.unit_of_work import UnitOfWork
from ledger.claim_owners import ClaimOwner, claim_owner_for, new_token, owner_lock
from ledger.errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from ledger.locking import retry_transient, take_write_lock
from ledger.models import IdempotencyKey
from ledger.schemas import IDEMPOTENCY_KEY_FIELD, check_key

log = logging.getLogger(__name__)

IN_FLIGHT = "in_flight"
COMPLETED = "completed"
_KEYS = cast(Table, IdempotencyKey.__table__)
_INSERT = insert(_KEYS)
# Built once (it runs under the pool's lock, on every entry): a reused statement keeps its cache key.
_COMPLETE = update(_KEYS).where(
    _KEYS.c.principal == bindparam("claim_principal"),
    _KEYS.c.key_digest == bindparam("claim_digest"),
    _KEYS.c.owner_token == bindparam("claim_token"),
    _KEYS.c.status == IN_FLIGHT,
)


def principal_of(actor: Actor) -> str:
    """Whose key space a key lives in: the user, or the operator/system label."""
    return f"user:{actor.user_id}" if actor.user_id is not None else actor.label


def request_fingerprint(operation: str, request: dict[str, Any]) -> str:
    """sha256 of the canonical request: same meaning, same fingerprint (sorted keys, no spaces)."""
    canonical = json.dumps(
        {"operation": operation, "request": request}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Claim:
    """The caller now owns the key and must complete or release it."""

    principal: str
    key_digest: str
    token: str


@dataclass(frozen=True, slots=True)
class _KeyUse:
    """One request's use of a key: who, which key, for what request, when."""

    principal: str
    key: str
    digest: str
    operation: str
    fingerprint: str
    now: datetime


@dataclass(frozen=True, slots=True)
class Replay:
    """The key was completed before: this is the first request's response."""

    response: str


class _OwnerRunning:
    """The key is in flight under an owner whose process lives: look again shortly."""


_RUNNING = _OwnerRunning()


class IdempotencyStore:
    def __init__(
        self,
        db: Database,
        *,
        ttl: timedelta = timedelta(hours=24),
        in_flight_timeout: timedelta = timedelta(seconds=60),
        owner_wait: timedelta = timedelta(seconds=2),
        poll_interval: timedelta = timedelta(milliseconds=50),
        owner: ClaimOwner | None = None,
        pause: Callable[[float], object] = time.sleep,
    ) -> None:
        self._db = db
        self._ttl = ttl
        self._in_flight_timeout = in_flight_timeout
        self._owner_wait = owner_wait.total_seconds()
        self._poll_interval = poll_interval.total_seconds()
        # Named locks are MariaDB's; the embedded SQLite default is one process.
        self._owner = owner or (claim_owner_for(db.primary.url) if db.is_mariadb else None)
        self._pause = pause

    def claim(
        self, actor: Actor, key: str, operation: str, fingerprint: str, now: datetime
    ) -> Claim | Replay:
        use = _KeyUse(
            principal=principal_of(actor),
            key=key,
            digest=hashlib.sha256(check_key(key).encode()).hexdigest(),
            operation=operation,
            fingerprint=fingerprint,
            now=now,
        )
        # Nearly every key is new: the first attempt inserts it straight away, one round
        # trip; a key seen before collides, and the read of the later attempts decides.
        collisions, attempt, deadline = 0, 0, time.monotonic() + self._owner_wait
        while collisions < 4:
            result = retry_transient(
                functools.partial(self._attempt, use, first=attempt == 0), what="idempotency claim"
            )
            attempt += 1
            if isinstance(result, Claim | Replay):
                return result
            if result is None:
                collisions += 1
            elif time.monotonic() < deadline:
                # No row lock to wait on: the owner holds none on the key while it writes.
                self._pause(self._poll_interval)
            else:
                break
        raise IdempotencyKeyInFlight(
            f"a request with Idempotency-Key {key!r} is in progress; retry later", field=IDEMPOTENCY_KEY_FIELD
        )

    def _attempt(self, use: _KeyUse, *, first: bool) -> Claim | Replay | _OwnerRunning | None:
        with UnitOfWork(self._db) as uow:
            if first:
                token = self._token()
                if self._insert(uow.session, use, token):
                    uow.commit()
                    return Claim(use.principal, use.digest, token)
                return None
            result = self._claim(uow.session, use)
            if isinstance(result, Claim | Replay):
                uow.commit()
            return result

    def _token(self) -> str:
        return new_token(self._owner.process() if self._owner is not None else None)

    def _claim(self, session: Session, use: _KeyUse) -> Claim | Replay | _OwnerRunning | None:
        take_write_lock(session)
        row = session.scalars(
            select(IdempotencyKey)
            .where(IdempotencyKey.principal == use.principal, IdempotencyKey.key_digest == use.digest)
            .with_for_update()
        ).one_or_none()
        token = self._token()
        now = use.now
        if row is None:
            if not self._insert(session, use, token):
                return None  # a concurrent first use of this key: look again
            return Claim(use.principal, use.digest, token)
        if row.expires_at <= now:
            # An expired key is a new key: the earlier request is forgotten.
            row.operation, row.request_hash, row.status = use.operation, use.fingerprint, IN_FLIGHT
            row.owner_token, row.entry_id, row.response = token, None, None
            row.created_at, row.locked_at, row.expires_at = now, now, now + self._ttl
            return Claim(use.principal, use.digest, token)
        if row.operation != use.operation or row.request_hash != use.fingerprint:
            raise IdempotencyKeyReused(
                f"Idempotency-Key {use.key!r} was already used for a different request; use a new key",
                field=IDEMPOTENCY_KEY_FIELD,
            )
        if row.status == COMPLETED and row.response is not None:
            return Replay(row.response)
        if row.locked_at > now - self._in_flight_timeout:
            lock = owner_lock(row.owner_token)
            if lock is None:
                raise IdempotencyKeyInFlight(
                    f"a request with Idempotency-Key {use.key!r} is still in progress; retry later",
                    field=IDEMPOTENCY_KEY_FIELD,
                )
            if self._owner_lives(session, lock):
                return _RUNNING
            log.warning("key taken over: its owner's process is gone", extra={"operation": use.operation})
        row.owner_token, row.locked_at = token, now  # abandoned: take it over
        return Claim(use.principal, use.digest, token)

    def _owner_lives(self, session: Session, lock: str) -> bool:
        if self._owner is not None and self._owner.holds(lock):
            return True  # another thread of this process: alive by definition
        # NULL: no session holds the lock, so the process that took it has ended.
        return session.scalar(text("SELECT IS_USED_LOCK(:name)"), {"name": lock}) is not None

    def _insert(self, session: Session, use: _KeyUse, token: str) -> bool:
        """Insert the key in flight for ``token``; False if it exists, and then the caller's
        unit of work must roll back (the session cannot go on after the failed insert; no
        savepoint is spent on it, as nothing else is in the unit). A Core INSERT: the unit of
        work's flush of one new object cost as much Python again, on every write."""
        row = {
            "principal": use.principal,
            "key_digest": use.digest,
            "idempotency_key": use.key,
            "operation": use.operation,
            "request_hash": use.fingerprint,
            "status": IN_FLIGHT,
            "owner_token": token,
            "entry_id": None,
            "response": None,
            "created_at": use.now,
            "locked_at": use.now,
            "expires_at": use.now + self._ttl,
        }
        try:
            session.connection().execute(_INSERT, row)
        except IntegrityError:
            return False
        return True

    def complete(self, session: Session, claim: Claim, entry_id: int, response: str, now: datetime) -> None:
        """Mark the key completed inside the write's own transaction (commits with it)."""
        result = session.connection().execute(
            _COMPLETE,
            {
                "claim_principal": claim.principal,
                "claim_digest": claim.key_digest,
                "claim_token": claim.token,
                "status": COMPLETED,
                "entry_id": entry_id,
                "response": response,
                "locked_at": now,
            },
        )
        if getattr(result, "rowcount", 0) != 1:
            raise IdempotencyKeyInFlight(
                "this request took too long and a retry with the same Idempotency-Key took over",
                field=IDEMPOTENCY_KEY_FIELD,
            )

    def release(self, claim: Claim) -> None:
        """Forget a claim whose write failed, so that a retry can run; never raises."""

        def attempt() -> None:
            with UnitOfWork(self._db) as uow:
                take_write_lock(uow.session)
                uow.session.execute(
                    delete(IdempotencyKey).where(
                        IdempotencyKey.principal == claim.principal,
                        IdempotencyKey.key_digest == claim.key_digest,
                        IdempotencyKey.owner_token == claim.token,
                        IdempotencyKey.status == IN_FLIGHT,
                    )
                )
                uow.commit()

        try:
            retry_transient(attempt, what="idempotency release")
        except Exception:
            # Left in flight under this live process, the key is taken over as abandoned
            # after in_flight_timeout (at once if this process dies first).
            log.exception("could not release an idempotency key")

    def purge_expired(self, now: datetime) -> int:
        with UnitOfWork(self._db) as uow:
            take_write_lock(uow.session)
            result = uow.session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
            uow.commit()
            return int(getattr(result, "rowcount", 0))
