"""Shard by pool, as a simulation: a directory from pool to shard, and moving one pool's
books from one shard database to another with them verified on both sides.

What this is: real code over real MariaDB databases (the integration tests run two extra
mariadbd processes), small enough to read in one sitting. What it is not: online
resharding. docs/scaling.md says which parts production leaves to Vitess.

The directory lives in the global keyspace (table `pool_shards`, ledger.models.PoolShard).
A pool is in one of three states there, and every step of a move is safe to repeat after a
crash at any point:

    active     the pool's books are on `shard`; reads and writes go there
    moving     a copy to `target` is under way; writes are refused, the source is still
               the truth, so the copy may be thrown away and redone
    releasing  the directory already points at `target`; the source's rows are leftovers
               still to be cleared

The directory alone cannot stop a writer that read it just before a move began: that writer
goes straight to the source database. So the move also marks the pool in the source's own
books, on the chain-head row every writer locks first (`ledger_chain_heads.moving_to`,
ledger.journal.JournalEngine.lock_pool): a writer that took the lock before the mark commits
before the copy starts, and is copied; one that takes it after is refused with PoolMoving
and retries through the directory. The copy on the target carries the same mark until the
directory points at it, and the source keeps an emptied, marked chain head after the move (a
forwarding head), so a writer with a stale directory is refused there instead of opening
fresh books on the wrong shard.

Shards' auto-increment ids must not overlap (each shard runs with its own
auto_increment_offset), so a pool's entry, posting and account ids keep their values when
its rows are copied: nothing in another table needs rewriting.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, func, select, text, update

from backend.platform.db import Database
from backend.platform.orm import Base, utcnow
from ledger.errors import PoolMoving
from ledger.hash_chain import GENESIS_HASH
from ledger.models import ChainHead, PoolShard
from ledger.verify import verify_books

__all__ = [
    "ACTIVE",
    "MOVING",
    "POOL_TABLES",
    "RELEASING",
    "MoveReport",
    "Placement",
    "PoolMoving",
    "ShardDirectory",
    "ShardError",
    "books_of",
    "move_pool",
    "restore_delete_trigger_sql",
]

ACTIVE, MOVING, RELEASING = "active", "moving", "releasing"

pool_shards = cast(Table, PoolShard.__table__)
_HEADS = cast(Table, ChainHead.__table__)

# Every ledger table keyed by pool, parents before children (foreign keys): derived from
# the models, so a new pool-keyed ledger table moves without a change here. The test
# compares this list with the live schema's tables that carry a pool_id column.
POOL_TABLES: tuple[str, ...] = tuple(
    t.name for t in Base.metadata.sorted_tables if t.name.startswith("ledger_") and "pool_id" in t.c
)
# Keyed by caller, not pool: a key belongs to the pool of the entry it guards.
_KEYS = "ledger_idempotency_keys"
_APPEND_ONLY = ("ledger_journal_entries", "ledger_postings", "ledger_entry_details")


class ShardError(RuntimeError):
    """The directory or a move refused: the message names the pool, shard or field."""


@dataclass(frozen=True)
class Placement:
    pool_id: int
    shard: str
    state: str
    target: str | None
    moved_at: datetime | None = None


@dataclass(frozen=True)
class MoveReport:
    pool_id: int
    source: str
    target: str
    rows: Mapping[str, int]
    seconds: float
    entries: int = 0  # journal entries verified on the target (0: nothing was copied)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class ShardDirectory:
    """Which shard holds a pool. `shards` maps shard names to their databases (from
    configuration: SHARD_URLS, name=url); `directory` is the global keyspace's database,
    migrated (sql/versions/0048 creates `pool_shards`)."""

    def __init__(self, directory: Database, shards: Mapping[str, Database]) -> None:
        if not shards:
            raise ShardError("shards: at least one shard is required")
        self._db = directory
        self.shards = dict(shards)

    def database(self, shard: str) -> Database:
        try:
            return self.shards[shard]
        except KeyError:
            raise ShardError(
                f"shard: unknown shard {shard!r} (known: {', '.join(sorted(self.shards))})"
            ) from None

    def assign(self, pool_id: int, shard: str | None = None) -> str:
        """Place a new pool: on `shard` if given, else on the shard holding fewest pools."""
        with self._db.primary.begin() as conn:
            existing = conn.execute(
                select(pool_shards.c.shard).where(pool_shards.c.pool_id == pool_id)
            ).scalar()
            if existing is not None:
                if shard is not None and shard != existing:
                    raise ShardError(f"pool_id: pool {pool_id} is already on shard {existing!r}")
                return str(existing)
            if shard is None:
                counts = {name: 0 for name in self.shards}
                grouped = select(pool_shards.c.shard, func.count()).group_by(pool_shards.c.shard)
                for row in conn.execute(grouped):
                    if row[0] in counts:
                        counts[str(row[0])] = int(row[1])
                shard = min(sorted(counts), key=lambda name: counts[name])
            self.database(shard)
            conn.execute(pool_shards.insert().values(pool_id=pool_id, shard=shard, state=ACTIVE))
            return shard

    def placement(self, pool_id: int) -> Placement:
        with self._db.primary.connect() as conn:
            row = conn.execute(select(pool_shards).where(pool_shards.c.pool_id == pool_id)).first()
        if row is None:
            raise ShardError(f"pool_id: pool {pool_id} has no shard; assign it first")
        return _placement(row)

    def placements(self) -> list[Placement]:
        """Every placed pool, by pool id."""
        with self._db.primary.connect() as conn:
            rows = conn.execute(select(pool_shards).order_by(pool_shards.c.pool_id)).all()
        return [_placement(row) for row in rows]

    def for_read(self, pool_id: int) -> Database:
        return self.database(self.placement(pool_id).shard)

    def for_write(self, pool_id: int) -> Database:
        placement = self.placement(pool_id)
        if placement.state == MOVING:
            raise PoolMoving(placement.pool_id, placement.target)
        return self.database(placement.shard)

    def _set(self, pool_id: int, **values: Any) -> None:
        with self._db.primary.begin() as conn:
            conn.execute(pool_shards.update().where(pool_shards.c.pool_id == pool_id).values(**values))


def _placement(row: Any) -> Placement:
    return Placement(int(row.pool_id), str(row.shard), str(row.state), row.target, row.moved_at)


Step = Callable[[str], None]


def move_pool(
    directory: ShardDirectory, pool_id: int, target: str, *, after_step: Step | None = None
) -> MoveReport:
    """Move pool `pool_id`'s books to shard `target`; resumes a move a crash interrupted.

    `after_step` is called with "marked", "fenced", "copied", "flipped" and "released" (the
    tests' crash and race points). An error before the flip undoes the attempt (the target
    left with a forwarding head at most, the pool writable on its source again); a process
    killed before the flip leaves the pool "moving" and one killed after it "releasing",
    writes refused either way, until the next call finishes the move.
    """
    started = time.perf_counter()
    step = after_step or (lambda _name: None)
    target_db = directory.database(target)
    placement = directory.placement(pool_id)
    source = placement.shard
    rows: dict[str, int] = {}
    entries = 0
    if placement.state == ACTIVE:
        if source == target:
            return MoveReport(pool_id, source, target, rows, 0.0)
        directory._set(pool_id, state=MOVING, target=target)
        step("marked")
    elif placement.state == MOVING and placement.target != target:
        raise ShardError(f"target: pool {pool_id} is already moving to {placement.target!r}, not {target!r}")
    elif placement.state == RELEASING and placement.shard != target:
        raise ShardError(f"target: pool {pool_id} has already moved to {placement.shard!r}, not {target!r}")

    if directory.placement(pool_id).state == MOVING:
        source_db = directory.database(source)
        try:
            _fence(source_db, pool_id, target)
            step("fenced")
            # Whatever a crashed attempt copied is never authoritative: start afresh.
            _clear_books(target_db, pool_id, forward_to=target)
            rows = _copy(source_db, target_db, pool_id, fence=target)
            step("copied")
            entries = _check_copy(source_db, target_db, pool_id)
        except Exception:
            _clear_books(target_db, pool_id, forward_to=source)
            _unfence(source_db, pool_id)
            directory._set(pool_id, state=ACTIVE, target=None)
            raise
        # The flip: from here the target is the truth and the source holds leftovers.
        directory._set(pool_id, shard=target, state=RELEASING, target=source, moved_at=utcnow())
        step("flipped")

    placement = directory.placement(pool_id)
    if placement.state == RELEASING and placement.target is not None:
        source = placement.target
        # The target takes writes only now that the directory sends them there.
        _unfence(directory.database(placement.shard), pool_id)
        _clear_books(directory.database(source), pool_id, forward_to=placement.shard)
        directory._set(pool_id, state=ACTIVE, target=None)
        step("released")
    seconds = round(time.perf_counter() - started, 3)
    return MoveReport(pool_id, source, target, rows, seconds, entries)


def _lock_head(conn: Connection, pool_id: int) -> bool:
    """Take the pool's chain-head row lock, as every writer does first; False if no head."""
    found = conn.execute(select(_HEADS.c.pool_id).where(_HEADS.c.pool_id == pool_id).with_for_update())
    return found.first() is not None


def _fence(db: Database, pool_id: int, moving_to: str) -> None:
    """Mark the pool's books on `db` as moving, under the chain-head lock: writers holding it
    commit first (and are copied); writers taking it later read the mark and are refused."""
    with db.primary.begin() as conn:
        if not _lock_head(conn, pool_id):
            raise ShardError(
                f"pool_id: pool {pool_id} has no books on its shard yet, so nothing to move; "
                "its first write opens them where the directory places it"
            )
        conn.execute(update(_HEADS).where(_HEADS.c.pool_id == pool_id).values(moving_to=moving_to))


def _unfence(db: Database, pool_id: int) -> None:
    with db.primary.begin() as conn:
        conn.execute(update(_HEADS).where(_HEADS.c.pool_id == pool_id).values(moving_to=None))


def _copy(source: Database, target: Database, pool_id: int, *, fence: str) -> dict[str, int]:
    """Read the pool's rows under its chain-head lock (a consistent cut: the fence already
    stops new writers) and write them to the target in one transaction, the copied chain
    head still marked `fence` so that nothing writes there before the directory says so."""
    counts: dict[str, int] = {}
    with source.primary.connect() as src, src.begin():
        _lock_head(src, pool_id)
        with target.primary.connect() as dst, dst.begin():
            # A forwarding head from an earlier move away, or a crashed attempt's: replaced in
            # the same transaction, so the pool is never without a marked head on the target.
            dst.execute(delete(_HEADS).where(_HEADS.c.pool_id == pool_id))
            for name in (*POOL_TABLES, _KEYS):
                table = Base.metadata.tables[name]
                if name == _KEYS:
                    entries = select(Base.metadata.tables["ledger_journal_entries"].c.id).where(
                        Base.metadata.tables["ledger_journal_entries"].c.pool_id == pool_id
                    )
                    query = select(table).where(table.c.entry_id.in_(entries))
                else:
                    query = select(table).where(table.c.pool_id == pool_id)
                found = [dict(r) for r in src.execute(query).mappings()]
                if name == _HEADS.name:
                    found = [{**row, "moving_to": fence} for row in found]
                if found:
                    dst.execute(table.insert(), found)
                counts[name] = len(found)
    return counts


def books_of(db: Database, pool_id: int) -> dict[str, Any]:
    """What must be equal on both sides of a move: balances by account and the chain head."""
    with db.primary.connect() as conn:
        head = conn.execute(
            text("SELECT last_seq, last_hash, ledger_version FROM ledger_chain_heads WHERE pool_id = :p"),
            {"p": pool_id},
        ).first()
        balances = {
            (str(r[0]), str(r[1])): int(r[2])
            for r in conn.execute(
                text(
                    "SELECT a.account_key, a.commodity, b.balance FROM ledger_balances b "
                    "JOIN ledger_accounts a ON a.id = b.account_id WHERE b.pool_id = :p"
                ),
                {"p": pool_id},
            )
        }
    return {"head": None if head is None else tuple(head), "balances": balances}


def _check_copy(source: Database, target: Database, pool_id: int) -> int:
    """Verify the copy (its hash chain and balances) and compare it with the source; the
    number of entries verified."""
    report = verify_books(target, pool_id)
    if not report.ok:
        raise ShardError(f"pool_id: pool {pool_id}'s books do not verify on the target: {report.describe()}")
    if books_of(source, pool_id) != books_of(target, pool_id):
        raise ShardError(f"pool_id: pool {pool_id}'s balances or chain head differ between source and target")
    return report.entries


def restore_delete_trigger_sql(table: str) -> str:
    """The migrations' append-only DELETE trigger (sql/append_only.py, which ledger may not
    import), as CREATE OR REPLACE; the shard test holds the two equal."""
    message = f"{table} is append-only: DELETE refused; post a reversing entry instead"
    return (
        f"CREATE OR REPLACE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
        f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{message}'"
    )


def _clear_books(db: Database, pool_id: int, *, forward_to: str) -> None:
    """Leave on `db` only a forwarding head for the pool: every other row of its books
    deleted, its chain head (if it has one) emptied (seq 0, the genesis hash, version 0, so
    `ledger verify` passes over it) and marked `moving_to = forward_to`, so a writer routed
    here by a stale directory is refused instead of writing where nobody reads.

    Entries, postings and details are append-only by trigger; only someone allowed to drop
    a trigger may do this, which is why the move runs as the DBA. The triggers are dropped
    for the delete and put back after it (CREATE OR REPLACE: a crash in between is repaired
    by the retry, which passes here again).
    """
    emptied = {"last_seq": 0, "last_hash": GENESIS_HASH, "ledger_version": 0, "updated_at": utcnow()}
    forwarding = update(_HEADS).where(_HEADS.c.pool_id == pool_id).values(**emptied, moving_to=forward_to)
    count = "SELECT COUNT(*) FROM {} WHERE pool_id = :p"
    with db.primary.connect() as conn:
        held = sum(
            int(conn.execute(text(count.format(name)), {"p": pool_id}).scalar_one())
            for name in POOL_TABLES
            if name != _HEADS.name
        )
        conn.rollback()
        if not held:
            conn.execute(forwarding)
            conn.commit()
            return
        try:
            for table in _APPEND_ONLY:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            conn.commit()
            # One transaction: a crash mid-delete leaves all of the pool's rows or none.
            entries = "SELECT id FROM ledger_journal_entries WHERE pool_id = :p"
            conn.execute(text(f"DELETE FROM {_KEYS} WHERE entry_id IN ({entries})"), {"p": pool_id})  # noqa: S608
            for name in reversed(POOL_TABLES):
                if name != _HEADS.name:
                    conn.execute(text(f"DELETE FROM {name} WHERE pool_id = :p"), {"p": pool_id})  # noqa: S608
            conn.execute(forwarding)
            conn.commit()
        finally:
            for table in _APPEND_ONLY:
                conn.exec_driver_sql(restore_delete_trigger_sql(table))
            conn.commit()
