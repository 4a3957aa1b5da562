"""The notifications table as the service's rules see it: an inbox per user, reached inside
one unit of work.

The rules (notifications/service.py) speak only to `InboxUnit`; `database_inbox` binds it to
SQLAlchemy over the platform's unit of work (writes on the primary, reads routed to a
replica), and the unit suite binds an in-memory one (tests/unit/notifications/), so the
rules run there without a database while the integration suite runs the same service on
SQLite and MariaDB."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.platform.db import Database
from backend.platform.unit_of_work import ReadView, UnitOfWork
from notifications.models import Notification
from notifications.schemas import NotificationIn, NotificationKind, NotificationOut


class EventAlreadyDelivered(Exception):
    """Another consumer stored the same event's notifications at the same moment."""


class Inbox(Protocol):
    def newest(
        self, user_id: int, *, unread_only: bool, limit: int, kind: NotificationKind | None = None
    ) -> list[NotificationOut]:
        """The user's notifications (of `kind`), newest first."""

    def unread(self, user_id: int) -> int: ...

    def owner_of(self, notification_id: int) -> int | None:
        """Whose notification this is; None when there is no such notification."""

    def mark_read(self, notification_id: int, at: datetime) -> NotificationOut:
        """Mark it read at `at` unless it already was; returns it as it now stands."""

    def mark_all_read(self, user_id: int, at: datetime) -> int:
        """Mark the user's unread notifications read; returns how many changed."""

    def has_event(self, event_id: str) -> bool: ...

    def add(self, event_id: str, item: NotificationIn, at: datetime, *, read: bool = False) -> None:
        """Store it as of `at`; `read`: already read when stored (history, not news)."""


class InboxUnit(Protocol):
    inbox: Inbox

    def commit(self) -> None:
        """Make the unit's changes stand; raises EventAlreadyDelivered on a duplicate event.
        Leaving the unit without a commit undoes everything it did."""


InboxUnits = Callable[[str | None, bool], AbstractContextManager[InboxUnit]]
"""(reader key, writes?) -> a unit of work over the inbox: reads go to a replica when one
is fit to serve the reader, writes to the primary."""


class _SqlInbox:
    def __init__(self, session: Session) -> None:
        self._session = session

    def newest(
        self, user_id: int, *, unread_only: bool, limit: int, kind: NotificationKind | None = None
    ) -> list[NotificationOut]:
        stmt = select(Notification).where(Notification.user_id == user_id)
        if kind is not None:
            stmt = stmt.where(Notification.kind == kind.value)
        if unread_only:
            stmt = stmt.where(Notification.read_at.is_(None))
        rows = self._session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)).all()
        return [NotificationOut.model_validate(r) for r in rows]

    def unread(self, user_id: int) -> int:
        count = self._session.scalar(
            select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        return int(count or 0)

    def owner_of(self, notification_id: int) -> int | None:
        row = self._session.get(Notification, notification_id)
        return None if row is None else row.user_id

    def mark_read(self, notification_id: int, at: datetime) -> NotificationOut:
        row = self._session.get(Notification, notification_id)
        if row is None:
            raise LookupError(notification_id)
        if row.read_at is None:
            row.read_at = at
        self._session.flush()
        return NotificationOut.model_validate(row)

    def mark_all_read(self, user_id: int, at: datetime) -> int:
        result = self._session.execute(
            update(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=at)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def has_event(self, event_id: str) -> bool:
        found = self._session.scalar(
            select(Notification.id).where(Notification.event_id == event_id).limit(1)
        )
        return found is not None

    def add(self, event_id: str, item: NotificationIn, at: datetime, *, read: bool = False) -> None:
        self._session.add(
            Notification(
                user_id=item.user_id,
                event_id=event_id,
                kind=item.kind.value,
                pool_id=item.pool_id,
                entry_id=item.entry_id,
                title=item.title,
                body=item.body,
                link=item.link,
                created_at=at,
                read_at=at if read else None,
            )
        )


class _SqlUnit:
    def __init__(self, session: Session, commit: Callable[[], None]) -> None:
        self.inbox: Inbox = _SqlInbox(session)
        self._commit = commit

    def commit(self) -> None:
        try:
            self._commit()
        except IntegrityError:  # the unique (event, user) key: a concurrent duplicate
            raise EventAlreadyDelivered from None


def database_inbox(db: Database) -> InboxUnits:
    """Units of work over the notifications table of `db`."""

    @contextmanager
    def unit(reader_key: str | None, writes: bool) -> Iterator[InboxUnit]:
        if writes:
            with UnitOfWork(db, reader_key) as uow:
                yield _SqlUnit(uow.session, uow.commit)
        else:
            with ReadView(db, reader_key) as view:
                yield _SqlUnit(view.session, _read_only)

    return unit


def _read_only() -> None:
    raise RuntimeError("a read view cannot commit")
