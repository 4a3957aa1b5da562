"""The notification rules, run without a database over the in-memory inbox. The same
service runs over SQLite and MariaDB in tests/integration/test_notifications.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.platform.actors import Actor, Role
from backend.platform.errors import NotFound, ValidationFailed
from notifications.interface import NotificationIn, NotificationKind
from notifications.service import NotificationCentre
from tests.unit.notifications.memory_inbox import MemoryInboxes

ANA = Actor(user_id=1, role=Role.INVESTOR, label="ana")
BO = Actor(user_id=2, role=Role.INVESTOR, label="bo")
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def _note(user_id: int, title: str = "Capital call") -> NotificationIn:
    return NotificationIn(user_id=user_id, kind=NotificationKind.CAPITAL_CALL, pool_id=7, title=title)


@pytest.fixture
def inboxes() -> MemoryInboxes:
    return MemoryInboxes()


@pytest.fixture
def centre(inboxes: MemoryInboxes) -> NotificationCentre:
    return NotificationCentre(inboxes, clock=Clock())


def test_each_user_sees_only_their_own_newest_first(centre: NotificationCentre) -> None:
    assert centre.create_for_event("e1", [_note(1, "first"), _note(2, "for bo")]) == 2
    assert centre.create_for_event("e2", [_note(1, "second")]) == 1
    mine = centre.list_for_user(ANA)
    assert [n.title for n in mine.items] == ["second", "first"] and mine.unread == 2
    assert [n.title for n in centre.list_for_user(BO).items] == ["for bo"]


def test_a_redelivered_event_adds_nothing_and_one_per_user(
    centre: NotificationCentre, inboxes: MemoryInboxes
) -> None:
    assert centre.create_for_event("e1", [_note(1), _note(1, "twice"), _note(2)]) == 2
    assert centre.create_for_event("e1", [_note(1), _note(2)]) == 0
    assert len(inboxes.rows) == 2 and inboxes.commits == 1


def test_another_users_notification_is_not_found_and_left_unread(centre: NotificationCentre) -> None:
    centre.create_for_event("e1", [_note(2)])
    theirs = centre.list_for_user(BO).items[0].id
    with pytest.raises(NotFound, match=f"notification {theirs} not found"):
        centre.mark_read(ANA, theirs)
    with pytest.raises(NotFound, match="notification 999 not found"):
        centre.mark_read(ANA, 999)
    assert centre.unread_count(BO) == 1


def test_marking_read_twice_keeps_the_first_time(centre: NotificationCentre) -> None:
    centre.create_for_event("e1", [_note(1), _note(2)])
    first = centre.mark_read(ANA, centre.list_for_user(ANA).items[0].id)
    again = centre.mark_read(ANA, first.id)
    assert first.read_at is not None and again.read_at == first.read_at
    assert centre.unread_count(ANA) == 0 and centre.unread_count(BO) == 1


def test_mark_all_read_counts_only_the_users_unread(centre: NotificationCentre) -> None:
    centre.create_for_event("e1", [_note(1), _note(2)])
    centre.create_for_event("e2", [_note(1)])
    assert centre.mark_all_read(ANA) == 2
    assert centre.mark_all_read(ANA) == 0
    assert centre.unread_count(BO) == 1
    assert centre.list_for_user(ANA, unread_only=True).items == []


def test_operators_have_no_notifications_and_the_limit_is_named(centre: NotificationCentre) -> None:
    with pytest.raises(NotFound, match="operators have no notifications"):
        centre.list_for_user(Actor.operator("relay"))
    with pytest.raises(ValidationFailed) as refused:
        centre.list_for_user(ANA, limit=101)
    assert refused.value.field == "limit" and "1..100" in refused.value.detail


def test_a_unit_left_without_commit_leaves_no_trace(inboxes: MemoryInboxes) -> None:
    with inboxes(None, True) as unit:
        unit.inbox.add("e1", _note(1), START)
    assert inboxes.rows == {} and inboxes.commits == 0
