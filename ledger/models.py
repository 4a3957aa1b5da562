"""The ledger service's tables. Nothing outside ledger/ reads or writes them.

Journal entries and postings are append-only: database triggers (sql/versions/0004) refuse
UPDATE and DELETE on both tables, so a correction is always a new, reversing entry.
Amounts are signed (debit positive) scaled integers: ScaledDecimal(6) covers cash at any
ISO 4217 minor unit and units at their 6 dp.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from backend.platform.orm import Base, ScaledDecimal, UTCDateTime
from ledger.schemas import AMOUNT_SCALE

_BIGINT = BigInteger().with_variant(Integer, "sqlite")
# An entry with thousands of postings serialises to more than TEXT's 64 KiB on MariaDB.
_LONG_TEXT = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")



class ChainHead(Base):
    """One row per pool: where its hash chain stands.

    Every writer locks this row first (SELECT ... FOR UPDATE), which serialises the pool's
    writers, makes `seq` gap-free and gives each entry a well-defined predecessor.
    """

    __tablename__ = "ledger_chain_heads"

    pool_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # The pool's currency as first posted: a later request in another currency is refused
    # rather than silently opening a second set of cash accounts.
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    last_seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    ledger_version: Mapped[int] = mapped_column(BigInteger, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # Set while this database's copy of the pool's books is not where its writes go (ledger.shards):
    # the shard a move is taking them to. Read under the lock every writer takes first, so a
    # writer that routed here before the move started is refused (PoolMoving) once the move
    # has marked it; kept on the emptied head the move leaves behind. None: write here.
    moving_to: Mapped[str | None] = mapped_column(String(64), nullable=True)


class PoolShard(Base):
    """The shard directory (ledger.shards): which shard database holds each pool's books, and
    where a move stands. A table of the global keyspace (docs/scaling.md), one row per placed
    pool; unused while the platform runs on one database."""

    __tablename__ = "pool_shards"

    pool_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    shard: Mapped[str] = mapped_column(String(64), nullable=False)
    # active, moving or releasing: ledger.shards says what each allows.
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    target: Mapped[str | None] = mapped_column(String(64), nullable=True)
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Account(Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (
        UniqueConstraint("pool_id", "account_key", "commodity", name="uq_ledger_accounts_pool_key"),
        Index("ix_ledger_accounts_pool_investor", "pool_id", "investor_id"),
        Index("ix_ledger_accounts_investor_pool", "investor_id", "pool_id"),
    )

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    pool_id: Mapped[int] = mapped_column(Integer, nullable=False)
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    investor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # code + investor in one NOT NULL column: a unique key over a nullable investor_id
    # would let two "cash" accounts in, since NULLs never collide in a unique index.
    account_key: Mapped[str] = mapped_column(String(64), nullable=False)
    commodity: Mapped[str] = mapped_column(String(8), nullable=False)
    may_go_negative: Mapped[bool] = mapped_column(Boolean, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class Balance(Base):
    """The running balance of one account, updated in the transaction of each posting."""

    __tablename__ = "ledger_balances"
    __table_args__ = (Index("ix_ledger_balances_pool_id", "pool_id"),)

    account_id: Mapped[int] = mapped_column(
        _BIGINT, ForeignKey("ledger_accounts.id"), primary_key=True, autoincrement=False
    )
    pool_id: Mapped[int] = mapped_column(Integer, nullable=False)
    balance: Mapped[Decimal] = mapped_column(ScaledDecimal(AMOUNT_SCALE), nullable=False)
    last_entry_id: Mapped[int | None] = mapped_column(_BIGINT, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class JournalEntry(Base):
    __tablename__ = "ledger_journal_entries"
    __table_args__ = (
        UniqueConstraint("pool_id", "seq", name="uq_ledger_journal_entries_pool_seq"),
        Index("ix_ledger_journal_entries_pool_date", "pool_id", "effective_date"),
        Index("ix_ledger_journal_entries_pool_type_date", "pool_id", "entry_type", "effective_date"),
    )

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    pool_id: Mapped[int] = mapped_column(Integer, nullable=False)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    entry_type: Mapped[str] = mapped_column(String(32), nullable=False)
    effective_date: Mapped[date] = mapped_column(Date, nullable=False)
    memo: Mapped[str] = mapped_column(String(500), nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    created_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # Unique: an entry is reversed at most once, whatever races the callers run.
    reverses_entry_id: Mapped[int | None] = mapped_column(
        # Named: the conventional name would exceed MariaDB's 64 characters.
        _BIGINT,
        ForeignKey("ledger_journal_entries.id", name="fk_ledger_journal_entries_reverses"),
        nullable=True,
        unique=True,
    )
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


class Posting(Base):
    __tablename__ = "ledger_postings"
    __table_args__ = (
        Index("ix_ledger_postings_entry_id", "entry_id"),
        Index("ix_ledger_postings_pool_entry", "pool_id", "entry_id"),
        Index("ix_ledger_postings_account_id", "account_id"),
    )

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(_BIGINT, ForeignKey("ledger_journal_entries.id"), nullable=False)
    # Denormalised from the entry so verify can stream one pool's postings by index; a
    # tampered pool_id only hides the posting from its entry, which the hash then catches.
    pool_id: Mapped[int] = mapped_column(Integer, nullable=False)
    account_id: Mapped[int] = mapped_column(_BIGINT, ForeignKey("ledger_accounts.id"), nullable=False)
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(AMOUNT_SCALE), nullable=False)


class IdempotencyKey(Base):
    """One Idempotency-Key of one caller: in flight, or completed with its response.

    Keyed by a sha256 of the key so that any key (up to 255 characters) fits the primary
    key and compares byte for byte whatever the column collation.
    """

    __tablename__ = "ledger_idempotency_keys"
    __table_args__ = (Index("ix_ledger_idempotency_keys_expires_at", "expires_at"),)

    principal: Mapped[str] = mapped_column(String(200), primary_key=True)
    key_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), nullable=False)
    operation: Mapped[str] = mapped_column(String(32), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    # Who holds an in-flight key: a retry that takes over an abandoned key gets a new
    # token, so the original attempt, should it wake up, can no longer complete it.
    owner_token: Mapped[str] = mapped_column(String(32), nullable=False)
    entry_id: Mapped[int | None] = mapped_column(_BIGINT, nullable=True)
    response: Mapped[str | None] = mapped_column(_LONG_TEXT, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class OutboxEvent(Base):
    """An event written in the transaction of its entry and published after commit."""

    __tablename__ = "ledger_outbox"
    __table_args__ = (Index("ix_ledger_outbox_unpublished", "published_at", "id"),)

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), nullable=False, unique=True)
    event_type: Mapped[str] = mapped_column(String(64), nullable=False)
    pool_id: Mapped[int] = mapped_column(Integer, nullable=False)
    entry_id: Mapped[int | None] = mapped_column(_BIGINT, nullable=True)
    payload: Mapped[str] = mapped_column(_LONG_TEXT, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The W3C traceparent of the request or task that wrote the event: the relay publishes it
    # as a child of that span, so one trace runs from the API call to the event's consumers.
    traceparent: Mapped[str | None] = mapped_column(String(55), nullable=True)


class EntryDetails(Base):
    """How a posting rule worked out an entry's figures: dealing price, units, allocation,
    waterfall tiers, high-water mark. Written in the entry's transaction and never changed;
    later rules read it back (the waterfall's cumulative tiers, the last high-water mark)."""

    __tablename__ = "ledger_entry_details"
    __table_args__ = (Index("ix_ledger_entry_details_pool_type", "pool_id", "entry_type"),)

    entry_id: Mapped[int] = mapped_column(
        _BIGINT,
        ForeignKey("ledger_journal_entries.id", name="fk_ledger_entry_details_entry"),
        primary_key=True,
        autoincrement=False,
    )
    pool_id: Mapped[int] = mapped_column(Integer, nullable=False)
    entry_type: Mapped[str] = mapped_column(String(32), nullable=False)
    details: Mapped[str] = mapped_column(_LONG_TEXT, nullable=False)


class VerifyRun(Base):
    """One run of the books' verification (ledger.verify: `app.py ledger verify`, the
    scheduled task): when it ended, over what, and whether the books held. Written after the
    run, in a transaction of its own; /metrics reads the latest (ledger.verify_metrics)."""

    __tablename__ = "ledger_verify_runs"
    __table_args__ = (Index("ix_ledger_verify_runs_scope_finished", "pool_id", "finished_at"),)

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # None: every pool (the whole books); else the one pool the run was asked to verify.
    pool_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ok: Mapped[bool] = mapped_column(Boolean, nullable=False)
    pools: Mapped[int] = mapped_column(Integer, nullable=False)
    entries: Mapped[int] = mapped_column(_BIGINT, nullable=False)
    breaks: Mapped[int] = mapped_column(Integer, nullable=False)
    duration_ms: Mapped[int] = mapped_column(Integer, nullable=False)
