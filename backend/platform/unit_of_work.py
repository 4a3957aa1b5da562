"""The transaction boundary: one unit of work is one database transaction on the primary."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import text
from sqlalchemy.orm import Session

from backend.platform.db import Database


def take_sqlite_writer_lock(session: Session, table: str, column: str) -> None:
    """SQLite in WAL mode refuses at once (SQLITE_BUSY, "database is locked", without waiting)
    a transaction that read and then writes after another connection committed meanwhile:
    two people signing in at the same moment was enough. A write that matches no row, issued
    first, makes SQLite take its single writer lock now, where busy_timeout does wait, so
    such transactions queue instead. MariaDB needs nothing: its row locks come with the
    locking reads."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"UPDATE {table} SET {column} = {column} WHERE 1 = 0"))  # noqa: S608 - names from code


class UnitOfWork:
    """Commits only when told to; anything else (an exception, a forgotten commit) rolls back,
    so a failed operation leaves no trace in the books."""

    def __init__(self, db: Database, reader_key: str | None = None) -> None:
        self._db = db
        self._reader_key = reader_key
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._session

    def __enter__(self) -> Self:
        self._session = self._db.writer_session()
        return self

    def write_first(self, table: str, column: str) -> None:
        """Take the database's writer lock before this unit of work reads anything
        (take_sqlite_writer_lock; `table`.`column` is any column the caller owns)."""
        take_sqlite_writer_lock(self.session, table, column)

    def commit(self) -> None:
        self.session.commit()
        self._db.note_write(self._reader_key)
        self._db.commit_watchers.committed(self.session)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back a transaction still open (the engine's pool sends no second one).
        try:
            self.session.close()
        finally:
            self._session = None


class ReadView:
    """A read-only session, routed to a replica when one is fit to serve this reader, or
    with `primary` to the primary always: for a check that gates a write or a sign-in,
    where a replica's lag would let through what was just revoked."""

    def __init__(self, db: Database, reader_key: str | None = None, *, primary: bool = False) -> None:
        self._db = db
        self._reader_key = reader_key
        self._primary = primary
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("read view used outside its `with` block")
        return self._session

    def __enter__(self) -> Self:
        self._session = (
            self._db.primary_reader_session() if self._primary else self._db.reader_session(self._reader_key)
        )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back a transaction still open (the engine's pool sends no second one).
        try:
            self.session.close()
        finally:
            self._session = None
