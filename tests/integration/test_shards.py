"""Past one database, simulated: two shard databases (private mariadbd processes on free
loopback ports), a directory from pool to shard, pools written on both through the real
ledger service, and a pool moved from one shard to the other with its books verified on
both sides of the move, including moves that crash between the copy and the flip, and
writers that read the directory before a move began and race it on the source."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

import app as cli
from backend.composition.container import Container
from backend.platform.cache import InProcessCache
from backend.platform.config import load_settings
from backend.platform.db import Database
from ledger.shards import (
    POOL_TABLES,
    PoolMoving,
    ShardError,
    books_of,
    move_pool,
    restore_delete_trigger_sql,
)
from ledger.verify import verify_books
from sql.append_only import create_trigger_sql
from tests.integration.pools_support import make_world, open_pool
from tests.integration.shards_support import SHARDS, Cluster, shard_cluster

pytestmark = [pytest.mark.replication, pytest.mark.xdist_group("replication")]

LOCK_WAIT_DEADLINE_SECONDS = 30.0
INNODB_TRX_REFRESH_SECONDS = 0.2


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """One cluster for the module (two servers started and three databases migrated cost
    15-20 s on a loaded machine): each test keeps to pool ids of its own."""
    with shard_cluster() as built:
        yield built


def _fill(cluster: Cluster, pools: dict[int, str]) -> None:
    for pool_id, shard in pools.items():
        assert cluster.directory.assign(pool_id, shard) == shard
        for i in range(1, 6):
            cluster.contribute(pool_id, Decimal("1000.00") * pool_id + i, f"fill-{pool_id}-{i}")


def test_pools_on_two_shards_and_a_pool_moved_between_them(cluster: Cluster) -> None:
    _fill(cluster, {11: "a", 12: "a", 13: "b"})
    held = Counter(p.shard for p in cluster.directory.placements())
    least_loaded = min(SHARDS, key=lambda shard: (held[shard], shard))
    assert cluster.directory.assign(14) == least_loaded
    for shard in SHARDS:
        report = verify_books(cluster.databases[shard])
        assert report.ok, report.describe()
    for pool_id, shard, other in ((11, "a", "b"), (12, "a", "b"), (13, "b", "a")):
        report = verify_books(cluster.databases[shard], pool_id)
        assert report.pools == 1 and report.entries == 5, report.describe()
        assert sum(cluster.pool_rows(other, pool_id).values()) == 0  # on its own shard only

    # A read across shards: each pool's cash through its own shard's ledger, combined.
    cash = {p: cluster.ledger(p, writing=False).balances(p) for p in (11, 12, 13)}
    total = sum((sum(b.values(), Decimal(0)) for b in cash.values()), Decimal(0))
    assert total == Decimal(0)  # every pool's books balance, so do their sum

    # Every pool-keyed ledger table in the live schema is one the move copies.
    assert set(cluster.pool_rows("a", 11)) == set(POOL_TABLES)

    before = books_of(cluster.databases["a"], 12)
    rows_before = cluster.pool_rows("a", 12)
    moved = move_pool(cluster.directory, 12, "b")

    assert moved.rows["ledger_journal_entries"] == 5 and moved.entries == 5
    assert {t: moved.rows[t] for t in POOL_TABLES} == rows_before
    assert moved.rows["ledger_idempotency_keys"] == 5
    placement = cluster.directory.placement(12)
    assert (placement.shard, placement.state, placement.moved_at is not None) == ("b", "active", True)
    assert books_of(cluster.databases["b"], 12) == before
    assert cluster.head("b", 12) == (5, None)  # the target takes writes
    # Nothing of the pool left on a but a forwarding head: empty, marked for b.
    assert cluster.left_behind("a", 12) == {}
    assert cluster.head("a", 12) == (0, "b")
    assert [cluster.key_on("a", f"fill-{pool}-1") for pool in (11, 12)] == [True, False]
    report = verify_books(cluster.databases["b"], 12)
    assert report.ok and report.entries == 5, report.describe()
    assert verify_books(cluster.databases["a"]).ok  # pool 11 untouched, triggers back in place

    # A write routed by the directory lands on b and continues the chain moved there.
    assert cluster.contribute(12, Decimal("7.00"), "after-move") == 6
    report = verify_books(cluster.databases["b"], 12)
    assert report.ok and report.entries == 6, report.describe()
    assert books_of(cluster.databases["b"], 12)["head"][0] == 6
    assert cluster.left_behind("a", 12) == {}

    # The append-only triggers are back on a after the delete.
    with cluster.databases["a"].primary.connect() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("DELETE FROM ledger_postings WHERE pool_id = 11"))

    # The same move again is a no-op; a pool with no books has nothing to move.
    assert move_pool(cluster.directory, 12, "b").total_rows == 0
    other = "a" if least_loaded == "b" else "b"
    with pytest.raises(ShardError, match="no books"):
        move_pool(cluster.directory, 14, other)
    assert cluster.directory.placement(14).shard == least_loaded
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
    pool = 21
    _fill(cluster, {pool: "a"})
    before = books_of(cluster.databases["a"], pool)

    def crash(step: str) -> None:
        if step == "copied":
            raise _Crash(step)

    with pytest.raises(_Crash):
        move_pool(cluster.directory, pool, "b", after_step=crash)
    assert cluster.directory.placement(pool).shard == "a"
    # The copy was taken back: b keeps only an empty head that forwards writes to a.
    assert cluster.left_behind("b", pool) == {}
    assert cluster.head("b", pool) == (0, "a")
    assert cluster.head("a", pool) == (5, None)  # the source's mark is lifted
    assert books_of(cluster.databases["a"], pool) == before
    cluster.contribute(pool, Decimal("3.00"), f"{pool}-after-crash")  # still writable on a
    assert verify_books(cluster.databases["a"], pool).ok

    def kill(step: str) -> None:
        if step == "copied":
            raise _Killed(step)

    with pytest.raises(_Killed):
        move_pool(cluster.directory, pool, "b", after_step=kill)
    # Killed outright: the pool stays "moving", writes are refused, b holds a stale copy.
    with pytest.raises(PoolMoving, match="moving to shard 'b'"):
        cluster.contribute(pool, Decimal("4.00"), f"{pool}-while-moving")
    with pytest.raises(PoolMoving):  # a writer going to a directly: refused by a's own books
        cluster.contribute(pool, Decimal("4.00"), f"{pool}-while-moving", on="a")
    assert cluster.directory.for_read(pool) is cluster.databases["a"]  # reads still go to a
    assert books_of(cluster.databases["a"], pool)["head"][0] == 6

    moved = move_pool(cluster.directory, pool, "b")  # the retry throws the stale copy away
    assert moved.rows["ledger_journal_entries"] == 6 and moved.entries == 6
    assert cluster.left_behind("a", pool) == {}
    report = verify_books(cluster.databases["b"], pool)
    assert report.ok and report.entries == 6, report.describe()
    assert cluster.contribute(pool, Decimal("4.00"), f"{pool}-after-retry") == 7

    # Killed after the flip: the directory already points at a, b's rows are leftovers,
    # and a's copy stays marked until the retry, which copies nothing.
    def killed_after_flip(step: str) -> None:
        if step == "flipped":
            raise _Killed(step)

    with pytest.raises(_Killed):
        move_pool(cluster.directory, pool, "a", after_step=killed_after_flip)
    assert cluster.directory.placement(pool).state == "releasing"
    assert cluster.pool_rows("b", pool)["ledger_journal_entries"] == 7
    with pytest.raises(PoolMoving):
        cluster.contribute(pool, Decimal("5.00"), f"{pool}-after-flip")
    finished = move_pool(cluster.directory, pool, "a")
    assert finished.total_rows == 0
    assert cluster.left_behind("b", pool) == {}
    assert cluster.head("b", pool) == (0, "a")
    assert cluster.contribute(pool, Decimal("5.00"), f"{pool}-after-flip") == 8
    report = verify_books(cluster.databases["a"], pool)
    assert report.ok and report.entries == 8, report.describe()


def test_a_writer_that_read_the_directory_before_the_move_is_copied_or_refused(cluster: Cluster) -> None:
    """Writers that go to shard a on an old reading of the directory, at each point of a move."""
    pool = 31
    _fill(cluster, {pool: "a"})
    seen: dict[str, object] = {}

    def stale_writer(step: str) -> None:
        if step == "marked":  # the directory says "moving"; a's own books are not marked yet
            seen["early"] = cluster.contribute(pool, Decimal("11.00"), f"{pool}-early", on="a")
        elif step == "fenced":  # a's chain head now carries the mark
            with pytest.raises(PoolMoving, match="moving to shard 'b'"):
                cluster.contribute(pool, Decimal("12.00"), f"{pool}-late", on="a")
            seen["late"] = "refused"

    moved = move_pool(cluster.directory, pool, "b", after_step=stale_writer)
    assert seen == {"early": 6, "late": "refused"}
    assert moved.entries == 6  # the early writer's entry was copied
    assert cluster.entry_on("b", pool, f"{pool}-early") and not cluster.entry_on("a", pool, f"{pool}-early")
    assert not cluster.entry_on("a", pool, f"{pool}-late") and not cluster.entry_on("b", pool, f"{pool}-late")
    assert not cluster.key_on("a", f"{pool}-late")  # the refused write's key was released
    # After the move, a writer still holding the old answer finds a's forwarding head.
    with pytest.raises(PoolMoving, match="moving to shard 'b'"):
        cluster.contribute(pool, Decimal("13.00"), f"{pool}-stale", on="a")
    assert cluster.left_behind("a", pool) == {} and cluster.head("a", pool) == (0, "b")
    # Both refused writers retry through the directory and land on b.
    assert cluster.contribute(pool, Decimal("12.00"), f"{pool}-late") == 7
    assert cluster.contribute(pool, Decimal("13.00"), f"{pool}-stale") == 8
    report = verify_books(cluster.databases["b"], pool)
    assert report.ok and report.entries == 8, report.describe()


def _lock_waits(db: Database) -> int:
    with db.primary.connect() as conn:
        return int(
            conn.execute(
                text("SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'")
            ).scalar_one()
        )


def _wait_for_lock_waits(db: Database, count: int, threads: list[threading.Thread]) -> None:
    """Until `count` transactions queue for a lock: InnoDB's own account, polled, because a
    thread blocked inside the driver signals nothing."""
    deadline = time.monotonic() + LOCK_WAIT_DEADLINE_SECONDS
    while _lock_waits(db) < count:
        if not all(t.is_alive() for t in threads) or time.monotonic() > deadline:
            raise AssertionError(f"expected {count} transactions waiting for a lock, found {_lock_waits(db)}")
        # INNODB_TRX is a copy InnoDB refreshes only when nobody read it for 0.1 s: polled
        # faster, it would never change.
        time.sleep(INNODB_TRX_REFRESH_SECONDS)


@pytest.mark.parametrize("first", ["writer", "move"])
def test_a_writer_queued_with_the_move_on_the_chain_head_is_copied_or_refused(
    cluster: Cluster, first: str
) -> None:
    """The race itself: a stale writer and the move's mark queue for the same chain-head lock
    on a (held by the test, then let go). Whichever gets it first, the entry is never lost
    and never left on a alone."""
    pool = 41 if first == "writer" else 42
    _fill(cluster, {pool: "a"})
    source = cluster.databases["a"]
    outcome: dict[str, object] = {}

    def write() -> None:
        try:
            outcome["seq"] = cluster.contribute(pool, Decimal("21.00"), f"{pool}-racer", on="a")
        except PoolMoving as refused:
            outcome["refused"] = refused

    def move() -> None:
        outcome["moved"] = move_pool(cluster.directory, pool, "b")

    writer, mover = threading.Thread(target=write), threading.Thread(target=move)
    queue = [writer, mover] if first == "writer" else [mover, writer]
    with source.primary.connect() as holder:
        holder.execute(
            text("SELECT pool_id FROM ledger_chain_heads WHERE pool_id = :p FOR UPDATE"), {"p": pool}
        )
        for waiting, thread in enumerate(queue, start=1):
            thread.start()
            _wait_for_lock_waits(source, waiting, queue[:waiting])
        holder.rollback()
    for thread in queue:
        thread.join()

    assert cluster.directory.placement(pool).shard == "b"
    assert cluster.left_behind("a", pool) == {} and not cluster.entry_on("a", pool, f"{pool}-racer")
    if "seq" in outcome:  # took the lock before the mark: committed on a, then copied
        assert outcome["seq"] == 6 and cluster.entry_on("b", pool, f"{pool}-racer")
    else:  # took it after the mark: refused, nothing written; its retry lands on b
        assert isinstance(outcome["refused"], PoolMoving) and not cluster.entry_on("b", pool, f"{pool}-racer")
        assert cluster.contribute(pool, Decimal("21.00"), f"{pool}-racer") == 6
    report = verify_books(cluster.databases["b"], pool)
    assert report.ok and report.entries == 6, report.describe()
    print(f"\nrace, {first} queued first: the writer was {'copied' if 'seq' in outcome else 'refused'}")


def test_the_shards_cli_places_lists_and_moves_a_pool(
    cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", cluster.url("global"))
    monkeypatch.setenv("SHARD_URLS", f"a={cluster.url('a')},b={cluster.url('b')}")
    platform = Container(load_settings(), db=cluster.databases["global"], cache=InProcessCache())
    world = make_world(platform)
    pool = platform.pools.create_pool(world.manager, open_pool()).id

    assert cli.main(["shards", "assign", str(pool), "--to", "a"]) == 0
    for i in range(1, 4):
        cluster.contribute(pool, Decimal(i), f"cli-{pool}-{i}")
    assert cli.main(["shards", "list"]) == 0
    assert cli.main(["shards", "move", str(pool), "--to", "b"]) == 0
    assert cli.main(["shards", "list"]) == 0
    out = capsys.readouterr().out
    assert f"pool {pool} on shard a\n" in out
    assert f"\n{pool}\ta\tactive\t-\t-\n" in out
    moved = re.search(
        rf"moved pool {pool} from a to b: (\d+) rows in [\d.]+s \((.+)\); 3 entries verified on b", out
    )
    assert moved is not None, out
    assert {"ledger_journal_entries 3", "ledger_postings 6"} <= set(moved.group(2).split(", "))
    assert re.search(rf"\n{pool}\tb\tactive\t-\t\d{{4}}-\d\d-\d\dT", out), out
    assert cluster.left_behind("a", pool) == {} and cluster.head("b", pool) == (3, None)
    assert cluster.contribute(pool, Decimal(4), f"cli-{pool}-4") == 4  # routed to b now

    # Refusals name what is wrong and exit 1.
    assert cli.main(["shards", "move", str(pool), "--to", "c"]) == 1
    assert cli.main(["shards", "assign", "99999", "--to", "a"]) == 1
    assert cli.main(["shards", "move", "99999", "--to", "a"]) == 1
    err = capsys.readouterr().err
    assert "unknown shard 'c' (known: a, b)" in err
    assert "pool 99999 not found" in err and "pool 99999 has no shard; assign it first" in err
    monkeypatch.delenv("SHARD_URLS")
    assert cli.main(["shards", "list"]) == 1
    assert "SHARD_URLS" in capsys.readouterr().err
