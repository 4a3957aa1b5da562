"""The benchmarks' own MariaDB databases: made fresh and migrated before a run, dropped after."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sql.migrate import upgrade


def fresh_database(url: str) -> None:
    """Drop `url`'s database if it is there, create it empty and migrate it."""
    parsed = make_url(url)
    server = create_engine(parsed.set(database=""), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{parsed.database}`"))
        conn.execute(text(f"CREATE DATABASE `{parsed.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
    server.dispose()
    upgrade(url)


def drop_database(url: str) -> None:
    """Drop `url`'s database; nothing for SQLite (a file the caller removes with its folder)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return
    server = create_engine(parsed.set(database=""), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{parsed.database}`"))
    server.dispose()
