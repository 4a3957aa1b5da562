from __future__ import annotations

import pytest

from backend.composition.container import Container
from backend.platform.actors import Actor, Role
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.platform.observability import call_context
from backend.users.interface import UserCreate

OPERATOR = Actor.operator("test")

# Every test here runs in process and again with the users service behind gRPC.
pytestmark = pytest.mark.over_grpc("users")


def _create(container: Container, email: str, role: Role = Role.INVESTOR) -> int:
    return container.users.create_user(
        OPERATOR, UserCreate(email=email, role=role, password="correct horse battery")
    ).id


def test_create_user_normalises_email_and_audits(container: Container) -> None:
    user_id = _create(container, "  Ana@Example.COM ")
    user = container.users.get_user(OPERATOR, user_id)
    assert user.email == "ana@example.com"
    events = container.audit.list_events(OPERATOR, object_type="user")
    assert [(e.action, e.object_id) for e in events] == [("user.created", str(user_id))]
    assert "password" not in (events[0].after or {})


def test_duplicate_email_is_a_conflict_naming_the_field(container: Container) -> None:
    _create(container, "dup@example.com")
    with pytest.raises(Conflict) as err:
        _create(container, "DUP@example.com")
    assert err.value.field == "email"


def test_non_admin_cannot_create_or_list(container: Container) -> None:
    manager = Actor(user_id=_create(container, "m@example.com", Role.MANAGER), role=Role.MANAGER, label="m")
    with pytest.raises(PermissionDenied):
        container.users.create_user(
            manager, UserCreate(email="x@example.com", role=Role.ADMIN, password="p" * 12)
        )
    with pytest.raises(PermissionDenied):
        container.users.list_users(manager)


def test_user_sees_self_but_not_others(container: Container) -> None:
    a = _create(container, "a@example.com")
    b = _create(container, "b@example.com")
    actor_a = Actor(user_id=a, role=Role.INVESTOR, label="a")
    assert container.users.get_user(actor_a, a).email == "a@example.com"
    with pytest.raises(NotFound):
        container.users.get_user(actor_a, b)


def test_disable_records_before_and_after(container: Container) -> None:
    user_id = _create(container, "d@example.com")
    assert container.users.set_active(OPERATOR, user_id, False).is_active is False
    event = container.audit.list_events(OPERATOR, action="user.disabled")[0]
    assert event.before == {"is_active": True} and event.after == {"is_active": False}


def test_failed_create_leaves_no_trace(container: Container) -> None:
    _create(container, "first@example.com")
    before = len(container.audit.list_events(OPERATOR))
    with pytest.raises(Conflict):
        _create(container, "first@example.com")
    assert len(container.audit.list_events(OPERATOR)) == before
    assert container.users.count() == 1


def test_counts_by_role_and_the_first_page_come_from_the_database(container: Container) -> None:
    ids = [_create(container, f"inv{i}@example.com", Role.INVESTOR) for i in range(3)]
    _create(container, "boss@example.com", Role.MANAGER)
    container.users.set_active(OPERATOR, ids[0], False)
    counts = {(c.role.value, c.active): c.accounts for c in container.users.count_by_role(OPERATOR)}
    assert counts[("investor", True)] == 2 and counts[("investor", False)] == 1
    assert counts[("manager", True)] == 1 and ("analyst", True) not in counts
    page = container.users.list_users_page(OPERATOR, limit=2)
    assert [u.id for u in page] == sorted(u.id for u in container.users.list_users(OPERATOR))[:2]
    investor = Actor(user_id=ids[1], role=Role.INVESTOR, label="investor")
    with pytest.raises(PermissionDenied):
        container.users.count_by_role(investor)
    with pytest.raises(PermissionDenied):
        container.users.list_users_page(investor, limit=2)


def test_an_account_is_found_by_part_of_its_email_or_name(container: Container) -> None:
    for i in range(3):
        _create(container, f"found{i}@example.com")
    _create(container, "100%_sure@example.com")
    found = container.users.list_users_page(OPERATOR, limit=50, search="FOUND1")
    assert [u.email for u in found] == ["found1@example.com"]
    # LIKE's own characters are matched as themselves.
    assert [u.email for u in container.users.list_users_page(OPERATOR, limit=50, search="%_s")] == [
        "100%_sure@example.com"
    ]
    with pytest.raises(ValidationFailed) as error:
        container.users.list_users_page(OPERATOR, limit=50, search="x" * 101)
    assert error.value.field == "search"


def test_users_created_together_are_audited_one_event_each_in_the_callers_request(
    container: Container,
) -> None:
    """A batch writes its events in one statement: still one per user, with the actor, the
    request, and the same summary (never the password) as one created alone."""
    bodies = [
        UserCreate(email=f"Batch{i}@Pools.test", role=Role.INVESTOR, password="correct horse")
        for i in range(3)
    ]
    with call_context("req-batch-1", None):
        made = container.users.create_users(OPERATOR, bodies)
    events = container.audit.list_events(OPERATOR, action="user.created")
    assert sorted((e.object_id, e.actor_label, e.request_id) for e in events) == sorted(
        (str(u.id), OPERATOR.label, "req-batch-1") for u in made
    )
    assert {e.object_id: e.after for e in events} == {
        str(u.id): {"email": f"batch{i}@pools.test", "role": "investor"} for i, u in enumerate(made)
    }
