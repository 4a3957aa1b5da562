"""An in-memory inbox unit of work: the notification rules without a database.

A unit works on a copy of the rows and puts it back only on commit, so leaving a unit
without committing (or raising inside it) leaves nothing behind, as the database would.
The unique (event, user) key is kept too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from datetime import datetime

from notifications.inbox import EventAlreadyDelivered, Inbox, InboxUnit
from notifications.schemas import NotificationIn, NotificationKind, NotificationOut


class _Row:
    def __init__(self, row_id: int, user_id: int, event_id: str, item: NotificationIn, at: datetime) -> None:
        self.id, self.user_id, self.event_id = row_id, user_id, event_id
        self.item, self.created_at = item, at
        self.read_at: datetime | None = None

    def out(self) -> NotificationOut:
        return NotificationOut(
            id=self.id,
            kind=self.item.kind,
            pool_id=self.item.pool_id,
            entry_id=self.item.entry_id,
            title=self.item.title,
            body=self.item.body,
            link=self.item.link,
            created_at=self.created_at,
            read_at=self.read_at,
        )


class _MemoryInbox:
    def __init__(self, rows: dict[int, _Row]) -> None:
        self.rows = rows

    def _of(self, user_id: int) -> list[_Row]:
        return [r for r in self.rows.values() if r.user_id == user_id]

    def newest(
        self, user_id: int, *, unread_only: bool, limit: int, kind: NotificationKind | None = None
    ) -> list[NotificationOut]:
        rows = [
            r
            for r in self._of(user_id)
            if (not unread_only or r.read_at is None) and (kind is None or r.item.kind is kind)
        ]
        return [r.out() for r in sorted(rows, key=lambda r: -r.id)[:limit]]

    def unread(self, user_id: int) -> int:
        return sum(1 for r in self._of(user_id) if r.read_at is None)

    def owner_of(self, notification_id: int) -> int | None:
        row = self.rows.get(notification_id)
        return None if row is None else row.user_id

    def mark_read(self, notification_id: int, at: datetime) -> NotificationOut:
        row = self.rows[notification_id]
        row.read_at = row.read_at or at
        return row.out()

    def mark_all_read(self, user_id: int, at: datetime) -> int:
        unread = [r for r in self._of(user_id) if r.read_at is None]
        for row in unread:
            row.read_at = at
        return len(unread)

    def has_event(self, event_id: str) -> bool:
        return any(r.event_id == event_id for r in self.rows.values())

    def add(self, event_id: str, item: NotificationIn, at: datetime, *, read: bool = False) -> None:
        row_id = max(self.rows, default=0) + 1
        self.rows[row_id] = _Row(row_id, item.user_id, event_id, item, at)
        self.rows[row_id].read_at = at if read else None


class _MemoryUnit:
    def __init__(self, store: MemoryInboxes) -> None:
        self._store = store
        self._inbox = _MemoryInbox(deepcopy(store.rows))
        self.inbox: Inbox = self._inbox

    def commit(self) -> None:
        pairs = [(r.event_id, r.user_id) for r in self._inbox.rows.values()]
        if len(pairs) != len(set(pairs)):
            raise EventAlreadyDelivered
        self._store.rows = self._inbox.rows
        self._store.commits += 1


class MemoryInboxes:
    """The rows, shared by the units it hands out (an `InboxUnits`)."""

    def __init__(self) -> None:
        self.rows: dict[int, _Row] = {}
        self.commits = 0

    @contextmanager
    def __call__(self, reader_key: str | None, writes: bool) -> Iterator[InboxUnit]:
        yield _MemoryUnit(self)
