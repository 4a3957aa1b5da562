"""Shared fixtures: a migrated database per backend per worker, each test in a savepoint.

The service tests take the `container` fixture and run twice: on SQLite (the embedded
default) and on real MariaDB. Each test runs inside an outer transaction that is rolled
back, with the services' own commits turned into savepoint releases, so tests never see
each other's rows and need no cleanup.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from backend.composition.container import Container
from backend.platform.cache import InProcessCache
from backend.platform.config import Settings, load_settings
from backend.platform.db import Database
from sql.migrate import upgrade

MARIADB_URL = os.environ.get("TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/?charset=utf8mb4")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"


def _worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


_created_databases: list[str] = []


def mariadb_database_url(suffix: str) -> str:
    """Create (fresh) and return the URL of a MariaDB database private to this test process.

    The pid keeps two test runs on one machine (a developer and CI, say) out of each other's
    way; the databases are dropped when the session ends."""
    name = f"pools_test_{_worker_id()}_{os.getpid()}_{suffix}"
    _created_databases.append(name)
    server = create_engine(MARIADB_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
    server.dispose()
    return make_url(MARIADB_URL).set(database=name).render_as_string(hide_password=False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _created_databases:
        return
    server = create_engine(MARIADB_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        for name in set(_created_databases):
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    server.dispose()


@pytest.fixture(scope="session")
def migrated_urls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    sqlite_path = tmp_path_factory.mktemp("sqlite") / "pools.sqlite3"
    urls = {"sqlite": f"sqlite:///{sqlite_path}", "mariadb": mariadb_database_url("svc")}
    for url in urls.values():
        upgrade(url)  # the migrations themselves are under test here, on both backends
    return urls


@pytest.fixture(params=["sqlite", "mariadb"])
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """The platform's settings for one test: its own var/ folder; with the payment_gateway
    marker, the payment gateway pointed at the test's own sandbox (the `sandbox` fixture)."""
    gateway: dict[str, str] = {}
    if request.node.get_closest_marker("payment_gateway"):
        from tests.integration.payments_support import gateway_settings

        gateway = gateway_settings(request.getfixturevalue("sandbox"))
    return load_settings(VAR_DIR=str(tmp_path / "var"), **gateway)


@pytest.fixture
def container(backend_name: str, migrated_urls: dict[str, str], settings: Settings) -> Iterator[Container]:
    db = Database(migrated_urls[backend_name], positions=InProcessCache())
    connection = db.primary.connect()
    outer = connection.begin()
    # Every session the services open joins this connection; their commits release
    # savepoints, and the outer rollback below undoes the whole test.
    db.writer_sessions = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    # Reads too, or they would not see what the test wrote (test_primary_reads covers the
    # autocommit connections they use outside a test's transaction).
    db.primary_readers = None
    yield Container(settings, db=db, cache=InProcessCache())
    outer.rollback()
    connection.close()
    db.dispose()
