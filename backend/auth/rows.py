"""Race-free "make sure this row exists" for the auth tables, on SQLite and MariaDB."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result, inspect
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.platform.orm import Base


def affected_rows(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched (Session.execute is typed for SELECTs)."""
    return int(cast(CursorResult[Any], result).rowcount or 0)


def insert_if_absent(session: Session, model: type[Base], values: dict[str, Any]) -> None:
    """Insert `values` unless a row with the same primary key exists.

    Two requests may both find the row missing and insert it; the loser must neither fail
    nor overwrite. On MariaDB a no-op ON DUPLICATE KEY UPDATE is used rather than INSERT
    IGNORE: IGNORE leaves a shared lock on the existing row, and two transactions that
    then ask for its write lock deadlock each other, whereas the update takes the write
    lock straight away.
    """
    if session.get_bind().dialect.name in ("mysql", "mariadb"):
        key = inspect(model).primary_key[0].name
        upsert = mysql_insert(model).values(values)
        session.execute(upsert.on_duplicate_key_update({key: upsert.inserted[key]}))
    else:
        session.execute(sqlite_insert(model).values(values).on_conflict_do_nothing())
