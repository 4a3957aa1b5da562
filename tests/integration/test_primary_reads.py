"""Reads on the primary (backend.platform.engines.make_engine's `autocommit`): on MariaDB they run
on connections of their own in autocommit mode, so a read-only view costs its statements and
nothing else (no ROLLBACK to end it), and still sees every commit made before each statement,
as READ COMMITTED did. On SQLite they stay in the writer's sessions, snapshots included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest
from sqlalchemy import text

from backend.platform.db import Database
from backend.platform.unit_of_work import ReadView, UnitOfWork
from tests.conftest import mariadb_database_url


@pytest.fixture
def database() -> Iterator[Database]:
    db = Database(mariadb_database_url("primary_reads"))
    with UnitOfWork(db) as uow:
        uow.session.execute(text("CREATE TABLE marks (id INT PRIMARY KEY, label VARCHAR(20) NOT NULL)"))
        uow.session.execute(text("INSERT INTO marks VALUES (1, 'first')"))
        uow.commit()
    yield db
    db.dispose()


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The first word of every command the driver sends."""
    sent: list[str] = []
    real = pymysql.connections.Connection._execute_command

    def counted(self: pymysql.connections.Connection, command: int, sql: object) -> object:
        words = sql.decode(errors="replace") if isinstance(sql, (bytes, bytearray)) else str(sql)
        sent.append(words.split(" ", 1)[0].upper())
        return real(self, command, sql)

    monkeypatch.setattr(pymysql.connections.Connection, "_execute_command", counted)
    return sent


def test_a_read_view_on_the_primary_sends_its_selects_and_nothing_else(
    database: Database, commands: list[str]
) -> None:
    with ReadView(database, primary=True) as view:  # the pool's first connection sets itself up
        view.session.execute(text("SELECT 1"))
    commands.clear()
    with ReadView(database, primary=True) as view:
        assert view.session.execute(text("SELECT label FROM marks WHERE id = 1")).scalar_one() == "first"
        assert view.session.execute(text("SELECT COUNT(*) FROM marks")).scalar_one() == 1
    with ReadView(database) as view:  # no replicas: the same connections
        assert view.session.execute(text("SELECT COUNT(*) FROM marks")).scalar_one() == 1
    assert commands == ["SELECT", "SELECT", "SELECT"]


def test_a_unit_of_work_still_ends_its_transaction(database: Database, commands: list[str]) -> None:
    with UnitOfWork(database) as uow:  # the fixture's connection, set up already
        uow.session.execute(text("SELECT 1"))
    commands.clear()
    with UnitOfWork(database) as uow:
        uow.session.execute(text("SELECT COUNT(*) FROM marks"))
    with UnitOfWork(database) as uow:
        uow.session.execute(text("UPDATE marks SET label = 'changed' WHERE id = 1"))
    assert commands == ["SELECT", "ROLLBACK", "UPDATE", "ROLLBACK"]
    with ReadView(database, primary=True) as view:  # the uncommitted change was undone
        assert view.session.execute(text("SELECT label FROM marks WHERE id = 1")).scalar_one() == "first"


def test_each_read_sees_what_was_committed_before_it(database: Database) -> None:
    with ReadView(database, primary=True) as view:
        assert view.session.execute(text("SELECT COUNT(*) FROM marks")).scalar_one() == 1
        with UnitOfWork(database) as uow:
            uow.session.execute(text("INSERT INTO marks VALUES (2, 'second')"))
            uow.commit()
        # Under READ COMMITTED the old read-only transaction saw this too: nothing is lost.
        assert view.session.execute(text("SELECT COUNT(*) FROM marks")).scalar_one() == 2


def test_a_row_lock_held_by_a_writer_does_not_block_a_primary_read(database: Database) -> None:
    with UnitOfWork(database) as uow:
        uow.session.execute(text("UPDATE marks SET label = 'pending' WHERE id = 1"))
        with ReadView(database, primary=True) as view:
            # A consistent read: the committed label, without waiting for the writer's lock.
            assert view.session.execute(text("SELECT label FROM marks WHERE id = 1")).scalar_one() == "first"
        uow.commit()


def test_on_sqlite_reads_stay_in_the_writers_sessions(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'reads.db'}")
    try:
        assert db.primary_reads is None and db.primary_readers is None
        with UnitOfWork(db) as uow:
            uow.session.execute(text("CREATE TABLE marks (id INTEGER PRIMARY KEY)"))
            uow.session.execute(text("INSERT INTO marks VALUES (1)"))
            uow.commit()
        with ReadView(db, primary=True) as view:
            assert view.session.get_bind() is db.primary
            assert view.session.execute(text("SELECT COUNT(*) FROM marks")).scalar_one() == 1
    finally:
        db.dispose()
