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

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from backend.actors import Actor
from backend.errors import ValidationFailed
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
    """The batch numbered and hashed, ready to insert."""

    entry_rows: list[tuple[Any, ...]] = field(default_factory=list)
    lines: list[list[tuple[int, int]]] = field(default_factory=list)  # per entry: (account id, scaled)
    deltas: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    last_touch: dict[int, int] = field(default_factory=dict)  # account id -> last entry index
    hashes: list[tuple[str, str]] = field(default_factory=list)  # (prev_hash, hash)


class BulkJournalWriter:
    """Writes a batch of checked entries of one pool; the caller owns the transaction."""

    def __init__(self, engine: JournalEngine | None = None) -> None:
        self._engine = engine or JournalEngine()

    def write(
        self,
        session: Session,
        *,
        actor: Actor,
        pool_id: int,
        planned: Sequence[PlannedEntry | None],
        accounts: PoolAccounts,
        now: datetime,
    ) -> BatchResult:
        """`planned` has one item per row: the entry to write, or None for a row that writes
        nothing. Every draft must have passed validate_draft and the overdraft check."""
        head = self._engine.lock_pool(session, pool_id)
        entries = [p for p in planned if p is not None]
        if not entries:
            return BatchResult(
                pool_id=pool_id,
                rows=len(planned),
                entries=0,
                postings=0,
                first_seq=None,
                last_seq=None,
                last_hash=head.last_hash,
                ledger_version=head.ledger_version,
                entry_ids=[None] * len(planned),
            )
        for entry in entries:
            if entry.draft.currency != head.currency or entry.draft.pool_id != pool_id:
                raise ValidationFailed(
                    f"pool {pool_id} keeps its books in {head.currency}, not {entry.draft.currency}",
                    field="currency",
                )
        conn = session.connection()
        dialect = conn.dialect
        currency = head.currency
        known = self._ensure_accounts(
            conn=conn, pool_id=pool_id, currency=currency, entries=entries, accounts=accounts, now=now
        )

        created_at = now.replace(microsecond=0)  # DATETIME keeps whole seconds; hash what is stored
        created_by, user_id = actor.label, actor.user_id
        seq0 = head.last_seq
        key_of: dict[AccountRef, tuple[int, str, str]] = {
            ref: (info.id, account_key(*ref), info.commodity) for ref, info in known.items()
        }

        bind_time = _binder(JournalEntry.__table__.c.created_at, dialect)
        stored_at = bind_time(created_at)
        chained = self._chain(
            pool_id=pool_id,
            entries=entries,
            key_of=key_of,
            seq0=seq0,
            prev=head.last_hash,
            created_by=created_by,
            user_id=user_id,
            created_at=created_at,
            stored_at=stored_at,
            bind_date=_binder(JournalEntry.__table__.c.effective_date, dialect),
        )
        prev = chained.hashes[-1][1]
        conn.exec_driver_sql(
            _insert_sql(dialect, "ledger_journal_entries", _ENTRY_COLUMNS), chained.entry_rows
        )
        first_seq, last_seq = seq0 + 1, seq0 + len(entries)
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
        entry_ids = [ids_by_seq[seq0 + index + 1] for index in range(len(entries))]

        posting_rows = [
            (entry_id, pool_id, account_id, scaled)
            for entry_id, lines in zip(entry_ids, chained.lines, strict=True)
            for account_id, scaled in lines
        ]
        conn.exec_driver_sql(_insert_sql(dialect, "ledger_postings", _POSTING_COLUMNS), posting_rows)
        self._update_balances(
            conn, chained.deltas, {a: entry_ids[i] for a, i in chained.last_touch.items()}, now
        )

        details_rows = [
            (entry_id, pool_id, entry.draft.entry_type.value, json.dumps(entry.details, sort_keys=True))
            for entry_id, entry in zip(entry_ids, entries, strict=True)
        ]
        conn.exec_driver_sql(
            _insert_sql(dialect, "ledger_entry_details", ("entry_id", "pool_id", "entry_type", "details")),
            details_rows,
        )
        self._outbox(
            conn=conn,
            pool_id=pool_id,
            entries=entries,
            entry_ids=entry_ids,
            hashes=chained.hashes,
            key_of=key_of,
            first_seq=first_seq,
            created_by=created_by,
            user_id=user_id,
            created_at=created_at,
            stored_at=stored_at,
        )

        head.last_seq = last_seq
        head.last_hash = prev
        head.ledger_version += len(entries)
        head.updated_at = now
        session.flush()

        by_row: list[int | None] = []
        position = 0
        for item in planned:
            if item is None:
                by_row.append(None)
            else:
                by_row.append(entry_ids[position])
                position += 1
        return BatchResult(
            pool_id=pool_id,
            rows=len(planned),
            entries=len(entries),
            postings=len(posting_rows),
            first_seq=first_seq,
            last_seq=last_seq,
            last_hash=prev,
            ledger_version=head.ledger_version,
            entry_ids=by_row,
        )

    @staticmethod
    def _chain(
        *,
        pool_id: int,
        entries: Sequence[PlannedEntry],
        key_of: dict[AccountRef, tuple[int, str, str]],
        seq0: int,
        prev: str,
        created_by: str,
        user_id: int | None,
        created_at: datetime,
        stored_at: Any,
        bind_date: Callable[[Any], Any],
    ) -> _Chained:
        """Number the entries after seq0 and hash each over its predecessor, in order."""
        out = _Chained()
        deltas, last_touch = out.deltas, out.last_touch
        dates: dict[date, Any] = {}
        for index, entry in enumerate(entries):
            draft = entry.draft
            seq = seq0 + index + 1
            lines: list[tuple[int, int]] = []
            canonical_postings: list[tuple[str, str, int]] = []
            for line in draft.lines:
                account_id, key, commodity = key_of[line.ref]
                scaled = _to_scaled(line.amount)
                lines.append((account_id, scaled))
                canonical_postings.append((key, commodity, scaled))
                deltas[account_id] += scaled
                last_touch[account_id] = index
            out.lines.append(lines)
            canonical = canonical_entry(
                pool_id=pool_id,
                seq=seq,
                entry_type=draft.entry_type.value,
                effective_date=draft.effective_date,
                memo=draft.memo,
                reverses_entry_id=None,
                created_by=created_by,
                created_by_user_id=user_id,
                created_at=created_at,
                postings=canonical_postings,
            )
            digest = chain_hash(prev, canonical)
            out.hashes.append((prev, digest))
            on = draft.effective_date
            if on not in dates:
                dates[on] = bind_date(on)
            out.entry_rows.append(
                (
                    pool_id,
                    seq,
                    draft.entry_type.value,
                    dates[on],
                    draft.memo,
                    created_by,
                    user_id,
                    stored_at,
                    prev,
                    digest,
                )
            )
            prev = digest
        return out

    # -- accounts created on first use, in bulk --------------------------------------
    def _ensure_accounts(
        self,
        *,
        conn: Connection,
        pool_id: int,
        currency: str,
        entries: Sequence[PlannedEntry],
        accounts: PoolAccounts,
        now: datetime,
    ) -> dict[AccountRef, AccountInfo]:
        known = dict(accounts.accounts)
        missing: dict[str, AccountRef] = {}
        for entry in entries:
            for line in entry.draft.lines:
                if line.ref not in known:
                    missing[account_key(*line.ref)] = line.ref
        if not missing:
            return known
        dialect = conn.dialect
        bind_time = _binder(Account.__table__.c.created_at, dialect)
        stored_now = bind_time(now)
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
        conn.exec_driver_sql(
            _insert_sql(
                dialect,
                "ledger_accounts",
                _ACCOUNT_COLUMNS,
            ),
            rows,
        )
        keys = sorted(missing)
        created: list[tuple[int, str, str, bool]] = []
        for chunk in _chunks(range(len(keys))):
            wanted = [keys[i] for i in chunk]
            created += [
                (int(r[0]), str(r[1]), str(r[2]), bool(r[3]))
                for r in conn.execute(
                    select(Account.id, Account.account_key, Account.commodity, Account.may_go_negative).where(
                        Account.pool_id == pool_id, Account.account_key.in_(wanted)
                    )
                )
            ]
        balance_time = _binder(Balance.__table__.c.updated_at, dialect)(now)
        conn.exec_driver_sql(
            _insert_sql(dialect, "ledger_balances", ("account_id", "pool_id", "balance", "updated_at")),
            [(account_id, pool_id, 0, balance_time) for account_id, _, _, _ in created],
        )
        for account_id, key, commodity, may_go_negative in created:
            known[missing[key]] = AccountInfo(account_id, commodity, may_go_negative)
        return known

    # -- balances: locked in ascending account id, then set ------------------------------
    def _update_balances(
        self, conn: Connection, deltas: dict[int, int], last_entry: dict[int, int], now: datetime
    ) -> None:
        ids = sorted(deltas)
        current: dict[int, int] = {}
        pool_of: dict[int, int] = {}
        for chunk in _chunks(ids):
            for account_id, balance, pool_id in conn.execute(
                select(
                    Balance.__table__.c.account_id, Balance.__table__.c.balance, Balance.__table__.c.pool_id
                )
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
        # Every row exists and is locked (above): an upsert that always updates, written as
        # a multi-row INSERT so the driver sends the whole batch in a few statements instead
        # of one UPDATE per account.
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

    # -- the outbox: the events single writes would have written, in the same order --------
    def _outbox(
        self,
        *,
        conn: Connection,
        pool_id: int,
        entries: Sequence[PlannedEntry],
        entry_ids: Sequence[int],
        hashes: Sequence[tuple[str, str]],
        key_of: dict[AccountRef, tuple[int, str, str]],
        first_seq: int,
        created_by: str,
        user_id: int | None,
        created_at: datetime,
        stored_at: Any,
    ) -> None:
        rows: list[tuple[Any, ...]] = []
        for index, (entry, entry_id) in enumerate(zip(entries, entry_ids, strict=True)):
            draft = entry.draft
            _, digest = hashes[index]
            # The same thin `entry.committed` body a single write sends (journal.committed_event).
            payload: dict[str, Any] = {
                "entry_id": entry_id,
                "pool_id": pool_id,
                "seq": first_seq + index,
                "entry_type": draft.entry_type.value,
                "effective_date": draft.effective_date.isoformat(),
                "reverses_entry_id": None,
                "hash": digest,
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
        conn.exec_driver_sql(
            _insert_sql(
                conn.dialect,
                OutboxEvent.__tablename__,
                ("event_id", "event_type", "pool_id", "entry_id", "payload", "created_at"),
            ),
            rows,
        )


def _to_scaled(amount: Decimal) -> int:
    """The amount as the integer count of 10^-6 the columns hold (validated: at most 6 dp)."""
    scaled = amount.scaleb(6)
    as_int = int(scaled)
    if as_int != scaled:
        raise ValueError(f"{amount} has more than 6 decimal places")
    return as_int


__all__ = [
    "AccountInfo",
    "BatchRejected",
    "BulkJournalWriter",
    "PlannedEntry",
    "PoolAccounts",
    "RunningBooks",
    "load_pool_accounts",
]
