"""In-app notifications: each user reads and marks only their own.

Notifications are created by the ledger-event consumer (notifications/consumer.py), once per
user per event id: a redelivered event finds its rows already there and adds nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import NotFound, ValidationFailed
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from notifications.models import Notification
from notifications.schemas import NotificationIn, NotificationList, NotificationOut

MAX_LIST = 100


def _user_of(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotFound("operators have no notifications")
    return actor.user_id


class NotificationService:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- reads -------------------------------------------------------------------------

    def list_for_user(self, actor: Actor, *, unread_only: bool = False, limit: int = 20) -> NotificationList:
        """The signed-in user's notifications, newest first, and their unread count."""
        if not 1 <= limit <= MAX_LIST:
            raise ValidationFailed(f"limit: must be 1..{MAX_LIST}", field="limit")
        user_id = _user_of(actor)
        stmt = select(Notification).where(Notification.user_id == user_id)
        if unread_only:
            stmt = stmt.where(Notification.read_at.is_(None))
        stmt = stmt.order_by(Notification.id.desc()).limit(limit)
        with ReadView(self._db, actor.reader_key) as view:
            rows = view.session.scalars(stmt).all()
            items = [NotificationOut.model_validate(r) for r in rows]
            unread = self._unread(view.session, user_id)
        return NotificationList(items=items, unread=unread)

    def unread_count(self, actor: Actor) -> int:
        user_id = _user_of(actor)
        with ReadView(self._db, actor.reader_key) as view:
            return self._unread(view.session, user_id)

    @staticmethod
    def _unread(session: Session, user_id: int) -> int:
        count = session.scalar(
            select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        return int(count or 0)

    # -- changes -----------------------------------------------------------------------

    def mark_read(self, actor: Actor, notification_id: int) -> NotificationOut:
        """Mark one of the user's notifications read (again: no change). Another user's: NotFound."""
        user_id = _user_of(actor)
        with UnitOfWork(self._db, actor.reader_key) as uow:
            row = uow.session.get(Notification, notification_id)
            if row is None or row.user_id != user_id:
                raise NotFound(f"notification {notification_id} not found")
            if row.read_at is None:
                row.read_at = utcnow()
            uow.session.flush()
            out = NotificationOut.model_validate(row)
            uow.commit()
            return out

    def mark_all_read(self, actor: Actor) -> int:
        user_id = _user_of(actor)
        with UnitOfWork(self._db, actor.reader_key) as uow:
            result = uow.session.execute(
                update(Notification)
                .where(Notification.user_id == user_id, Notification.read_at.is_(None))
                .values(read_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            uow.commit()
            return int(getattr(result, "rowcount", 0) or 0)

    # -- for the consumer (system: no actor) ---------------------------------------------

    def create_for_event(self, event_id: str, items: list[NotificationIn]) -> int:
        """Create the event's notifications in one transaction; returns how many were created.

        Idempotent by event id: if any notification of this event exists, nothing is added
        (a redelivery), and a concurrent duplicate loses on the unique (event, user) key."""
        if not items:
            return 0
        by_user = {item.user_id: item for item in items}  # one per user, whatever the caller sent
        try:
            with UnitOfWork(self._db) as uow:
                done = uow.session.scalar(
                    select(Notification.id).where(Notification.event_id == event_id).limit(1)
                )
                if done is not None:
                    return 0
                for item in by_user.values():
                    uow.session.add(
                        Notification(
                            user_id=item.user_id,
                            event_id=event_id,
                            kind=item.kind.value,
                            pool_id=item.pool_id,
                            entry_id=item.entry_id,
                            title=item.title,
                            body=item.body,
                            link=item.link,
                        )
                    )
                uow.commit()
        except IntegrityError:
            return 0  # another consumer delivered the same event at the same moment
        return len(by_user)
