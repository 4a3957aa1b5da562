"""Batch ingest: many entries of one pool, written in one transaction with bulk inserts.

The single-entry path (ledger.journal) writes one entry per transaction through the ORM.
A batch (a migration, a day of market-data-driven valuations, an imported spreadsheet)
instead:

1. takes the pool's chain-head lock once (the same first lock as every writer), reads the
   pool's accounts and balances once (:func:`load_pool_accounts`);
2. lets the caller apply the posting rules row after row to an in-memory copy of those
   balances (:class:`RunningBooks`), so each row sees the rows before it exactly as if
   they had been posted one by one; every row is checked (validate_draft, overdrafts) and
   every problem is collected as a :class:`RowError` instead of stopping at the first;
3. if no row failed, numbers and hashes the entries in order and writes entries, postings,
   balances, entry details and outbox events with one multi-row INSERT (or executemany)
   per table (:class:`BulkJournalWriter`); amounts are written as the scaled integers the
   columns hold, without building ORM objects.

All or nothing: any row error raises :class:`BatchRejected` (a ValidationFailed listing
every row's problem) before anything is written, and the caller's rollback undoes the rest.
The books a batch leaves are the books the same rows posted singly leave: same postings,
same balances, a valid hash chain (only created_at, and so the hashes, differ).

Locks: the chain head first, then the balance rows the batch touches in ascending account
id, as in ledger.journal, so a batch and single writers queue rather than deadlock.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from backend.platform.actors import Actor
from backend.platform.errors import ValidationFailed
from ledger.hash_chain import canonical_entry, chain_hash
from ledger.journal import AccountRef, EntryDraft, JournalEngine, commodity_places
from ledger.models import Account, Balance, JournalEntry, OutboxEvent
from ledger.schemas import (
    AccountCode,
    BatchResult,
    EntryType,
    EventType,
    RowError,
    account_key,
)

_SCALE = 10**6  # ledger.models.AMOUNT_SCALE: every amount column holds 10^-6 units
_IN_CHUNK = 900  # ids per IN (...) list: under SQLite's default 999 bound variables


_collector_lock = threading.Lock()
_collector_pauses = 0
_collector_was_enabled = False


@contextlib.contextmanager
def cyclic_collection_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector while a batch runs, then resume it.

    A batch keeps every planned line, draft and row alive until it commits: at 1M postings,
    millions of small objects that the collector would traverse again and again without
    finding a cycle (measured: 5.7 s of an 18.5 s run). Reference counting still frees
    everything that dies meanwhile; cycles made during the batch wait for the next
    collection. Reentrant across threads: the collector resumes when the last batch ends,
    and only if it was running when the first began.
    """
    global _collector_pauses, _collector_was_enabled  # noqa: PLW0603 - one process-wide switch
    with _collector_lock:
        if _collector_pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_pauses += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_pauses -= 1
            if _collector_pauses == 0 and _collector_was_enabled:
                gc.enable()


class BatchRejected(ValidationFailed):
    """Some rows of a batch cannot be posted; nothing was written. `errors` names each one."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        ordered = sorted(errors, key=lambda e: e.row)
        first = ordered[0]
        super().__init__(
            f"{len(ordered)} problem(s) in the batch, nothing was written; first: "
            f"row {first.row}, {first.field}: {first.reason}",
            field=first.field,
        )
        self.errors = ordered


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: int
    commodity: str
    may_go_negative: bool


@dataclass
class PoolAccounts:
    """A pool's accounts and balances as read under its chain-head lock."""

    pool_id: int
    accounts: dict[AccountRef, AccountInfo]
    balances: dict[AccountRef, Decimal]


def load_pool_accounts(session: Session, pool_id: int) -> PoolAccounts:
    rows = session.execute(
        select(
            Account.id,
            Account.code,
            Account.investor_id,
            Account.commodity,
            Account.may_go_negative,
            Balance.balance,
        )
        .join(Balance, Balance.account_id == Account.id)
        .where(Account.pool_id == pool_id)
    ).all()
    accounts: dict[AccountRef, AccountInfo] = {}
    balances: dict[AccountRef, Decimal] = {}
    for account_id, code, investor, commodity, may_go_negative, balance in rows:
        ref = (AccountCode(code), investor)
        accounts[ref] = AccountInfo(int(account_id), commodity, bool(may_go_negative))
        # At the commodity's scale, as LedgerService hands balances to the posting rules.
        balances[ref] = balance.quantize(Decimal(1).scaleb(-commodity_places(commodity)))
    return PoolAccounts(pool_id, accounts, balances)


@dataclass(frozen=True, slots=True)
class PlannedEntry:
    """A checked entry of the batch: row index, draft (validated) and the rule's details."""

    row: int
    draft: EntryDraft
    details: dict[str, Any] = field(default_factory=dict)


_MAY_BE_REFUSED = frozenset({AccountCode.CASH, AccountCode.UNITS})
"""The accounts an overdraft check can refuse (AccountCode.may_go_negative)."""


class RunningBooks:
    """The pool's balances as the batch goes: what each row's rule sees, applied in memory.

    `balances` is the same mapping posting_rules.PoolBooks takes (PoolBooks.apply, in place:
    one dict for the whole batch rather than a copy per row).
    """

    def __init__(self, accounts: PoolAccounts) -> None:
        self._accounts = accounts.accounts
        self.balances: dict[AccountRef, Decimal] = dict(accounts.balances)

    def overdraft(self, draft: EntryDraft) -> ValidationFailed | None:
        """The error the journal engine would raise for this entry now, or None."""
        deltas: dict[AccountRef, Decimal] = defaultdict(Decimal)
        for line in draft.lines:
            # Only cash and units can be refused; a valuation's hundreds of capital lines
            # are skipped without a lookup.
            if line.account in _MAY_BE_REFUSED:
                deltas[line.ref] += line.amount
        balances = self.balances
        for ref, delta in deltas.items():
            if delta >= 0:
                continue
            held = balances.get(ref, Decimal(0))
            if held + delta >= 0:
                continue
            info = self._accounts.get(ref)
            code = ref[0]
            allowed = (
                info.may_go_negative
                if info is not None
                else code.may_go_negative(bool(draft.cash_may_go_negative))
            )
            if not allowed:
                return _overdrawn(draft, ref, held, delta)
        return None

    def apply(self, draft: EntryDraft) -> None:
        balances = self.balances
        for line in draft.lines:
            ref = line.ref
            balances[ref] = balances.get(ref, Decimal(0)) + line.amount


def _overdrawn(draft: EntryDraft, ref: AccountRef, held: Decimal, delta: Decimal) -> ValidationFailed:
    code, investor = ref
    if code is AccountCode.UNITS:
        verb = "redeem" if draft.entry_type is EntryType.REDEMPTION else "give up"
        return ValidationFailed(
            f"investor {investor} holds {held} units, cannot {verb} {-delta}", field="units"
        )
    if code is AccountCode.CASH:
        return ValidationFailed(
            f"pool {draft.pool_id} has {held} {draft.currency} cash, cannot pay out {-delta} "
            "(the pool does not allow negative cash)",
            field="cash",
        )
    return ValidationFailed(
        f"account {account_key(code, investor)} holds {held}, cannot take {-delta} out", field=code.value
    )


# -- the bulk writer ------------------------------------------------------------------------


def _placeholders(dialect: Dialect, count: int) -> str:
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * count)


def _binder(column: ColumnElement[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """How the column's type turns a Python value into what the driver is given."""
    processor = column.type.bind_processor(dialect)
    return processor if processor is not None else (lambda value: value)


def _insert_sql(dialect: Dialect, table: str, columns: Sequence[str]) -> str:
    names = ", ".join(columns)
    return f"INSERT INTO {table} ({names}) VALUES ({_placeholders(dialect, len(columns))})"  # noqa: S608


def _chunks(values: Sequence[int], size: int = _IN_CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


_POSTING_COLUMNS = ("entry_id", "pool_id", "account_id", "amount")
_ACCOUNT_COLUMNS = (
    "pool_id",
    "code",
    "investor_id",
    "account_key",
    "commodity",
    "may_go_negative",
    "created_at",
)
_ENTRY_COLUMNS = (
    "pool_id",
    "seq",
    "entry_type",
    "effective_date",
    "memo",
    "created_by",
    "created_by_user_id",
    "created_at",
    "prev_hash",
    "hash",
)


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


@dataclass
class BatchPlan:
    """What a batch writer is handed: the planned entries, one item per row, as they are
    planned (an iterator, so the first rows are written while the last are still being
    planned), the list the planner adds each row's problem to, and what to do in the same
    transaction once every entry is written (the audit record)."""

    entries: Iterable[PlannedEntry | None]
    errors: list[RowError]
    finish: Callable[[Session, Sequence[PlannedEntry | None]], None] | None = None

    def check(self) -> list[PlannedEntry | None]:
        """Plan every row and write nothing (a dry run); raises BatchRejected on any problem."""
        planned = list(self.entries)
        if self.errors:
            raise BatchRejected(self.errors)
        return planned


class _Skipped(Exception):
    """A chunk not written because one before it failed (the earlier error is raised)."""


class _InOrder:
    """Runs the chunk writes one after another, in submission order: on a thread of their
    own when the database is a server (MariaDB), so the rules and hashing of the next rows
    run in this process while the server stores the previous ones; inline for SQLite, whose
    writes run in this process anyway.

    The session is only ever used by one thread at a time: the planner touches no database
    between its first and last row, and everything after the last chunk waits for the
    thread (`results`). On an error, chunks not yet started are dropped and the thread is
    waited for before the caller rolls back."""

    _AHEAD = 2  # chunks planned ahead of the one being stored: bounds the memory held

    def __init__(self, threaded: bool) -> None:
        self._pool = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-batch") if threaded else None
        )
        self._futures: list[Future[list[int | None]]] = []
        self._done: list[list[int | None]] = []
        self._failed = False

    def hand_over(self) -> None:
        """Between rows: planning holds the interpreter lock, and a zero sleep hands it to the
        writing thread if the server has answered it, instead of leaving that thread to wait
        out the interpreter's switch interval (5 ms) after every statement."""
        if self._pool is not None:
            time.sleep(0)

    def submit(self, write: Callable[[], list[int | None]]) -> None:
        if self._pool is None:
            self._done.append(write())
            return
        self._futures.append(self._pool.submit(self._unless_failed, write))
        while len(self._futures) > self._AHEAD or (self._futures and self._futures[0].done()):
            self._done.append(self._futures.pop(0).result())  # re-raises the writer's error here

    def _unless_failed(self, write: Callable[[], list[int | None]]) -> list[int | None]:
        # After a failed statement the transaction is lost: the chunks queued behind it are
        # not sent (the caller sees the first error and rolls back).
        if self._failed:
            raise _Skipped
        try:
            return write()
        except BaseException:
            self._failed = True
            raise

    def results(self) -> list[list[int | None]]:
        while self._futures:
            self._done.append(self._futures.pop(0).result())
        return self._done

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


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
        writes = _InOrder(threaded=stream.dialect.name != "sqlite")
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
        self._stored_at = _binder(JournalEntry.__table__.c.created_at, self.dialect)(self._created_at)
        self._bind_date = _binder(JournalEntry.__table__.c.effective_date, self.dialect)
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
                scaled = _to_scaled(line.amount)
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
        conn.exec_driver_sql(_insert_sql(dialect, "ledger_journal_entries", _ENTRY_COLUMNS), chunk.entry_rows)
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
        conn.exec_driver_sql(_insert_sql(dialect, "ledger_postings", _POSTING_COLUMNS), posting_rows)
        conn.exec_driver_sql(
            _insert_sql(dialect, "ledger_entry_details", ("entry_id", "pool_id", "entry_type", "details")),
            [
                (entry_id, pool_id, entry.draft.entry_type.value, details)
                for entry_id, entry, details in zip(entry_ids, entries, chunk.details, strict=True)
            ],
        )
        conn.exec_driver_sql(
            _insert_sql(dialect, OutboxEvent.__tablename__, _OUTBOX_COLUMNS),
            _outbox_rows(
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
            _update_balances(self._conn, self._deltas, self._last_entry, self._now)
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
        stored_now = _binder(Account.__table__.c.created_at, dialect)(self._now)
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
        conn.exec_driver_sql(_insert_sql(dialect, "ledger_accounts", _ACCOUNT_COLUMNS), rows)
        keys = sorted(missing)
        created: list[tuple[int, str]] = []
        for chunk in _chunks(range(len(keys))):
            wanted = [keys[i] for i in chunk]
            created += [
                (int(r[0]), str(r[1]))
                for r in conn.execute(
                    select(Account.id, Account.account_key).where(
                        Account.pool_id == pool_id, Account.account_key.in_(wanted)
                    )
                )
            ]
        balance_time = _binder(Balance.__table__.c.updated_at, dialect)(self._now)
        conn.exec_driver_sql(
            _insert_sql(dialect, "ledger_balances", ("account_id", "pool_id", "balance", "updated_at")),
            [(account_id, pool_id, 0, balance_time) for account_id, _ in created],
        )
        for account_id, key in created:
            known[missing[key]] = account_id


# -- balances: locked in ascending account id, then set ------------------------------------
def _update_balances(
    conn: Connection, deltas: dict[int, int], last_entry: dict[int, int], now: datetime
) -> None:
    ids = sorted(deltas)
    current: dict[int, int] = {}
    pool_of: dict[int, int] = {}
    for chunk in _chunks(ids):
        for account_id, balance, pool_id in conn.execute(
            select(Balance.__table__.c.account_id, Balance.__table__.c.balance, Balance.__table__.c.pool_id)
            .where(Balance.__table__.c.account_id.in_(list(chunk)))
            .order_by(Balance.__table__.c.account_id)
            .with_for_update()
        ):
            current[int(account_id)] = _to_scaled(balance)  # read back as Decimal
            pool_of[int(account_id)] = int(pool_id)
    if len(current) != len(ids):
        raise ValidationFailed("a ledger account has no balance row; run `app.py ledger verify`")
    dialect = conn.dialect
    stored_now = _binder(Balance.__table__.c.updated_at, dialect)(now)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    # Every row exists and is locked (above): an upsert that always updates, written as a
    # multi-row INSERT so the driver sends the whole batch in a few statements instead of one
    # UPDATE per account.
    if dialect.name == "sqlite":
        conflict = (
            "ON CONFLICT(account_id) DO UPDATE SET balance = excluded.balance, "
            "last_entry_id = excluded.last_entry_id, updated_at = excluded.updated_at"
        )
    else:
        conflict = (
            "ON DUPLICATE KEY UPDATE balance = VALUES(balance), "
            "last_entry_id = VALUES(last_entry_id), updated_at = VALUES(updated_at)"
        )
    conn.exec_driver_sql(
        "INSERT INTO ledger_balances (account_id, pool_id, balance, last_entry_id, updated_at) "  # noqa: S608 - placeholders and a fixed clause only
        f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark}) {conflict}",
        [
            (
                account_id,
                pool_of[account_id],
                current[account_id] + deltas[account_id],
                last_entry[account_id],
                stored_now,
            )
            for account_id in ids
        ],
    )


# -- the outbox: the events single writes would have written, in the same order ------------
_OUTBOX_COLUMNS = ("event_id", "event_type", "pool_id", "entry_id", "payload", "created_at")


def _outbox_rows(
    *,
    pool_id: int,
    entries: Sequence[PlannedEntry],
    entry_ids: Sequence[int],
    hashes: Sequence[tuple[str, str]],
    first_seq: int,
    stored_at: Any,
) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for index, (entry, entry_id) in enumerate(zip(entries, entry_ids, strict=True)):
        draft = entry.draft
        # The same thin `entry.committed` body a single write sends (journal.committed_event).
        payload: dict[str, Any] = {
            "entry_id": entry_id,
            "pool_id": pool_id,
            "seq": first_seq + index,
            "entry_type": draft.entry_type.value,
            "effective_date": draft.effective_date.isoformat(),
            "reverses_entry_id": None,
            "hash": hashes[index][1],
            "investor_ids": sorted(
                {line.investor_id for line in draft.lines if line.investor_id is not None}
            ),
        }
        events = [(EventType.ENTRY_COMMITTED.value, payload)]
        events += [(event.event_type, event.payload) for event in draft.events]
        for event_type, body in events:
            rows.append(
                (
                    str(uuid.uuid4()),
                    event_type,
                    pool_id,
                    entry_id,
                    json.dumps(body, sort_keys=True, default=str),
                    stored_at,
                )
            )
    return rows


def _to_scaled(amount: Decimal) -> int:
    """The amount as the integer count of 10^-6 the columns hold (validated: at most 6 dp)."""
    scaled = amount.scaleb(6)
    as_int = int(scaled)
    if as_int != scaled:
        raise ValueError(f"{amount} has more than 6 decimal places")
    return as_int


__all__ = [
    "AccountInfo",
    "BatchPlan",
    "BatchRejected",
    "BulkJournalWriter",
    "PlannedEntry",
    "PoolAccounts",
    "RunningBooks",
    "cyclic_collection_paused",
    "load_pool_accounts",
]
