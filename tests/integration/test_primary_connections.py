"""The primary's connection pool on MariaDB: what a checkout costs and what survives a dropped
connection (backend.platform.engines._ping_if_idle).

A ping before every checkout was a round trip in each of the sessions one API request opens,
so the primary pings only connections idle long enough to have been dropped (a server
restart, wait_timeout, a proxy). One back in the pool within the last second is handed out
as it is; if the server dropped it in that second, its first statement fails and the pool
replaces every connection it holds. Nothing committed is lost either way.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pymysql
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from backend.platform import engines as engines_module
from backend.platform.db import Database
from backend.platform.unit_of_work import UnitOfWork
from tests.conftest import MARIADB_URL, mariadb_database_url


@pytest.fixture
def database() -> Iterator[Database]:
    db = Database(mariadb_database_url("primary_pool"))
    yield db
    db.dispose()


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each ping the driver is asked for (the real ping still runs)."""
    sent: list[int] = []
    real = pymysql.connections.Connection.ping

    def counted(self: pymysql.connections.Connection, reconnect: bool = True) -> None:
        sent.append(1)
        real(self, reconnect)

    monkeypatch.setattr(pymysql.connections.Connection, "ping", counted)
    return sent


def _connection_id(db: Database) -> int:
    with UnitOfWork(db) as uow:
        return int(uow.session.execute(text("SELECT CONNECTION_ID()")).scalar_one())


def _kill(connection_id: int) -> None:
    """What a server restart does to one connection, from a connection outside the pool."""
    other = create_engine(MARIADB_URL, poolclass=NullPool)
    with other.connect() as conn:
        conn.execute(text(f"KILL CONNECTION {connection_id}"))
    other.dispose()


def test_a_connection_back_within_the_second_is_handed_out_without_a_ping(
    database: Database, pings: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines_module, "_PING_AFTER_IDLE_SECONDS", 60.0)  # a slow machine is not idle
    first = _connection_id(database)
    second = _connection_id(database)
    assert second == first  # the same pooled connection, reused
    assert pings == []


def test_a_connection_idle_past_the_second_is_pinged_and_replaced_when_the_server_dropped_it(
    database: Database, pings: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _connection_id(database)
    _kill(first)
    monkeypatch.setattr(engines_module, "_PING_AFTER_IDLE_SECONDS", 0.0)
    time.sleep(0.01)
    second = _connection_id(database)  # no error reaches the caller
    assert second != first
    assert len(pings) >= 1


def test_a_connection_dropped_within_the_second_fails_once_and_the_pool_starts_afresh(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines_module, "_PING_AFTER_IDLE_SECONDS", 60.0)
    first = _connection_id(database)
    _kill(first)
    with pytest.raises(OperationalError), UnitOfWork(database) as uow:
        uow.session.execute(text("SELECT 1"))
    # The disconnect invalidated the pool: the next unit of work gets a new connection.
    assert _connection_id(database) != first
