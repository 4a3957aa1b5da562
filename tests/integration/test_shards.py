"""Past one database, simulated: two shard databases (private mariadbd processes on free
loopback ports), a directory from pool to shard, pools written on both through the real
ledger service, and a pool moved from one shard to the other with its books verified on
both sides of the move, including a move that crashes between the copy and the flip."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from backend.platform.actors import Actor
from backend.platform.db import Database
from ledger.interface import AccountCode, EntryType
from ledger.journal import DraftLine, EntryDraft
from ledger.service import DatabaseLedgerService
from ledger.shards import (
    POOL_TABLES,
    PoolMoving,
    ShardDirectory,
    books_of,
    move_pool,
    restore_delete_trigger_sql,
)
from ledger.verify import verify_books
from sql.append_only import create_trigger_sql
from sql.migrate import upgrade
from tests.integration.replication import DATABASE, MariaDBServer, installed_server
from tests.ledger_entries import write_draft

pytestmark = [pytest.mark.replication, pytest.mark.xdist_group("replication")]

OPERATOR = Actor.operator("shard-simulation")
SHARDS = ("a", "b")


@dataclass
class Cluster:
    servers: dict[str, MariaDBServer]
    databases: dict[str, Database]
    directory: ShardDirectory

    def ledger(self, pool_id: int, *, writing: bool) -> DatabaseLedgerService:
        directory = self.directory
        return DatabaseLedgerService(directory.for_write(pool_id) if writing else directory.for_read(pool_id))

    def contribute(self, pool_id: int, amount: Decimal, key: str) -> None:
        ledger = self.ledger(pool_id, writing=True)
        lines = (DraftLine(AccountCode.CASH, None, amount), DraftLine(AccountCode.CAPITAL, 1, -amount))
        draft = EntryDraft(pool_id, "USD", EntryType.CONTRIBUTION, date(2026, 10, 1), key, lines)
        write_draft(ledger, OPERATOR, draft, key)

    def pool_rows(self, shard: str, pool_id: int) -> dict[str, int]:
        """Every table of the live schema with a pool_id column, and the pool's rows in it."""
        with self.databases[shard].primary.connect() as conn:
            tables = [
                str(r[0])
                for r in conn.execute(
                    text(
                        "SELECT table_name FROM information_schema.columns "
                        "WHERE table_schema = DATABASE() AND column_name = 'pool_id' "
                        "AND table_name LIKE 'ledger%'"
                    )
                )
            ]
            count = "SELECT COUNT(*) FROM {} WHERE pool_id = :p"
            return {t: int(conn.execute(text(count.format(t)), {"p": pool_id}).scalar_one()) for t in tables}


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    # A short directory of our own: unix socket paths are capped at 107 bytes.
    base = Path(tempfile.mkdtemp(prefix="pools-shards-"))
    servers: dict[str, MariaDBServer] = {}
    databases: dict[str, Database] = {}
    try:
        for offset, name in enumerate(SHARDS, start=1):
            # Disjoint ids across shards, so a pool's rows keep their ids when they move.
            extra = (f"--auto-increment-increment={len(SHARDS)}", f"--auto-increment-offset={offset}")
            server = installed_server(base, name, offset, extra_args=extra)
            servers[name] = server
            server.start()
            server.query(f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
            upgrade(server.url())
            databases[name] = Database(server.url())
        # The global keyspace: a database of its own, here on shard a's server.
        servers["a"].query("CREATE DATABASE `global_keyspace` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        global_db = Database(servers["a"].url("global_keyspace"))
        databases["global"] = global_db
        yield Cluster(servers, databases, ShardDirectory(global_db, {n: databases[n] for n in SHARDS}))
    finally:
        for db in databases.values():
            db.dispose()
        for server in servers.values():
            server.kill()
        shutil.rmtree(base, ignore_errors=True)


def _fill(cluster: Cluster, pools: dict[int, str]) -> None:
    for pool_id, shard in pools.items():
        assert cluster.directory.assign(pool_id, shard) == shard
        for i in range(1, 6):
            cluster.contribute(pool_id, Decimal("1000.00") * pool_id + i, f"fill-{pool_id}-{i}")


def test_pools_on_two_shards_and_a_pool_moved_between_them(cluster: Cluster) -> None:
    _fill(cluster, {1: "a", 2: "a", 3: "b"})
    assert cluster.directory.assign(4) == "b"  # least loaded: b holds one pool, a two
    for shard in SHARDS:
        report = verify_books(cluster.databases[shard])
        assert report.ok, report.describe()
    assert verify_books(cluster.databases["a"]).pools == 2
    assert verify_books(cluster.databases["b"]).pools == 1

    # A read across shards: each pool's cash through its own shard's ledger, combined.
    cash = {p: cluster.ledger(p, writing=False).balances(p) for p in (1, 2, 3)}
    total = sum((sum(b.values(), Decimal(0)) for b in cash.values()), Decimal(0))
    assert total == Decimal(0)  # every pool's books balance, so do their sum
    for pool_id in (1, 2):  # each pool's rows on its own shard only
        assert cluster.pool_rows("a", pool_id)["ledger_journal_entries"] == 5
        assert sum(cluster.pool_rows("b", pool_id).values()) == 0

    # Every pool-keyed ledger table in the live schema is one the move copies.
    assert set(cluster.pool_rows("a", 1)) == set(POOL_TABLES)

    before = books_of(cluster.databases["a"], 2)
    rows_before = cluster.pool_rows("a", 2)
    moved = move_pool(cluster.directory, 2, "b")

    assert moved.rows["ledger_journal_entries"] == 5
    assert {t: moved.rows[t] for t in POOL_TABLES} == rows_before
    assert moved.rows["ledger_idempotency_keys"] == 5
    assert cluster.directory.placement(2).shard == "b"
    assert books_of(cluster.databases["b"], 2) == before
    assert sum(cluster.pool_rows("a", 2).values()) == 0  # nothing of the pool left on a
    with cluster.databases["a"].primary.connect() as conn:
        keys_left = conn.execute(text("SELECT COUNT(*) FROM ledger_idempotency_keys")).scalar_one()
    assert keys_left == 5  # pool 1's keys only
    report = verify_books(cluster.databases["b"], 2)
    assert report.ok and report.entries == 5, report.describe()
    assert verify_books(cluster.databases["a"]).ok  # pool 1 untouched, triggers back in place

    # A write routed by the directory lands on b and continues the chain moved there.
    cluster.contribute(2, Decimal("7.00"), "after-move")
    report = verify_books(cluster.databases["b"], 2)
    assert report.ok and report.entries == 6, report.describe()
    assert books_of(cluster.databases["b"], 2)["head"][0] == 6
    assert sum(cluster.pool_rows("a", 2).values()) == 0

    # The append-only triggers are back on a after the delete.
    with cluster.databases["a"].primary.connect() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("DELETE FROM ledger_postings WHERE pool_id = 1"))

    # The same move again is a no-op.
    assert move_pool(cluster.directory, 2, "b").total_rows == 0
    print(f"\nshard move: {moved.total_rows} rows in {moved.seconds:.3f}s ({dict(moved.rows)})")


def test_the_move_puts_back_the_triggers_the_migrations_made() -> None:
    for table in ("ledger_journal_entries", "ledger_postings", "ledger_entry_details"):
        migrated = create_trigger_sql("mysql", table, "DELETE")
        assert restore_delete_trigger_sql(table) == migrated.replace("CREATE ", "CREATE OR REPLACE ", 1)


class _Crash(Exception):
    pass


class _Killed(BaseException):
    """A process killed mid-move: no except clause of the move runs."""


def test_a_move_crashing_between_copy_and_flip_leaves_the_pool_on_its_source(cluster: Cluster) -> None:
    _fill(cluster, {1: "a"})
    before = books_of(cluster.databases["a"], 1)

    def crash(step: str) -> None:
        if step == "copied":
            raise _Crash(step)

    with pytest.raises(_Crash):
        move_pool(cluster.directory, 1, "b", after_step=crash)
    assert cluster.directory.placement(1).shard == "a"
    assert sum(cluster.pool_rows("b", 1).values()) == 0  # the copy was taken back
    assert books_of(cluster.databases["a"], 1) == before
    cluster.contribute(1, Decimal("3.00"), "after-crash")  # still writable on a
    assert verify_books(cluster.databases["a"], 1).ok

    def kill(step: str) -> None:
        if step == "copied":
            raise _Killed(step)

    with pytest.raises(_Killed):
        move_pool(cluster.directory, 1, "b", after_step=kill)
    # Killed outright: the pool stays "moving", writes are refused, b holds a stale copy.
    with pytest.raises(PoolMoving, match="pool_id"):
        cluster.contribute(1, Decimal("4.00"), "while-moving")
    assert cluster.directory.for_read(1) is cluster.databases["a"]  # reads still go to a
    assert books_of(cluster.databases["a"], 1)["head"][0] == 6

    moved = move_pool(cluster.directory, 1, "b")  # the retry throws the stale copy away
    assert moved.rows["ledger_journal_entries"] == 6
    assert sum(cluster.pool_rows("a", 1).values()) == 0
    report = verify_books(cluster.databases["b"], 1)
    assert report.ok and report.entries == 6, report.describe()
    cluster.contribute(1, Decimal("4.00"), "after-retry")
    assert verify_books(cluster.databases["b"], 1).entries == 7

    # Killed after the flip: a is already the truth again, b's rows are leftovers that
    # the retry deletes without copying anything.
    def killed_after_flip(step: str) -> None:
        if step == "flipped":
            raise _Killed(step)

    with pytest.raises(_Killed):
        move_pool(cluster.directory, 1, "a", after_step=killed_after_flip)
    assert cluster.directory.placement(1).state == "releasing"
    assert cluster.pool_rows("b", 1)["ledger_journal_entries"] == 7
    cluster.contribute(1, Decimal("5.00"), "after-flip")  # writes already go to a
    finished = move_pool(cluster.directory, 1, "a")
    assert finished.total_rows == 0
    assert sum(cluster.pool_rows("b", 1).values()) == 0
    report = verify_books(cluster.databases["a"], 1)
    assert report.ok and report.entries == 8, report.describe()
