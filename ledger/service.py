"""The ledger service: idempotent, append-only writes to each pool's journal, and reads of it.

Who may post or read is decided by the caller (the pool/transaction layer and the API);
this service takes the Actor only to record who posted and to route reads
(read-your-writes). Every write:

1. claims its Idempotency-Key (ledger.idempotency) in a short transaction of its own:
   a completed key replays the first response, a key reused for another request raises
   IdempotencyKeyReused (422), a key still in flight IdempotencyKeyInFlight (409);
2. writes the entry in one transaction (ledger.journal: chain-head lock, balance row locks
   in ascending account id, checks, postings, hash, outbox events) and completes the key in
   that same transaction, so the entry and its remembered response commit together;
   a deadlock or lock timeout re-runs the transaction (ledger.locking.retry_transient);
3. on failure releases the key, so that a retry runs afresh; after commit runs the
   `after_commit` hook (the embedded default publishes the outbox to its in-process bus).

The reads (entries, journal pages, balances, flows, verification) are ledger.journal_reads',
a base class of the service: they run in a read view (read-your-writes for the actor) and
take neither a pool's lock nor an Idempotency-Key.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from prometheus_client import Counter
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from backend.platform.actors import Actor
from backend.platform.aggregate_cache import AggregateCache
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, ValidationFailed
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import UnitOfWork
from ledger import book_reads
from ledger.batch import (
    BatchPlan,
    BulkJournalWriter,
    PoolAccounts,
    cyclic_collection_paused,
    load_pool_accounts,
)
from ledger.entry_drafts import EntryDraft
from ledger.idempotency import Claim, IdempotencyStore, Replay, request_fingerprint
from ledger.journal import BooksNotOpen, JournalEngine
from ledger.journal_reads import JournalReads
from ledger.locking import retry_transient
from ledger.models import ChainHead, EntryDetails, JournalEntry
from ledger.pool_turns import PoolTurns
from ledger.reversals import refuse_out_of_order_reversal, reversal_lines
from ledger.schemas import AccountRef, BatchResult, EntryOut, EntryType

log = logging.getLogger(__name__)

ENTRIES_POSTED = Counter(
    "ledger_entries_posted_total",
    "Journal entries committed, by write path: one entry per request, or a batch's.",
    ["path"],
)

_INSERT_DETAILS = insert(cast(Table, EntryDetails.__table__))

RuleBuilder = Callable[[Session, dict[AccountRef, Decimal]], tuple[EntryDraft, dict[str, Any]]]
"""(session under the pool lock, balances) -> (draft, details): what write_rule runs."""

BatchBuilder = Callable[[Session, PoolAccounts], BatchPlan]
"""(session under the pool lock, accounts and balances) -> the plan write_batch writes:
one planned item per row, produced as the rows are planned. The writer raises
ledger.batch.BatchRejected listing every row that cannot be posted."""


class DatabaseLedgerService(JournalReads):
    def __init__(
        self,
        db: Database,
        *,
        engine: JournalEngine | None = None,
        idempotency: IdempotencyStore | None = None,
        after_commit: Callable[[], object] | None = None,
        clock: Callable[[], datetime] = utcnow,
        aggregates: AggregateCache | None = None,
        turns: PoolTurns | None = None,
    ) -> None:
        self._db = db
        self._turns = turns or PoolTurns()
        self._aggregates = aggregates
        self._engine = engine or JournalEngine()
        self._keys = idempotency or IdempotencyStore(db)
        self._after_commit = after_commit
        self._clock = clock

    # -- writes: one path for a single entry (write_rule, reverse), one for a batch --
    def write_rule(
        self,
        actor: Actor,
        pool_id: int,
        currency: str,
        build: RuleBuilder,
        idempotency_key: str,
        *,
        operation: str,
        request: Mapping[str, Any],
        reads: Collection[AccountRef] | None = None,
        unlocked: Callable[[Session], None] | None = None,
    ) -> EntryOut:
        """Write one entry built by a posting rule, under an Idempotency-Key.

        `build` runs inside the write transaction, under the pool's chain-head lock, with the
        session (to read the facts) and the pool's balances by (AccountCode, investor id or
        None), the shape posting_rules.PoolBooks takes: nothing can be posted to the pool
        between the read and the write (units at the current NAV, pro rata to current
        holdings...). It returns the draft and the rule's details, stored with the entry in
        the same transaction. `operation` and `request` identify the caller's request for the
        idempotency check, so a retry replays the first entry even when the books moved.
        `reads`, when given, names every account the rule reads: only those balances are
        read (a rule for one investor then costs the same in any size of pool); None: all.
        `unlocked`, when given, adds to the same transaction what needs nothing the lock
        guards (the audit row of the request): it runs before the lock is taken, because every
        other writer of the pool waits for as long as the lock is held."""

        def work(session: Session, now: datetime) -> EntryOut:
            if unlocked is not None:
                unlocked(session)
            self._engine.lock_pool(session, pool_id)
            balances = (
                book_reads.balances_by_ref(session, pool_id)
                if reads is None
                else book_reads.balances_of(session, pool_id, reads)
            )
            draft, details = build(session, balances)
            if draft.pool_id != pool_id:
                raise ValidationFailed("the built entry is for another pool", field="pool_id")
            out = self._engine.write(session, actor, draft, now)
            if not details:  # a rule always explains itself; only raw test entries have none
                return out
            session.connection().execute(
                _INSERT_DETAILS,
                {
                    "entry_id": out.id,
                    "pool_id": pool_id,
                    "entry_type": draft.entry_type.value,
                    "details": json.dumps(details, sort_keys=True),
                },
            )
            return out.model_copy(update={"details": details})

        return self._write(
            actor, operation, dict(request), idempotency_key, work, pool_id=pool_id, open_books=currency
        )

    def write_batch(
        self,
        actor: Actor,
        pool_id: int,
        currency: str,
        build: BatchBuilder,
        idempotency_key: str | None,
        *,
        operation: str,
        request: Mapping[str, Any],
        dry_run: bool = False,
    ) -> BatchResult:
        """Write many entries of one pool in one transaction (ledger.batch): `build` runs under
        the pool's chain-head lock with the pool's accounts and balances and returns the
        checked entries, one item per row; they are then written with bulk inserts. One
        Idempotency-Key covers the whole batch. With `dry_run`, `build` runs (so every row is
        checked against the books) and everything is rolled back: no key, nothing written."""
        writer = BulkJournalWriter(self._engine)

        def work(session: Session, now: datetime) -> BatchResult:
            self._engine.lock_pool(session, pool_id)
            accounts = load_pool_accounts(session, pool_id)
            plan = build(session, accounts)
            return writer.write(session, actor=actor, pool_id=pool_id, plan=plan, accounts=accounts, now=now)

        if dry_run:
            with UnitOfWork(self._db, actor.reader_key) as uow:
                with contextlib.suppress(BooksNotOpen):  # no books yet: checked against empty ones
                    self._engine.lock_pool(uow.session, pool_id)
                build(uow.session, load_pool_accounts(uow.session, pool_id)).check()
            return BatchResult(
                pool_id=pool_id,
                rows=0,
                entries=0,
                postings=0,
                first_seq=None,
                last_seq=None,
                last_hash=None,
                ledger_version=0,
                entry_ids=[],
            )
        if idempotency_key is None:
            raise ValidationFailed("required on every write to the books", field="Idempotency-Key")
        fingerprint = request_fingerprint(operation, dict(request))
        claimed = self._keys.claim(actor, idempotency_key, operation, fingerprint, self._clock())
        if isinstance(claimed, Replay):
            return BatchResult.model_validate_json(claimed.response)
        try:
            with cyclic_collection_paused(), self._turns.turn(pool_id):
                out = self._run_batch(actor, claimed, work, (pool_id, currency))
        except BaseException:
            self._keys.release(claimed)
            raise
        ENTRIES_POSTED.labels("batch").inc(out.entries)
        if self._after_commit is not None:
            try:
                self._after_commit()
            except Exception:  # the entries are committed; the relay catches up later
                log.exception("after-commit hook failed", extra={"pool_id": pool_id})
        return out

    def _run_batch(
        self,
        actor: Actor,
        claim: Claim,
        work: Callable[[Session, datetime], BatchResult],
        open_books: tuple[int, str],
    ) -> BatchResult:
        def once() -> BatchResult:
            with UnitOfWork(self._db, actor.reader_key) as uow:
                now = self._clock()
                out = work(uow.session, now)
                first = next((entry_id for entry_id in out.entry_ids if entry_id is not None), None)
                self._keys.complete(uow.session, claim, first or 0, out.model_dump_json(), now)
                uow.commit()
                return out

        for _ in range(3):
            try:
                return retry_transient(once, what="ledger batch")
            except BooksNotOpen:
                self._open_books(*open_books)
        raise Conflict("could not open the pool's books; retry")  # pragma: no cover

    def reverse(
        self,
        actor: Actor,
        pool_id: int | None,
        entry_id: int,
        idempotency_key: str,
        *,
        effective_date: date | None = None,
        memo: str | None = None,
    ) -> EntryOut:
        """Post the mirror of entry `entry_id`, linked to it. An entry is reversed at most once;
        a reversal itself is not reversed (post the original again instead)."""

        def work(session: Session, now: datetime) -> EntryOut:
            entry = session.get(JournalEntry, entry_id)
            if entry is None or (pool_id is not None and entry.pool_id != pool_id):
                raise NotFound(f"no journal entry {entry_id}", field="entry_id")
            if entry.entry_type == EntryType.REVERSAL.value:
                raise Conflict(
                    f"entry {entry_id} is itself a reversal; it cannot be reversed", field="entry_id"
                )
            refuse_out_of_order_reversal(session, entry, effective_date or now.date())
            currency = session.scalar(select(ChainHead.currency).where(ChainHead.pool_id == entry.pool_id))
            draft = EntryDraft(
                pool_id=entry.pool_id,
                currency=str(currency),
                entry_type=EntryType.REVERSAL,
                effective_date=effective_date or now.date(),
                memo=memo if memo is not None else f"reversal of entry {entry_id} (seq {entry.seq})",
                lines=reversal_lines(session, entry),
                reverses_entry_id=entry_id,
            )
            return self._engine.write(session, actor, draft, now)

        request = {
            "pool_id": pool_id,
            "entry_id": entry_id,
            "effective_date": effective_date.isoformat() if effective_date else None,
            "memo": memo,
        }
        return self._write(actor, "reverse_entry", request, idempotency_key, work, pool_id=pool_id)

    def _write(
        self,
        actor: Actor,
        operation: str,
        document: Mapping[str, Any],
        idempotency_key: str,
        work: Callable[[Session, datetime], EntryOut],
        *,
        pool_id: int | None,
        open_books: str | None = None,
    ) -> EntryOut:
        """Claim the key, then run `work` in pool `pool_id`'s turn (ledger.pool_turns; None: a
        reversal of an entry of any pool, which takes none); `open_books`: the currency to
        open the pool's books in if they are not open yet."""
        fingerprint = request_fingerprint(operation, dict(document))
        claimed = self._keys.claim(actor, idempotency_key, operation, fingerprint, self._clock())
        if isinstance(claimed, Replay):
            return EntryOut.model_validate_json(claimed.response)
        try:
            with self._turns.turn(pool_id) if pool_id is not None else contextlib.nullcontext():
                out = self._run(actor, claimed, work, open_books)
        except BaseException:
            self._keys.release(claimed)
            raise
        ENTRIES_POSTED.labels("single").inc()
        if self._after_commit is not None:
            try:
                self._after_commit()
            except Exception:  # the entry is committed; the relay catches up later
                log.exception("after-commit hook failed", extra={"entry_id": out.id})
        return out

    def _run(
        self,
        actor: Actor,
        claim: Claim,
        work: Callable[[Session, datetime], EntryOut],
        open_books: str | None,
    ) -> EntryOut:
        def once() -> EntryOut:
            with UnitOfWork(self._db, actor.reader_key) as uow:
                now = self._clock()
                out = work(uow.session, now)
                self._keys.complete(uow.session, claim, out.id, out.model_dump_json(), now)
                uow.commit()
                return out

        for _ in range(3):
            try:
                return retry_transient(once, what="ledger write")
            except BooksNotOpen as missing:
                currency = missing.currency or open_books
                if currency is None:
                    raise NotFound(f"pool {missing.pool_id} has no journal yet", field="pool_id") from None
                self._open_books(missing.pool_id, currency)
        raise Conflict("could not open the pool's books; retry")  # pragma: no cover

    def open_books(self, pool_id: int, currency: str) -> None:
        """Start pool `pool_id`'s journal in `currency` (done on the first write anyway)."""
        self._open_books(pool_id, currency)

    def _open_books(self, pool_id: int, currency: str) -> None:
        def once() -> None:
            with UnitOfWork(self._db) as uow:
                self._engine.open_books(uow.session, pool_id, currency, self._clock())
                uow.commit()

        retry_transient(once, what="open books")

    def purge_expired_keys(self) -> int:
        """Forget idempotency keys past their retention (24 h by default)."""
        return self._keys.purge_expired(self._clock())
