"""Read routing against a real MariaDB primary + replica pair (tests/integration/replication.py).

How lag is produced here, since it decides what each test proves:
- `stop_sql_thread()`: the replica stops applying. SHOW SLAVE STATUS then says
  Slave_SQL_Running=No and Seconds_Behind_Master=NULL, so the health probe takes the replica
  out of rotation and every reader is served by the primary.
- `hold_applier()`: FLUSH TABLES WITH READ LOCK on the replica, as a backup tool takes it. Both
  threads keep running and Seconds_Behind_Master grows from the first write made meanwhile:
  true lag. Below max_lag_seconds the replica stays in rotation, so a reader who just wrote
  is the one the GTID wait has to protect; above it, the replica is skipped for everyone.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from backend.composition.container import Container
from backend.platform.actors import Actor, Role
from backend.platform.cache import InProcessCache, RedisCache
from backend.platform.config import load_settings
from backend.platform.db import POSITIONS_REMEMBERED_SINCE, Database
from backend.platform.passwords import hash_password
from backend.platform.unit_of_work import ReadView, UnitOfWork
from backend.users.interface import UserCreate
from backend.users.models import User
from sql.migrate import upgrade
from tests.conftest import REDIS_URL
from tests.integration.replication import DATABASE, ReplicationPair, replication_pair

pytestmark = [pytest.mark.replication, pytest.mark.xdist_group("replication")]

PRIMARY_ID, REPLICA_ID = 1, 2
PASSWORD_HASH = hash_password("correct horse battery")
# Short waits so that fallbacks and recoveries happen within a test, not after it.
FAST = {"wait_seconds": 0.3, "retry_seconds": 0.2}


@pytest.fixture(scope="session")
def pair() -> Iterator[ReplicationPair]:
    began = time.monotonic()
    with replication_pair() as started:
        upgrade(started.primary_url)
        started.wait_caught_up()
        print(f"\nreplication pair up and migrated in {time.monotonic() - began:.1f}s")
        yield started


@pytest.fixture(autouse=True)
def _replication_restored(pair: ReplicationPair) -> Iterator[None]:
    # Whatever a test (or its failure) did to the replica, the next one starts in sync.
    yield
    if not pair.replica.running:
        pair.start_replica()
    if pair.slave_status()["Slave_SQL_Running"] != "Yes":
        pair.start_sql_thread()
    pair.wait_caught_up()


@pytest.fixture
def make_db(pair: ReplicationPair) -> Iterator[Callable[..., Database]]:
    made: list[Database] = []

    def make(**options: Any) -> Database:
        db = Database(pair.primary_url, [pair.replica_url], positions=remembering_cache(), **options)
        made.append(db)
        return db

    yield make
    for db in made:
        db.dispose()


def remembering_cache() -> InProcessCache:
    """A positions cache that has remembered for long: a reader without a position there has
    not written lately (test_read_your_writes_survives_the_cache_losing_every_position covers
    a cache that forgot)."""
    cache = InProcessCache()
    cache.set(POSITIONS_REMEMBERED_SINCE, b"0", 3600)
    return cache


def served_by(db: Database, reader_key: str | None = None) -> int:
    with ReadView(db, reader_key) as view:
        return int(view.session.execute(text("SELECT @@server_id")).scalar_one())


def write_user(db: Database, reader_key: str | None = None) -> str:
    """A write through the unit of work (so note_write runs); returns the new email."""
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    with UnitOfWork(db, reader_key) as uow:
        uow.session.add(User(email=email, role=Role.INVESTOR.value, password_hash=PASSWORD_HASH))
        uow.commit()
    return email


def read_user(db: Database, reader_key: str | None, email: str) -> tuple[int, bool]:
    """(server that served the read, whether the user was there)."""
    with ReadView(db, reader_key) as view:
        server = int(view.session.execute(text("SELECT @@server_id")).scalar_one())
        found = view.session.scalar(select(User.id).where(User.email == email)) is not None
    return server, found


def on_server(pair: ReplicationPair, which: str, email: str) -> bool:
    server = pair.primary if which == "primary" else pair.replica
    return bool(server.query(f"SELECT id FROM `{DATABASE}`.users WHERE email = %s", (email,)))


def eventually(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# -- routing -------------------------------------------------------------------------------
def test_readers_are_served_by_the_replica_and_the_writer_by_the_primary(
    make_db: Callable[..., Database],
) -> None:
    db = make_db()
    assert served_by(db) == REPLICA_ID
    assert served_by(db, "user:1") == REPLICA_ID  # a key with no recent write changes nothing
    with db.writer_session() as session:
        assert session.execute(text("SELECT @@server_id")).scalar_one() == PRIMARY_ID
    [status] = db.replica_statuses()
    assert status.healthy and status.lag_seconds == 0 and status.last_error is None
    assert "127.0.0.1" in status.url


def test_writes_land_on_the_primary_and_replicate(
    pair: ReplicationPair, make_db: Callable[..., Database]
) -> None:
    db = make_db()
    email = write_user(db)
    assert on_server(pair, "primary", email)
    pair.wait_caught_up()
    assert on_server(pair, "replica", email)
    assert read_user(db, None, email) == (REPLICA_ID, True)


def test_the_replica_rejects_writes_from_an_ordinary_account(pair: ReplicationPair) -> None:
    # The harness's --read-only is what makes "writes go to the primary" a guarantee and not
    # a convention: a routing mistake fails loudly instead of forking the data.
    pair.primary.query("CREATE USER IF NOT EXISTS 'writer'@'127.0.0.1' IDENTIFIED BY 'w-password'")
    pair.primary.query(f"GRANT SELECT, INSERT ON `{DATABASE}`.* TO 'writer'@'127.0.0.1'")
    pair.wait_caught_up()
    url = pair.replica_url.replace("root@", "writer:w-password@")
    db = Database(url)
    try:
        with db.writer_session() as session, pytest.raises(DBAPIError, match="read-only"):
            session.add(User(email="nope@example.com", role="investor", password_hash=PASSWORD_HASH))
            session.commit()
    finally:
        db.dispose()


# -- read-your-writes ----------------------------------------------------------------------
def test_read_your_writes_while_the_replica_has_stopped_applying(
    pair: ReplicationPair, make_db: Callable[..., Database]
) -> None:
    pair.stop_sql_thread()
    db = make_db(**FAST)
    email = write_user(db, "user:1")
    assert not on_server(pair, "replica", email)  # the replica really is behind

    assert read_user(db, "user:1", email) == (PRIMARY_ID, True)
    # Another reader is not sent to a replica that applies nothing: it is out of rotation.
    assert read_user(db, "user:2", email) == (PRIMARY_ID, True)
    [status] = db.replica_statuses()
    assert not status.healthy
    assert status.last_error == "replication stopped: IO thread Yes, SQL thread No"

    pair.start_sql_thread()
    # Back in rotation after the retry interval, and caught up to the writer's GTID.
    assert eventually(lambda: read_user(db, "user:1", email) == (REPLICA_ID, True))


def test_read_your_writes_while_the_replica_lags_but_runs(
    pair: ReplicationPair, make_db: Callable[..., Database]
) -> None:
    db = make_db(max_lag_seconds=60, **FAST)
    with pair.hold_applier():
        email = write_user(db, "user:1")
        assert not on_server(pair, "replica", email)

        # The replica is healthy (lag within 60 s), but has not reached the writer's GTID
        # within wait_seconds, so the writer is served by the primary.
        assert read_user(db, "user:1", email) == (PRIMARY_ID, True)
        # A reader without a recent write accepts bounded staleness: replica, no error, and
        # not yet the new row. This is the documented contract, not an accident.
        assert read_user(db, "user:2", email) == (REPLICA_ID, False)
        assert db.replica_statuses()[0].healthy

    pair.wait_caught_up()
    # Once the replica has the GTID, the writer's reads go back to it.
    assert read_user(db, "user:1", email) == (REPLICA_ID, True)


def test_read_your_writes_survives_the_cache_losing_every_position(pair: ReplicationPair) -> None:
    """Redis restarted without persistence (or flushed) forgets every writer's position: for
    read_your_writes_seconds after that, nobody is trusted to have no recent write."""
    prefix = f"ryw-{uuid.uuid4().hex[:8]}:"
    cache = RedisCache(REDIS_URL, prefix=prefix)
    db = Database(
        pair.primary_url,
        [pair.replica_url],
        positions=cache,
        max_lag_seconds=60,
        read_your_writes_seconds=2,
        **FAST,
    )
    client = redis.Redis.from_url(REDIS_URL)
    try:
        assert read_user(db, "user:2", "nobody@example.com")[0] == PRIMARY_ID  # a new cache: not yet
        time.sleep(2.1)  # the cache has now remembered for read_your_writes_seconds
        assert read_user(db, "user:2", "nobody@example.com")[0] == REPLICA_ID
        with pair.hold_applier():
            email = write_user(db, "user:1")
            assert read_user(db, "user:1", email) == (PRIMARY_ID, True)
            for key in client.scan_iter(f"{prefix}*"):  # Redis loses everything
                client.delete(key)
            assert read_user(db, "user:1", email) == (PRIMARY_ID, True), "the writer lost sight of its write"
            assert read_user(db, "user:2", email)[0] == PRIMARY_ID  # nobody can tell: the primary
    finally:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()
        db.dispose()


@pytest.mark.parametrize("pause", ["sql_thread_stopped", "applier_held"])
def test_a_signed_in_admin_reads_back_the_user_just_created(
    pause: str, pair: ReplicationPair, make_db: Callable[..., Database], tmp_path: Path
) -> None:
    db = make_db(max_lag_seconds=60, **FAST)
    container = Container(load_settings(VAR_DIR=str(tmp_path / "var")), db=db, cache=InProcessCache())
    bootstrap = container.users.create_user(
        Actor.operator("t"),
        UserCreate(email=f"admin-{pause}@example.com", role=Role.ADMIN, password="correct horse battery"),
    )
    admin = Actor(user_id=bootstrap.id, role=Role.ADMIN, label="admin")
    pair.wait_caught_up()

    def create_and_read_back() -> None:
        created = container.users.create_user(
            admin, UserCreate(email=f"new-{pause}@example.com", role=Role.INVESTOR, password="p" * 12)
        )
        assert not on_server(pair, "replica", created.email)
        with ReadView(db, admin.reader_key) as view:
            assert view.session.get(User, created.id) is not None
        assert container.users.get_user(admin, created.id).email == created.email
        assert container.users.find_by_email(admin, created.email).id == created.id

    if pause == "sql_thread_stopped":
        pair.stop_sql_thread()
        create_and_read_back()
    else:
        with pair.hold_applier():
            create_and_read_back()


def test_the_operator_reads_back_the_user_it_just_created(
    pair: ReplicationPair, make_db: Callable[..., Database], tmp_path: Path
) -> None:
    db = make_db(max_lag_seconds=60, **FAST)
    container = Container(load_settings(VAR_DIR=str(tmp_path / "var")), db=db, cache=InProcessCache())
    operator = Actor.operator("t")
    with pair.hold_applier():
        created = container.users.create_user(
            operator, UserCreate(email="by-operator@example.com", role=Role.INVESTOR, password="p" * 12)
        )
        with ReadView(db, operator.reader_key) as view:
            assert view.session.get(User, created.id) is not None


# -- replica failures ----------------------------------------------------------------------
def test_a_killed_replica_is_skipped_and_used_again_after_restart(
    pair: ReplicationPair, make_db: Callable[..., Database]
) -> None:
    # A long health TTL keeps the replica's last "healthy" verdict in force after the kill,
    # so this also covers a replica that dies between two probes.
    db = make_db(health_ttl_seconds=60, **FAST)
    assert served_by(db) == REPLICA_ID
    pair.kill_replica()

    assert served_by(db) == PRIMARY_ID  # no exception reaches the reader
    [status] = db.replica_statuses()
    assert not status.healthy
    assert status.last_error is not None and "Can't connect" in status.last_error
    email = write_user(db, "user:1")
    assert read_user(db, "user:1", email) == (PRIMARY_ID, True)

    pair.start_replica()
    assert eventually(lambda: served_by(db) == REPLICA_ID)
    assert db.replica_statuses()[0].healthy
    pair.wait_caught_up()
    assert read_user(db, "user:1", email) == (REPLICA_ID, True)


def test_a_replica_dead_at_first_probe_is_reported_with_its_reason(
    pair: ReplicationPair, make_db: Callable[..., Database]
) -> None:
    pair.stop_replica()
    db = make_db(**FAST)
    assert served_by(db) == PRIMARY_ID
    [status] = db.replica_statuses()
    assert not status.healthy and status.lag_seconds is None
    assert status.last_error is not None and status.last_error.startswith("probe failed:")


def test_a_frozen_replica_is_skipped_instead_of_hanging_readers(
    pair: ReplicationPair, make_db: Callable[..., Database]
) -> None:
    # SIGSTOP: the kernel still accepts TCP connections but the server never answers,
    # like a paused VM or a black-holed network. Only a probe timeout gets us out.
    assert pair.replica.process is not None
    pid = pair.replica.process.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        db = make_db(**FAST)
        assert served_by(db) == PRIMARY_ID
        [status] = db.replica_statuses()
        assert not status.healthy
        assert status.last_error is not None and "timed out" in status.last_error
    finally:
        os.kill(pid, signal.SIGCONT)


def test_a_replica_beyond_max_lag_is_skipped_until_it_catches_up(
    pair: ReplicationPair, make_db: Callable[..., Database]
) -> None:
    # health_ttl_seconds=0: every read re-probes, so the verdict follows the real lag.
    db = make_db(max_lag_seconds=1, health_ttl_seconds=0, **FAST)
    assert served_by(db) == REPLICA_ID
    with pair.hold_applier():
        write_user(db)  # no reader key: the skip below is the lag check, not read-your-writes
        reported = pair.wait_lag_at_least(2)
        assert reported > 1

        assert served_by(db) == PRIMARY_ID
        [status] = db.replica_statuses()
        assert not status.healthy
        assert status.lag_seconds is not None and status.lag_seconds > 1
        assert status.last_error is not None and status.last_error.startswith("lagging")

    pair.wait_caught_up()
    assert eventually(lambda: served_by(db) == REPLICA_ID)
    assert db.replica_statuses()[0].healthy


def test_a_replica_account_without_slave_monitor_is_never_used_and_says_why(
    pair: ReplicationPair, make_db: Callable[..., Database]
) -> None:
    # The health probe runs SHOW SLAVE STATUS, which needs SLAVE MONITOR: a deployment
    # whose replica account only has SELECT silently reads everything from the primary.
    pair.primary.query("CREATE USER IF NOT EXISTS 'reader'@'127.0.0.1' IDENTIFIED BY 'r-password'")
    pair.primary.query(f"GRANT SELECT ON `{DATABASE}`.* TO 'reader'@'127.0.0.1'")
    pair.wait_caught_up()
    url = pair.replica_url.replace("root@", "reader:r-password@")
    db = Database(pair.primary_url, [url], positions=InProcessCache(), **FAST)
    try:
        assert served_by(db) == PRIMARY_ID
        [status] = db.replica_statuses()
        assert status.last_error is not None and "SLAVE MONITOR" in status.last_error
        assert "r-password" not in status.url

        pair.primary.query("GRANT SLAVE MONITOR ON *.* TO 'reader'@'127.0.0.1'")
        pair.wait_caught_up()
        assert eventually(lambda: served_by(db) == REPLICA_ID)
    finally:
        db.dispose()
