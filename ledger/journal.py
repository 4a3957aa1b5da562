"""The posting engine: turns a validated entry draft into rows, inside the caller's transaction.

Locking order, the same for every writer, so writers queue instead of deadlocking:

1. the pool's chain-head row (SELECT ... FOR UPDATE): serialises the pool's writers, so
   `seq` is gap-free and each entry's predecessor (prev_hash) is well defined;
2. the account and balance rows the entry touches, read with one locking statement. Their
   order is free: every writer of a pool's balances holds its chain head first.

Nothing else is locked by a writer, apart from its own idempotency-key row, which no other
writer touches. Accounts are created on first use under the chain-head lock; a unique key
over (pool, account key, commodity) plus a retry makes that safe even without it.

Amounts are checked before anything is written (ledger.entry_drafts.validate_draft): each
entry balances to exactly zero per commodity, and each amount is within its commodity's
precision (the currency's minor unit for money, 6 dp for units). An entry that would take
an account that may not go negative below zero raises before any row is written, so the
caller's rollback leaves no trace.

One engine, kept whole past 400 lines on purpose: the locking order above is its contract,
and every step of a write (the chain head, the accounts created under it, the balances
locked, checked and moved, the entry, its postings and its event) takes its locks in that
order; split apart, the order would be a convention spread over modules instead of one
sequence a reviewer reads through.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Select, Table, bindparam, insert, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from backend.finance.errors import LedgerInputError
from backend.finance.money import get_currency
from backend.platform.actors import Actor
from backend.platform.errors import Conflict, NotFound, ValidationFailed
from ledger.book_reads import entry_out
from ledger.dealing_facts import latest_standing_entry
from ledger.entry_drafts import DraftLine, EntryDraft, validate_draft
from ledger.errors import PoolMoving
from ledger.events import with_effective_date
from ledger.forward_pricing import DealingFacts, require_date_order
from ledger.hash_chain import GENESIS_HASH, canonical_entry, chain_hash, to_scaled
from ledger.locking import locked_head, remember_locked_head, take_write_lock
from ledger.models import Account, Balance, ChainHead, JournalEntry, Posting
from ledger.outbox import add_events, event_row
from ledger.overdraft import overdrawn, refuses
from ledger.schemas import (
    AccountCode,
    AccountRef,
    EntryOut,
    EventType,
    PostingOut,
    account_key,
    present,
)

# The draft and its checks live in ledger.entry_drafts; they are re-exported here because a
# caller building an entry by hand (tests, the demo seed) thinks of them as the journal's.
__all__ = ["BooksNotOpen", "DraftLine", "EntryDraft", "JournalEngine", "committed_event", "validate_draft"]


# Built once (here, or on first use where the ORM's mappers must be ready): a statement
# object reused keeps its cache key, which is otherwise worked out again on every execution,
# and building it afresh cost about as much Python as the database took to answer it, all
# of it under the pool's lock.
_ENTRIES = cast(Table, JournalEntry.__table__)
_INSERT_ENTRY = insert(_ENTRIES)
_INSERT_POSTINGS = insert(cast(Table, Posting.__table__))
_HEADS = cast(Table, ChainHead.__table__)
_MOVE_HEAD = update(_HEADS).where(_HEADS.c.pool_id == bindparam("head_pool"))
_BALANCES = cast(Table, Balance.__table__)
_MOVED = ("balance", "last_entry_id", "updated_at")


@cache
def _lock_head_statement() -> Select[ChainHead]:
    return (
        select(ChainHead)
        .where(ChainHead.pool_id == bindparam("locked_pool_id"))
        .with_for_update()
        .execution_options(populate_existing=True)
    )


@cache
def _lock_accounts_statement() -> Select[Account, Balance]:
    return (
        select(Account, Balance)
        .join(Balance, Balance.account_id == Account.id)
        .where(
            Account.pool_id == bindparam("locked_pool_id"),
            Account.account_key.in_(bindparam("locked_keys", expanding=True)),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )


@cache
def _move_balances_statement(dialect: str) -> Insert:
    """Every balance the entry moves, written again over its primary key, for `dialect`."""
    if dialect in ("mysql", "mariadb"):
        on_mariadb = mysql_insert(_BALANCES)
        return on_mariadb.on_duplicate_key_update({name: on_mariadb.inserted[name] for name in _MOVED})
    on_sqlite = sqlite_insert(_BALANCES)
    return on_sqlite.on_conflict_do_update(
        index_elements=["account_id"], set_={name: on_sqlite.excluded[name] for name in _MOVED}
    )


class BooksNotOpen(Exception):
    """The pool has no chain head yet; open_books() creates it."""

    def __init__(self, pool_id: int, currency: str | None = None) -> None:
        super().__init__(f"pool {pool_id} has no books yet")
        self.pool_id = pool_id
        self.currency = currency


class JournalEngine:
    """Writes entries into an open session; the caller owns the transaction and commits."""

    def write(self, session: Session, actor: Actor, draft: EntryDraft, now: datetime) -> EntryOut:
        """Number, hash and write `draft`; raises before writing anything if it is not acceptable.

        The draft is validated here whatever built it (validate_draft), so a posting rule
        cannot write an unbalanced or over-precise entry. Raises BooksNotOpen when the pool
        has no chain head yet: open_books() in a transaction of its own, then write again
        (LedgerService does both).
        """
        draft = validate_draft(draft)
        try:
            head = self.lock_pool(session, draft.pool_id)
        except BooksNotOpen:
            raise BooksNotOpen(draft.pool_id, draft.currency) from None
        if head.currency != draft.currency:
            raise ValidationFailed(
                f"pool {draft.pool_id} keeps its books in {head.currency}, not {draft.currency}",
                field="currency",
            )
        if draft.reverses_entry_id is not None:
            self._refuse_second_reversal(session, draft.reverses_entry_id)
        else:
            try:
                require_date_order(
                    draft.pool_id,
                    DealingFacts(latest=latest_standing_entry(session, draft.pool_id)),
                    draft.effective_date,
                )
            except LedgerInputError as exc:
                raise ValidationFailed(f"{exc.field}: {exc.reason}", field=exc.field) from None
        accounts, locked = self._accounts(session, draft, now)
        moves = self._lock_and_check_balances(session, draft, accounts, locked)

        seq = head.last_seq + 1
        created_at = now.replace(microsecond=0)  # DATETIME keeps whole seconds; hash what is stored
        created_by = actor.label
        canonical = canonical_entry(
            pool_id=draft.pool_id,
            seq=seq,
            entry_type=draft.entry_type.value,
            effective_date=draft.effective_date,
            memo=draft.memo,
            reverses_entry_id=draft.reverses_entry_id,
            created_by=created_by,
            created_by_user_id=actor.user_id,
            created_at=created_at,
            postings=(
                (accounts[line.ref].account_key, accounts[line.ref].commodity, to_scaled(line.amount))
                for line in draft.lines
            ),
        )
        entry_hash = chain_hash(head.last_hash, canonical)
        row = {
            "pool_id": draft.pool_id,
            "seq": seq,
            "entry_type": draft.entry_type.value,
            "effective_date": draft.effective_date,
            "memo": draft.memo,
            "created_by": created_by,
            "created_by_user_id": actor.user_id,
            "created_at": created_at,
            "reverses_entry_id": draft.reverses_entry_id,
            "prev_hash": head.last_hash,
            "hash": entry_hash,
        }
        # The rows go out as Core statements on the session's connection: the ORM's unit of
        # work costs about as much Python again per row, all of it under the pool's lock.
        written = session.connection()
        try:
            inserted = written.execute(_INSERT_ENTRY, row)
        except IntegrityError as exc:
            # Only the unique reversal link can collide: seq is ours under the head lock.
            raise Conflict(
                f"entry {draft.reverses_entry_id} has already been reversed", field="entry_id"
            ) from exc
        entry = JournalEntry(id=int(inserted.lastrowid), **row)  # not added to the session: only read
        if draft.lines:  # a valuation that confirms the books moves nothing
            written.execute(
                _INSERT_POSTINGS,
                [
                    {
                        "entry_id": entry.id,
                        "pool_id": draft.pool_id,
                        "account_id": accounts[line.ref].id,
                        "amount": line.amount,
                    }
                    for line in draft.lines
                ],
            )
        self._move_balances(session, moves, entry.id, now)
        moved_on = {"last_seq": seq, "last_hash": entry_hash, "ledger_version": head.ledger_version + 1}
        written.execute(_MOVE_HEAD, {"head_pool": draft.pool_id, **moved_on, "updated_at": now})
        for name, value in (*moved_on.items(), ("updated_at", now)):
            set_committed_value(head, name, value)  # the locked head, as the database now has it

        out = entry_out(
            entry,
            (
                PostingOut(
                    account_id=accounts[line.ref].id,
                    account=line.account,
                    investor_id=line.investor_id,
                    commodity=accounts[line.ref].commodity,
                    amount=present(line.amount, accounts[line.ref].commodity),
                )
                for line in draft.lines
            ),
        )

        def event(event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
            return event_row(event_type, pool_id=draft.pool_id, entry_id=entry.id, payload=payload, now=now)

        events = [event(EventType.ENTRY_COMMITTED.value, committed_event(out))]
        if draft.reverses_entry_id is not None:
            reversed_ids = {"reversed_entry_id": draft.reverses_entry_id, "reversal_entry_id": entry.id}
            events.append(event(EventType.ENTRY_REVERSED.value, reversed_ids))
        events += [
            event(told.event_type, with_effective_date(told.payload, draft.effective_date, draft.memo))
            for told in draft.events
        ]
        add_events(session, events)  # one INSERT for all of them
        return out

    # -- step 1: the chain head ------------------------------------------------
    def lock_pool(self, session: Session, pool_id: int) -> ChainHead:
        """Lock the pool's chain head (first in every writer's lock order); BooksNotOpen if none,
        PoolMoving if a move between shards has marked it.

        Taking it again later in the same transaction (write() does) returns the row already
        locked, without asking the database again: the lock lasts as long as the transaction."""
        held = locked_head(session, pool_id)
        if isinstance(held, ChainHead):
            return held
        take_write_lock(session)
        head = session.scalars(_lock_head_statement(), {"locked_pool_id": pool_id}).one_or_none()
        if head is None:
            raise BooksNotOpen(pool_id)
        if head.moving_to is not None:
            # Marked under this same lock by a move between shards (ledger.shards): a writer
            # that routed here before the move began must not commit behind its copy.
            raise PoolMoving(pool_id, head.moving_to)
        remember_locked_head(session, pool_id, head)
        return head

    def open_books(self, session: Session, pool_id: int, currency: str, now: datetime) -> None:
        """Create the pool's chain head if missing. Run it in a transaction of its own.

        Inserting the head inside the first entry's transaction would let concurrent first
        writers deadlock on the duplicate-key locks (and, inside a savepoint, hide that
        deadlock behind a lost savepoint); a separate short transaction only ever needs
        a plain retry.
        """
        take_write_lock(session)
        exists = session.scalar(select(ChainHead.pool_id).where(ChainHead.pool_id == pool_id))
        if exists is not None:
            return
        try:
            with session.begin_nested():
                session.add(
                    ChainHead(
                        pool_id=pool_id,
                        currency=get_currency(currency).code,
                        last_seq=0,
                        last_hash=GENESIS_HASH,
                        ledger_version=0,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            return  # a concurrent first writer opened them
        except LedgerInputError as exc:
            raise ValidationFailed(exc.reason, field="currency") from None

    def _refuse_second_reversal(self, session: Session, entry_id: int) -> None:
        existing = session.scalar(select(JournalEntry.id).where(JournalEntry.reverses_entry_id == entry_id))
        if existing is not None:
            raise Conflict(
                f"entry {entry_id} has already been reversed by entry {existing}", field="entry_id"
            )

    # -- step 2: accounts, created on first use ---------------------------------
    def _accounts(
        self, session: Session, draft: EntryDraft, now: datetime
    ) -> tuple[dict[AccountRef, Account], dict[int, Balance]]:
        """The entry's accounts, opened if new, and the balances of those that existed, locked."""
        wanted = {
            account_key(code, investor): (code, investor)
            for code, investor in {line.ref for line in draft.lines}
        }
        found, locked = self._lock_accounts(session, draft.pool_id, wanted)
        missing = {key: wanted[key] for key in sorted(wanted.keys() - found.keys())}
        if missing:
            found |= self._create_accounts(session, draft, missing, now)
        accounts = {wanted[key]: account for key, account in found.items()}
        cash = accounts.get((AccountCode.CASH, None))
        if (
            cash is not None
            and draft.cash_may_go_negative is not None
            and cash.may_go_negative != draft.cash_may_go_negative
        ):
            cash.may_go_negative = draft.cash_may_go_negative  # the pool changed its setting
        return accounts, locked

    def _lock_accounts(
        self, session: Session, pool_id: int, wanted: dict[str, AccountRef]
    ) -> tuple[dict[str, Account], dict[int, Balance]]:
        """The accounts and their balance rows in one locking read: under the pool's lock a
        round trip is time every other writer of the pool waits. Every writer of balances
        holds the pool's chain head first, so the order these rows are locked in is free."""
        if not wanted:
            return {}, {}
        rows = session.execute(
            _lock_accounts_statement(), {"locked_pool_id": pool_id, "locked_keys": list(wanted)}
        ).all()
        return {account.account_key: account for account, _ in rows}, {
            balance.account_id: balance for _, balance in rows
        }

    def _create_accounts(
        self, session: Session, draft: EntryDraft, missing: dict[str, AccountRef], now: datetime
    ) -> dict[str, Account]:
        """Open every account the entry needs and the pool lacks, with their zero balances, in
        one INSERT per table (a capital call opens a receivable per investor: two statements
        and a savepoint each, one by one). If one was opened meanwhile, one by one instead."""
        opened = {
            key: self._new_account(draft, code, investor, now) for key, (code, investor) in missing.items()
        }
        try:
            with session.begin_nested():
                session.add_all(opened.values())
                session.flush()
                session.add_all(
                    Balance(account_id=account.id, pool_id=draft.pool_id, balance=Decimal(0), updated_at=now)
                    for account in opened.values()
                )
                session.flush()
        except IntegrityError:
            return {
                key: self._create_account(session, draft, code, investor, now)
                for key, (code, investor) in missing.items()
            }
        return opened

    @staticmethod
    def _new_account(draft: EntryDraft, code: AccountCode, investor: int | None, now: datetime) -> Account:
        return Account(
            pool_id=draft.pool_id,
            code=code.value,
            investor_id=investor,
            account_key=account_key(code, investor),
            commodity=code.commodity(draft.currency),
            may_go_negative=code.may_go_negative(bool(draft.cash_may_go_negative)),
            created_at=now,
        )

    def _create_account(
        self, session: Session, draft: EntryDraft, code: AccountCode, investor: int | None, now: datetime
    ) -> Account:
        key = account_key(code, investor)
        account = self._new_account(draft, code, investor, now)
        try:
            with session.begin_nested():
                session.add(account)
                session.flush()
                session.add(
                    Balance(account_id=account.id, pool_id=draft.pool_id, balance=Decimal(0), updated_at=now)
                )
        except IntegrityError:
            # Someone else opened it first (only possible without the head lock): use theirs.
            existing, _ = self._lock_accounts(session, draft.pool_id, {key: (code, investor)})
            if key not in existing:
                raise
            return existing[key]
        return account

    # -- step 3: balances, checked (locked with their accounts in step 2) ----------
    def _lock_and_check_balances(
        self,
        session: Session,
        draft: EntryDraft,
        accounts: dict[AccountRef, Account],
        locked: dict[int, Balance],
    ) -> list[tuple[Balance, Decimal]]:
        """Check each move against the balance it changes; `locked` holds the balances already
        read and locked with their accounts, and only the accounts just opened are read here."""
        deltas: dict[int, Decimal] = defaultdict(Decimal)
        for line in draft.lines:
            deltas[accounts[line.ref].id] += line.amount
        if not deltas:
            return []
        opened = sorted(deltas.keys() - locked.keys())
        if opened:
            locked = locked | {
                balance.account_id: balance
                for balance in session.scalars(
                    select(Balance)
                    .where(Balance.account_id.in_(opened))
                    .with_for_update()
                    .execution_options(populate_existing=True)
                )
            }
        balances = [locked[account_id] for account_id in sorted(deltas) if account_id in locked]
        if len(balances) != len(deltas):
            raise NotFound("a ledger account has no balance row; run `app.py ledger verify`")
        by_id = {account.id: account for account in accounts.values()}
        for balance in balances:
            delta = deltas[balance.account_id]
            account = by_id[balance.account_id]
            if refuses(balance.balance, delta, account.may_go_negative):
                raise overdrawn(
                    (AccountCode(account.code), account.investor_id),
                    pool_id=account.pool_id,
                    commodity=account.commodity,
                    held=balance.balance,
                    delta=delta,
                    entry_type=draft.entry_type,
                )
        return [(balance, deltas[balance.account_id]) for balance in balances]

    def _move_balances(
        self, session: Session, moves: list[tuple[Balance, Decimal]], entry_id: int, now: datetime
    ) -> None:
        """All the entry's balances in one statement: the locked rows written again with their
        new values (ON DUPLICATE KEY / ON CONFLICT UPDATE over the primary key; every row
        exists, it was just locked). The unit of work's flush sent an UPDATE per row: a
        capital call to 200 investors was 400 round trips. The loaded rows are given their
        new values as the database's, so a later read in this transaction sees them."""
        if not moves:
            return
        rows = [
            {
                "account_id": balance.account_id,
                "pool_id": balance.pool_id,
                "balance": balance.balance + delta,
                "last_entry_id": entry_id,
                "updated_at": now,
            }
            for balance, delta in moves
        ]
        session.connection().execute(_move_balances_statement(session.get_bind().dialect.name), rows)
        for (balance, _), row in zip(moves, rows, strict=True):
            set_committed_value(balance, "balance", row["balance"])
            set_committed_value(balance, "last_entry_id", entry_id)
            set_committed_value(balance, "updated_at", now)


def committed_event(entry: EntryOut) -> dict[str, Any]:
    """The `entry.committed` event: which entry, in which chain, touching which investors.

    Thin on purpose: a consumer that needs the postings reads the entry by id from the ledger
    service (at least once, in order, by event id); the postings themselves would make the
    outbox several times the size of the journal.
    """
    return {
        "entry_id": entry.id,
        "pool_id": entry.pool_id,
        "seq": entry.seq,
        "entry_type": entry.entry_type.value,
        "effective_date": entry.effective_date.isoformat(),
        "reverses_entry_id": entry.reverses_entry_id,
        "hash": entry.hash,
        "investor_ids": sorted({p.investor_id for p in entry.postings if p.investor_id is not None}),
    }
