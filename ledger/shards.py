"""Shard by pool, as a simulation: a directory from pool to shard, and moving one pool's
books from one shard database to another with them verified on both sides.

What this is: real code over real MariaDB databases (the integration test runs two extra
mariadbd processes), small enough to read in one sitting. What it is not: online
resharding. docs/scaling.md says which parts production leaves to Vitess.

The directory lives in the global keyspace (table `pool_shards`). A pool is in one of
three states there, and every step of a move is safe to repeat after a crash at any point:

    active     the pool's books are on `shard`; reads and writes go there
    moving     a copy to `target` is under way; writes are refused, the source is still
               the truth, so the copy may be thrown away and redone
    releasing  the directory already points at `target`; the source's rows are leftovers
               still to be deleted

Shards' auto-increment ids must not overlap (each shard runs with its own
auto_increment_offset), so a pool's entry, posting and account ids keep their values when
its rows are copied: nothing in another table needs rewriting.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select, text

from backend.platform.db import Database
from backend.platform.orm import Base
from ledger import models as _models  # noqa: F401  (registers the ledger's tables on Base)
from ledger.verify import verify_books

ACTIVE, MOVING, RELEASING = "active", "moving", "releasing"

_directory_metadata = MetaData()
pool_shards = Table(
    "pool_shards",
    _directory_metadata,
    Column("pool_id", Integer, primary_key=True, autoincrement=False),
    Column("shard", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("target", String(64), nullable=True),
    Column("moved_at", DateTime, nullable=True),
)

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


class PoolMoving(ShardError):
    """A write for a pool whose books are being copied to another shard."""


@dataclass(frozen=True)
class Placement:
    pool_id: int
    shard: str
    state: str
    target: str | None


@dataclass(frozen=True)
class MoveReport:
    pool_id: int
    source: str
    target: str
    rows: Mapping[str, int]
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class ShardDirectory:
    """Which shard holds a pool. `shards` maps shard names to their databases (from
    configuration: name -> DATABASE_URL); `directory` is the global keyspace's database."""

    def __init__(self, directory: Database, shards: Mapping[str, Database]) -> None:
        if not shards:
            raise ShardError("shards: at least one shard is required")
        self._db = directory
        self.shards = dict(shards)
        _directory_metadata.create_all(directory.primary)

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
                for row in conn.execute(text("SELECT shard, COUNT(*) FROM pool_shards GROUP BY shard")):
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
        return Placement(int(row.pool_id), str(row.shard), str(row.state), row.target)

    def for_read(self, pool_id: int) -> Database:
        return self.database(self.placement(pool_id).shard)

    def for_write(self, pool_id: int) -> Database:
        placement = self.placement(pool_id)
        if placement.state == MOVING:
            raise PoolMoving(
                f"pool_id: pool {placement.pool_id} is moving to shard {placement.target!r}; retry"
            )
        return self.database(placement.shard)

    def _set(self, pool_id: int, **values: Any) -> None:
        with self._db.primary.begin() as conn:
            conn.execute(pool_shards.update().where(pool_shards.c.pool_id == pool_id).values(**values))


Step = Callable[[str], None]


def move_pool(
    directory: ShardDirectory, pool_id: int, target: str, *, after_step: Step | None = None
) -> MoveReport:
    """Move pool `pool_id`'s books to shard `target`; resumes a move a crash interrupted.

    `after_step` is called with "marked", "copied", "flipped" and "released" (the test's
    crash points). An error before the flip undoes the attempt (target rows cleared, the
    pool writable on its source again); a process killed there leaves the pool "moving",
    and the next call starts the copy afresh.
    """
    started = time.perf_counter()
    step = after_step or (lambda _name: None)
    target_db = directory.database(target)
    placement = directory.placement(pool_id)
    source = placement.shard
    rows: dict[str, int] = {}
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
            _delete_pool_rows(target_db, pool_id)  # a crashed attempt's copy, never authoritative
            rows = _copy(source_db, target_db, pool_id)
            step("copied")
            _check_copy(source_db, target_db, pool_id)
        except Exception:
            _delete_pool_rows(target_db, pool_id)
            directory._set(pool_id, state=ACTIVE, target=None)
            raise
        # The flip: from here the target is the truth and the source holds leftovers.
        directory._set(
            pool_id,
            shard=target,
            state=RELEASING,
            target=source,
            moved_at=datetime.now(UTC).replace(tzinfo=None),
        )
        step("flipped")

    placement = directory.placement(pool_id)
    if placement.state == RELEASING and placement.target is not None:
        source = placement.target
        _delete_pool_rows(directory.database(source), pool_id)
        directory._set(pool_id, state=ACTIVE, target=None)
        step("released")
    return MoveReport(pool_id, source, target, rows, round(time.perf_counter() - started, 3))


def _copy(source: Database, target: Database, pool_id: int) -> dict[str, int]:
    """Read the pool's rows under its chain-head lock (in-flight writers finish first, none
    start meanwhile) and write them to the target in one transaction."""
    counts: dict[str, int] = {}
    with source.primary.connect() as src, src.begin():
        src.execute(
            text("SELECT pool_id FROM ledger_chain_heads WHERE pool_id = :p FOR UPDATE"), {"p": pool_id}
        )
        with target.primary.connect() as dst, dst.begin():
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


def _check_copy(source: Database, target: Database, pool_id: int) -> None:
    report = verify_books(target, pool_id)
    if not report.ok:
        raise ShardError(f"pool_id: pool {pool_id}'s books do not verify on the target: {report.describe()}")
    if books_of(source, pool_id) != books_of(target, pool_id):
        raise ShardError(f"pool_id: pool {pool_id}'s balances or chain head differ between source and target")


def restore_delete_trigger_sql(table: str) -> str:
    """The migrations' append-only DELETE trigger (sql/append_only.py, which ledger may not
    import), as CREATE OR REPLACE; the shard test holds the two equal."""
    message = f"{table} is append-only: DELETE refused; post a reversing entry instead"
    return (
        f"CREATE OR REPLACE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
        f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{message}'"
    )


def _delete_pool_rows(db: Database, pool_id: int) -> None:
    """Delete a pool's rows from a shard that is not its truth.

    Entries, postings and details are append-only by trigger; only someone allowed to drop
    a trigger may do this, which is why the move runs as the DBA. The triggers are dropped
    for the delete and put back after it (CREATE OR REPLACE: a crash in between is repaired
    by the retry, which passes here again).
    """
    with db.primary.connect() as conn:
        present = conn.execute(
            text("SELECT COUNT(*) FROM ledger_chain_heads WHERE pool_id = :p"), {"p": pool_id}
        ).scalar_one()
        orphans = conn.execute(
            text("SELECT COUNT(*) FROM ledger_journal_entries WHERE pool_id = :p"), {"p": pool_id}
        ).scalar_one()
        conn.rollback()
        if not present and not orphans:
            return
        try:
            for table in _APPEND_ONLY:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            conn.commit()
            # One transaction: a crash mid-delete leaves all of the pool's rows or none.
            entries = "SELECT id FROM ledger_journal_entries WHERE pool_id = :p"
            conn.execute(text(f"DELETE FROM {_KEYS} WHERE entry_id IN ({entries})"), {"p": pool_id})  # noqa: S608
            for name in reversed(POOL_TABLES):
                conn.execute(text(f"DELETE FROM {name} WHERE pool_id = :p"), {"p": pool_id})  # noqa: S608
            conn.commit()
        finally:
            for table in _APPEND_ONLY:
                conn.exec_driver_sql(restore_delete_trigger_sql(table))
            conn.commit()
