"""Idempotency keys for ledger writes (IETF draft "The Idempotency-Key HTTP Header Field",
and the practice Stripe documents).

Keys belong to the caller (principal) that sent them and live in a table, so they survive
restarts and are shared by every app server. The lifecycle of one key:

1. claim, in its own short committed transaction:
   - unknown (or expired) key: insert it as in_flight, owned by a fresh token;
   - known, different request (other operation or other canonical request hash):
     IdempotencyKeyReused naming the key (a Conflict the API answers with 422);
   - known and completed: the stored response is returned, nothing is executed;
   - known and in flight for less than `in_flight_timeout`: IdempotencyKeyInFlight (409),
     the first attempt is still running;
   - in flight for longer: the first attempt is presumed dead (a crashed process) and this
     one takes the key over with a new token.
2. the write's own transaction marks the key completed with its response, but only while
   it still holds the token; a presumed-dead attempt that wakes up finds its token gone
   and rolls back, so a key can never produce two entries.
3. if the write fails, the key is released (deleted while still ours), so a retry runs
   afresh instead of replaying a failure.

Keys are kept for `ttl` (24 hours by default), after which the same key starts over.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.unit_of_work import UnitOfWork
from ledger.errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from ledger.locking import retry_transient, take_write_lock
from ledger.models import IdempotencyKey
from ledger.schemas import IDEMPOTENCY_KEY_FIELD, check_key

log = logging.getLogger(__name__)

IN_FLIGHT = "in_flight"
COMPLETED = "completed"
_KEYS = cast(Table, IdempotencyKey.__table__)
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


class IdempotencyStore:
    def __init__(
        self,
        db: Database,
        *,
        ttl: timedelta = timedelta(hours=24),
        in_flight_timeout: timedelta = timedelta(seconds=60),
    ) -> None:
        self._db = db
        self._ttl = ttl
        self._in_flight_timeout = in_flight_timeout

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
        for attempt in range(4):
            result = retry_transient(
                functools.partial(self._attempt, use, first=attempt == 0), what="idempotency claim"
            )
            if result is not None:
                return result
        raise IdempotencyKeyInFlight(
            f"a request with Idempotency-Key {key!r} is in progress; retry later", field=IDEMPOTENCY_KEY_FIELD
        )

    def _attempt(self, use: _KeyUse, *, first: bool) -> Claim | Replay | None:
        with UnitOfWork(self._db) as uow:
            if first:
                token = uuid.uuid4().hex
                if self._insert(uow.session, use, token):
                    uow.commit()
                    return Claim(use.principal, use.digest, token)
                return None
            result = self._claim(uow.session, use)
            if result is not None:
                uow.commit()
            return result

    def _claim(self, session: Session, use: _KeyUse) -> Claim | Replay | None:
        take_write_lock(session)
        row = session.scalars(
            select(IdempotencyKey)
            .where(IdempotencyKey.principal == use.principal, IdempotencyKey.key_digest == use.digest)
            .with_for_update()
        ).one_or_none()
        token = uuid.uuid4().hex
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
            raise IdempotencyKeyInFlight(
                f"a request with Idempotency-Key {use.key!r} is still in progress; retry later",
                field=IDEMPOTENCY_KEY_FIELD,
            )
        row.owner_token, row.locked_at = token, now  # abandoned: take it over
        return Claim(use.principal, use.digest, token)

    def _insert(self, session: Session, use: _KeyUse, token: str) -> bool:
        """Insert the key in flight for ``token``; False if it exists, and then the caller's
        unit of work must roll back (the session cannot go on after the failed insert; no
        savepoint is spent on it, as nothing else is in the unit)."""
        session.add(
            IdempotencyKey(
                principal=use.principal,
                key_digest=use.digest,
                idempotency_key=use.key,
                operation=use.operation,
                request_hash=use.fingerprint,
                status=IN_FLIGHT,
                owner_token=token,
                created_at=use.now,
                locked_at=use.now,
                expires_at=use.now + self._ttl,
            )
        )
        try:
            session.flush()
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
            # Left in flight, the key is taken over as abandoned after in_flight_timeout.
            log.exception("could not release an idempotency key")

    def purge_expired(self, now: datetime) -> int:
        with UnitOfWork(self._db) as uow:
            take_write_lock(uow.session)
            result = uow.session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
            uow.commit()
            return int(getattr(result, "rowcount", 0))
