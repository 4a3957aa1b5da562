"""Bulk storage: a checked batch numbered, hashed and written with one multi-row INSERT (or
executemany) per table: entries, postings, balances, entry details and outbox events.
Amounts go in as the scaled integers the columns hold, without building ORM objects."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.platform.actors import Actor
from backend.platform.errors import ValidationFailed
from ledger.batch.pipeline import InOrder
from ledger.batch.planning import (
    BatchPlan,
    PlannedEntry,
    PoolAccounts,
)
from ledger.batch.statements import (
    ACCOUNT_COLUMNS,
    ENTRY_COLUMNS,
    OUTBOX_COLUMNS,
    POSTING_COLUMNS,
    binder,
    chunks,
    insert_sql,
    outbox_rows,
    update_balances,
)
from ledger.errors import BatchRejected
from ledger.hash_chain import canonical_entry, chain_hash, to_scaled
from ledger.journal import JournalEngine
from ledger.models import Account, Balance, JournalEntry, OutboxEvent, Posting
from ledger.schemas import (
    AccountRef,
    BatchResult,
    account_key,
)

# -- the bulk writer ------------------------------------------------------------------------


@dataclass
class _Chained:
    """A chunk of the batch numbered and hashed, ready to store."""

    entries: list[PlannedEntry]
    planned: Sequence[PlannedEntry | None]  # the chunk's items, one per row
    first_seq: int
    entry_rows: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[list[tuple[AccountRef, int]]] = field(default_factory=list)  # per entry: (ref, scaled)
    hashes: list[tuple[str, str]] = field(default_factory=list)  # (prev_hash, hash)
    details: list[str] = field(default_factory=list)  # per entry: the workings as JSON


class BulkJournalWriter:
    """Writes a batch of checked entries of one pool; the caller owns the transaction."""

    CHUNK_POSTINGS = 12_000
    """Postings per chunk handed to the writing thread: small enough that storing overlaps
    most of the planning, large enough that the few statements per chunk are noise."""

    def __init__(self, engine: JournalEngine | None = None, *, chunk_postings: int | None = None) -> None:
        self._engine = engine or JournalEngine()
        self._chunk_postings = chunk_postings or self.CHUNK_POSTINGS

    def write(
        self,
        session: Session,
        *,
        actor: Actor,
        pool_id: int,
        plan: BatchPlan,
        accounts: PoolAccounts,
        now: datetime,
    ) -> BatchResult:
        """Write the plan's entries in row order; raises BatchRejected (after the last row is
        planned, so it lists every problem) if any row failed, and the caller rolls back.
        Every planned draft has passed validate_draft and the overdraft check."""
        stream = _PoolStream(
            session, engine=self._engine, actor=actor, pool_id=pool_id, accounts=accounts, now=now
        )
        writes = InOrder(threaded=stream.dialect.name != "sqlite")
        planned: list[PlannedEntry | None] = []
        try:
            chunk: list[PlannedEntry | None] = []
            postings = 0
            for item in plan.entries:
                writes.hand_over()
                planned.append(item)
                chunk.append(item)
                postings += 0 if item is None else len(item.draft.lines)
                # Once a row has failed nothing more is stored: the rest is only planned, so
                # that the report names every row's problem.
                if postings >= self._chunk_postings and not plan.errors:
                    writes.submit(functools.partial(stream.store, stream.chain(chunk)))
                    chunk, postings = [], 0
            if plan.errors:
                raise BatchRejected(plan.errors)
            if chunk:
                writes.submit(functools.partial(stream.store, stream.chain(chunk)))
            entry_ids = [entry_id for ids in writes.results() for entry_id in ids]
        finally:
            writes.close()
        result = stream.close(entry_ids)
        if plan.finish is not None:
            plan.finish(session, planned)
        return result


class _PoolStream:
    """One batch's writes into one pool. `chain` numbers and hashes a chunk (on the planning
    thread: it needs no database); `store` inserts it (on the writing thread), creating
    accounts on first use and summing balance changes until `close` sets them."""

    def __init__(
        self,
        session: Session,
        *,
        engine: JournalEngine,
        actor: Actor,
        pool_id: int,
        accounts: PoolAccounts,
        now: datetime,
    ) -> None:
        self._session = session
        self._head = engine.lock_pool(session, pool_id)  # held already; returns the head row
        self._conn = session.connection()
        self.dialect = self._conn.dialect
        self._pool_id = pool_id
        self._currency = self._head.currency
        self._now = now
        self._created_by, self._user_id = actor.label, actor.user_id
        self._created_at = now.replace(microsecond=0)  # DATETIME keeps whole seconds; hash what is stored
        self._stored_at = binder(JournalEntry.__table__.c.created_at, self.dialect)(self._created_at)
        self._bind_date = binder(JournalEntry.__table__.c.effective_date, self.dialect)
        # The planning thread's: the chain so far and each account's (key, commodity).
        self._seq = self._head.last_seq
        self._prev = self._head.last_hash
        self._first_seq: int | None = None
        self._keys: dict[AccountRef, tuple[str, str]] = {}
        # The writing thread's: account ids (a copy: the planner keeps reading its own),
        # postings stored, balance changes.
        self._ids: dict[AccountRef, int] = {ref: info.id for ref, info in accounts.accounts.items()}
        self._postings = 0
        self._deltas: dict[int, int] = defaultdict(int)
        self._last_entry: dict[int, int] = {}  # account id -> id of the last entry moving it

    def chain(self, planned: Sequence[PlannedEntry | None]) -> _Chained:
        """Number the chunk's entries after the previous chunk's and hash each over its
        predecessor, in order."""
        entries = [p for p in planned if p is not None]
        currency, pool_id = self._currency, self._pool_id
        for entry in entries:
            if entry.draft.currency != currency or entry.draft.pool_id != pool_id:
                raise ValidationFailed(
                    f"pool {pool_id} keeps its books in {currency}, not {entry.draft.currency}",
                    field="currency",
                )
        out = _Chained(entries=entries, planned=planned, first_seq=self._seq + 1)
        keys, prev, seq = self._keys, self._prev, self._seq
        dates: dict[date, Any] = {}
        for entry in entries:
            draft = entry.draft
            seq += 1
            lines: list[tuple[AccountRef, int]] = []
            canonical_postings: list[tuple[str, str, int]] = []
            for line in draft.lines:
                ref = line.ref
                known = keys.get(ref)
                if known is None:
                    known = keys[ref] = (account_key(*ref), ref[0].commodity(currency))
                scaled = to_scaled(line.amount)
                lines.append((ref, scaled))
                canonical_postings.append((known[0], known[1], scaled))
            out.lines.append(lines)
            canonical = canonical_entry(
                pool_id=pool_id,
                seq=seq,
                entry_type=draft.entry_type.value,
                effective_date=draft.effective_date,
                memo=draft.memo,
                reverses_entry_id=None,
                created_by=self._created_by,
                created_by_user_id=self._user_id,
                created_at=self._created_at,
                postings=canonical_postings,
            )
            digest = chain_hash(prev, canonical)
            out.hashes.append((prev, digest))
            on = draft.effective_date
            if on not in dates:
                dates[on] = self._bind_date(on)
            out.entry_rows.append(
                (
                    pool_id,
                    seq,
                    draft.entry_type.value,
                    dates[on],
                    draft.memo,
                    self._created_by,
                    self._user_id,
                    self._stored_at,
                    prev,
                    digest,
                )
            )
            out.details.append(json.dumps(entry.details, sort_keys=True))
            prev = digest
        if entries and self._first_seq is None:
            self._first_seq = out.first_seq
        self._seq, self._prev = seq, prev
        return out

    def store(self, chunk: _Chained) -> list[int | None]:
        """Insert the chunk's entries with their postings, details and events; returns the
        entry id per item (None where a row writes nothing)."""
        entries = chunk.entries
        if not entries:
            return [None] * len(chunk.planned)
        pool_id, conn, dialect = self._pool_id, self._conn, self.dialect
        self._ensure_accounts(chunk.lines)
        conn.exec_driver_sql(insert_sql(dialect, JournalEntry.__tablename__, ENTRY_COLUMNS), chunk.entry_rows)
        first_seq, last_seq = chunk.first_seq, chunk.first_seq + len(entries) - 1
        ids_by_seq = {
            int(seq): int(entry_id)
            for entry_id, seq in conn.execute(
                select(JournalEntry.id, JournalEntry.seq).where(
                    JournalEntry.pool_id == pool_id,
                    JournalEntry.seq >= first_seq,
                    JournalEntry.seq <= last_seq,
                )
            )
        }
        entry_ids = [ids_by_seq[first_seq + index] for index in range(len(entries))]
        ids, deltas, last_entry = self._ids, self._deltas, self._last_entry
        posting_rows: list[tuple[int, int, int, int]] = []
        for entry_id, lines in zip(entry_ids, chunk.lines, strict=True):
            for ref, scaled in lines:
                account_id = ids[ref]
                posting_rows.append((entry_id, pool_id, account_id, scaled))
                deltas[account_id] += scaled
                last_entry[account_id] = entry_id
        conn.exec_driver_sql(insert_sql(dialect, Posting.__tablename__, POSTING_COLUMNS), posting_rows)
        conn.exec_driver_sql(
            insert_sql(dialect, "ledger_entry_details", ("entry_id", "pool_id", "entry_type", "details")),
            [
                (entry_id, pool_id, entry.draft.entry_type.value, details)
                for entry_id, entry, details in zip(entry_ids, entries, chunk.details, strict=True)
            ],
        )
        conn.exec_driver_sql(
            insert_sql(dialect, OutboxEvent.__tablename__, OUTBOX_COLUMNS),
            outbox_rows(
                pool_id=pool_id,
                entries=entries,
                entry_ids=entry_ids,
                hashes=chunk.hashes,
                first_seq=first_seq,
                stored_at=self._stored_at,
            ),
        )
        self._postings += len(posting_rows)
        by_row: list[int | None] = []
        position = 0
        for item in chunk.planned:
            if item is None:
                by_row.append(None)
            else:
                by_row.append(entry_ids[position])
                position += 1
        return by_row

    def close(self, entry_ids: list[int | None]) -> BatchResult:
        """Set the balances the batch moved and the chain head; the batch's result."""
        head = self._head
        written = self._seq - head.last_seq
        if written:
            update_balances(self._conn, self._deltas, self._last_entry, self._now)
            head.last_seq = self._seq
            head.last_hash = self._prev
            head.ledger_version += written
            head.updated_at = self._now
            self._session.flush()
        return BatchResult(
            pool_id=self._pool_id,
            rows=len(entry_ids),
            entries=written,
            postings=self._postings,
            first_seq=self._first_seq,
            last_seq=self._seq if written else None,
            last_hash=head.last_hash,
            ledger_version=head.ledger_version,
            entry_ids=entry_ids,
        )

    # -- accounts created on first use, in bulk --------------------------------------
    def _ensure_accounts(self, lines: Iterable[Iterable[tuple[AccountRef, int]]]) -> None:
        known = self._ids
        missing: dict[str, AccountRef] = {}
        for entry_lines in lines:
            for ref, _ in entry_lines:
                if ref not in known:
                    missing[account_key(*ref)] = ref
        if not missing:
            return
        conn, dialect, pool_id, currency = self._conn, self.dialect, self._pool_id, self._currency
        stored_now = binder(Account.__table__.c.created_at, dialect)(self._now)
        rows = []
        for key in sorted(missing):
            code, investor = missing[key]
            rows.append(
                (
                    pool_id,
                    code.value,
                    investor,
                    key,
                    code.commodity(currency),
                    code.may_go_negative(False),
                    stored_now,
                )
            )
        conn.exec_driver_sql(insert_sql(dialect, Account.__tablename__, ACCOUNT_COLUMNS), rows)
        keys = sorted(missing)
        created: list[tuple[int, str]] = []
        for chunk in chunks(range(len(keys))):
            wanted = [keys[i] for i in chunk]
            created += [
                (int(r[0]), str(r[1]))
                for r in conn.execute(
                    select(Account.id, Account.account_key).where(
                        Account.pool_id == pool_id, Account.account_key.in_(wanted)
                    )
                )
            ]
        balance_time = binder(Balance.__table__.c.updated_at, dialect)(self._now)
        conn.exec_driver_sql(
            insert_sql(dialect, "ledger_balances", ("account_id", "pool_id", "balance", "updated_at")),
            [(account_id, pool_id, 0, balance_time) for account_id, _ in created],
        )
        for account_id, key in created:
            known[missing[key]] = account_id


