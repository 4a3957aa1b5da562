"""A pool's team (co-managers and analysts) through the pool service and the REST API, on
SQLite and MariaDB: who may see and change it, the last manager staying, only active users of
the right role joining, errors naming the person in plain words, nothing written by a refused
change, an audit row for each change; and the users service's colleague search behind the
portal's add form (names and ids only, whole email addresses only, capped)."""

from __future__ import annotations

from typing import Any

import pytest

from backend.composition.container import Container
from backend.platform.actors import Actor, Role
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.users.interface import MAX_COLLEAGUES, UserCreate
from tests.integration.auth_support import PASSWORD
from tests.integration.pools_support import OPERATOR, Api, World, make_world, open_pool, problem_fields


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _person(world: World, label: str, role: Role, name: str) -> Actor:
    """A user with a display name (the World's users have none), who can sign in to the API."""
    email = f"{label}@pools.test"
    user = world.container.users.create_user(
        OPERATOR, UserCreate(email=email, role=role, password=PASSWORD, display_name=name)
    )
    world.emails[label] = email
    return Actor(user_id=user.id, role=role, label=email)


def _uid(actor: Actor) -> int:
    assert actor.user_id is not None
    return actor.user_id


def _team_events(container: Container) -> list[tuple[str, int | None, Any]]:
    """(action, actor, person) of the team's audit rows, oldest first."""
    events = reversed(container.audit.list_events(OPERATOR, object_type="pool"))
    return [
        (e.action, e.actor_user_id, (e.after or e.before or {}).get("user_id"))
        for e in events
        if e.action.startswith(("pool.manager_", "pool.analyst_"))
    ]


def _names(team: Any) -> tuple[list[str], list[str]]:
    return [m.name for m in team.managers], [m.name for m in team.analysts]


# -- the service -------------------------------------------------------------------------


def test_the_team_names_its_people_to_the_pools_managers_only(world: World) -> None:
    pools = world.container.pools
    bea = _person(world, "bea", Role.MANAGER, "Bea Costa")
    carl = _person(world, "carl", Role.ANALYST, "Carl Duarte")
    pool_id = pools.create_pool(world.manager, open_pool()).id
    pools.add_manager(world.manager, pool_id, "  BEA@pools.test ")  # by address, as typed
    pools.grant_analyst(world.manager, pool_id, _uid(carl))

    team = pools.team(bea, pool_id)
    assert (team.pool_id, team.pool_name) == (pool_id, "Harbour Growth Fund")
    assert [m.user_id for m in team.managers] == [_uid(world.manager), _uid(bea)]
    assert _names(team) == (["", "Bea Costa"], ["Carl Duarte"])
    # A manager knows colleagues by name; only an admin, who reads every account, sees addresses.
    assert all(m.email is None for m in team.managers + team.analysts)
    by_admin = pools.team(world.admin, pool_id)
    assert [m.email for m in by_admin.analysts] == ["carl@pools.test"]
    # The analyst reads the pool, not who works on it; another manager does not see the pool.
    with pytest.raises(PermissionDenied):
        pools.team(carl, pool_id)
    for outsider in (world.other_manager, world.analyst, world.investor):
        with pytest.raises(NotFound):
            pools.team(outsider, pool_id)
    # A disabled co-manager stays on the team, marked, until someone removes them.
    world.container.users.set_active(world.admin, _uid(bea), False)
    assert [m.active for m in pools.team(world.manager, pool_id).managers] == [True, False]


def test_only_active_users_of_the_right_role_join_and_the_error_names_them(world: World) -> None:
    pools = world.container.pools
    carl = _person(world, "carl", Role.ANALYST, "Carl Duarte")
    dina = _person(world, "dina", Role.MANAGER, "Dina Faro")
    pool_id = pools.create_pool(world.manager, open_pool()).id
    before = pools.team(world.manager, pool_id)

    with pytest.raises(ValidationFailed) as analyst_as_manager:
        pools.add_manager(world.manager, pool_id, _uid(carl))
    assert analyst_as_manager.value.field == "user_id"
    assert "Carl Duarte is an analyst, not a manager" in analyst_as_manager.value.detail
    with pytest.raises(ValidationFailed) as manager_as_analyst:
        pools.grant_analyst(world.manager, pool_id, "dina@pools.test")
    assert manager_as_analyst.value.field == "email"
    assert "dina@pools.test is a manager, not an analyst" in manager_as_analyst.value.detail
    # An investor's account, a missing one and a disabled one get the same words: the pool's
    # endpoints confirm nobody's account beyond the managers and analysts anyone could find.
    world.container.users.set_active(world.admin, _uid(dina), False)
    refusals = []
    for user in (_uid(world.investor), 999_999, _uid(dina)):
        with pytest.raises(ValidationFailed) as refused:
            pools.add_manager(world.manager, pool_id, user)
        refusals.append(refused.value.detail)
    assert refusals == [
        f"user_id: user {u} is not a manager with an active account"
        for u in (_uid(world.investor), 999_999, _uid(dina))
    ]
    with pytest.raises(ValidationFailed) as unknown:
        pools.grant_analyst(world.manager, pool_id, "nobody@pools.test")
    assert (
        unknown.value.detail
        == "email: nobody with the address nobody@pools.test is an analyst with an active account"
    )

    pools.grant_analyst(world.manager, pool_id, _uid(carl))
    with pytest.raises(Conflict) as twice:
        pools.grant_analyst(world.manager, pool_id, _uid(carl))
    assert "Carl Duarte already has read access to Harbour Growth Fund" in twice.value.detail
    assert pools.team(world.manager, pool_id).managers == before.managers
    assert _team_events(world.container) == [("pool.analyst_granted", _uid(world.manager), _uid(carl))]


def test_the_last_manager_stays_and_a_manager_leaves_only_while_another_stays(world: World) -> None:
    pools = world.container.pools
    ana = _person(world, "ana", Role.MANAGER, "Ana Lima")
    bea = _person(world, "bea", Role.MANAGER, "Bea Costa")
    pool_id = pools.create_pool(ana, open_pool()).id
    with pytest.raises(Conflict) as alone:
        pools.remove_manager(ana, pool_id, _uid(ana))
    assert "you are the last manager of Harbour Growth Fund" in alone.value.detail
    with pytest.raises(Conflict) as by_admin:
        pools.remove_manager(world.admin, pool_id, _uid(ana))
    assert "Ana Lima is the last manager of Harbour Growth Fund" in by_admin.value.detail
    with pytest.raises(NotFound) as not_on_team:
        pools.remove_manager(ana, pool_id, _uid(bea))
    assert not_on_team.value.field == "user_id"

    pools.add_manager(ana, pool_id, _uid(bea))
    pools.remove_manager(ana, pool_id, _uid(ana))  # leaves: Bea stays
    with pytest.raises(NotFound):
        pools.get_pool(ana, pool_id)
    assert [m.name for m in pools.team(bea, pool_id).managers] == ["Bea Costa"]
    with pytest.raises(Conflict):
        pools.remove_manager(bea, pool_id, _uid(bea))
    assert _team_events(world.container) == [
        ("pool.manager_added", _uid(ana), _uid(bea)),
        ("pool.manager_removed", _uid(ana), _uid(ana)),
    ]


def test_nobody_but_its_managers_or_an_admin_changes_the_team(world: World) -> None:
    pools = world.container.pools
    granted = _person(world, "granted", Role.ANALYST, "Gil Granted")
    newcomer = _person(world, "newcomer", Role.MANAGER, "Nia New")
    pool_id = pools.create_pool(world.manager, open_pool()).id
    pools.grant_analyst(world.manager, pool_id, _uid(granted))
    before = pools.team(world.admin, pool_id)
    events = _team_events(world.container)
    for outsider, refused in (
        (world.other_manager, NotFound),
        (world.analyst, NotFound),
        (world.investor, NotFound),
        (granted, PermissionDenied),  # sees the pool, may not change it
    ):
        with pytest.raises(refused):
            pools.add_manager(
                outsider, pool_id, _uid(outsider) if outsider.role is Role.MANAGER else _uid(newcomer)
            )
        with pytest.raises(refused):
            pools.remove_manager(outsider, pool_id, _uid(world.manager))
        with pytest.raises(refused):
            pools.grant_analyst(outsider, pool_id, _uid(world.analyst))
        with pytest.raises(refused):
            pools.revoke_analyst(outsider, pool_id, _uid(granted))
    # Refused before the person is looked at: an outsider learns nothing about who exists.
    with pytest.raises(NotFound) as probing:
        pools.add_manager(world.other_manager, pool_id, "nobody@pools.test")
    assert "nobody" not in probing.value.detail
    assert pools.team(world.admin, pool_id) == before
    assert _team_events(world.container) == events
    # An admin may: audited under the admin.
    pools.revoke_analyst(world.admin, pool_id, _uid(granted))
    assert _team_events(world.container)[-1] == ("pool.analyst_revoked", _uid(world.admin), _uid(granted))


def test_colleague_search_finds_names_by_word_and_addresses_only_whole(world: World) -> None:
    users = world.container.users
    _person(world, "ana", Role.MANAGER, "Ana Lima")
    _person(world, "lia", Role.ANALYST, "Lia Moreira")
    off = _person(world, "old", Role.MANAGER, "Limor Old")
    users.set_active(world.admin, _uid(off), False)

    def found(role: Role, text: str, actor: Actor = world.manager) -> list[str]:
        return [c.display_name for c in users.find_colleagues(actor, role, text)]

    assert found(Role.MANAGER, "lim") == ["Ana Lima"]  # a word's start; the disabled one is left out
    assert found(Role.ANALYST, "LI") == ["Lia Moreira"]  # that role only, any case
    assert found(Role.MANAGER, "ima") == []  # not inside a word
    assert found(Role.MANAGER, "ana@pools.test") == ["Ana Lima"]
    assert found(Role.MANAGER, "ana@pools.te") == []  # never spells an address out a letter at a time
    assert found(Role.MANAGER, "%a") == []  # LIKE's wildcards are plain text
    match = users.find_colleagues(world.manager, Role.MANAGER, "ana")[0]
    assert set(match.model_dump()) == {"id", "display_name", "role", "is_active"}  # no address
    for n in range(MAX_COLLEAGUES + 3):
        _person(world, f"many{n}", Role.ANALYST, f"Many {n:02d}")
    assert len(found(Role.ANALYST, "many")) == MAX_COLLEAGUES
    with pytest.raises(ValidationFailed) as short:
        users.find_colleagues(world.manager, Role.ANALYST, "m")
    assert short.value.field == "search"
    with pytest.raises(ValidationFailed) as role:
        users.find_colleagues(world.manager, Role.INVESTOR, "ana")
    assert role.value.field == "role"
    for refused in (world.investor, world.analyst):
        with pytest.raises(PermissionDenied):
            users.find_colleagues(refused, Role.MANAGER, "ana")


# -- the API -----------------------------------------------------------------------------


def test_the_team_over_the_api(world: World) -> None:
    api = Api(world)
    bea = _person(world, "bea", Role.MANAGER, "Bea Costa")
    carl = _person(world, "carl", Role.ANALYST, "Carl Duarte")
    pool_id = world.container.pools.create_pool(world.manager, open_pool()).id
    base = f"/pools/{pool_id}"

    added = api.call("POST", "manager", f"{base}/managers", {"email": "bea@pools.test"})
    assert added.status_code == 201, added.get_json()
    assert added.get_json()["manager_ids"] == sorted([_uid(world.manager), _uid(bea)])
    granted = api.call("POST", "bea", f"{base}/analysts", {"user_id": _uid(carl)})
    assert granted.status_code == 201 and granted.get_json()["user_id"] == _uid(carl)

    team = api.call("GET", "bea", f"{base}/team")
    assert team.status_code == 200
    body = team.get_json()
    assert [m["name"] for m in body["managers"]] == ["", "Bea Costa"]
    assert [(m["name"], m["email"]) for m in body["analysts"]] == [("Carl Duarte", None)]
    assert api.call("GET", "admin", f"{base}/team").get_json()["analysts"][0]["email"] == "carl@pools.test"
    assert api.call("GET", "carl", f"{base}/team").status_code == 403
    assert api.call("GET", "other_manager", f"{base}/team").status_code == 404

    wrong = api.call("POST", "manager", f"{base}/managers", {"user_id": _uid(carl)})
    assert wrong.status_code == 422 and problem_fields(wrong) == ["user_id"]
    assert "Carl Duarte is an analyst, not a manager" in wrong.get_json()["detail"]
    for bad in (
        {},
        {"user_id": None},
        {"user_id": None, "email": "bea@pools.test"},
        {"user_id": _uid(bea), "email": "bea@pools.test"},
        {"email": "not an address"},
    ):
        shape = api.call("POST", "manager", f"{base}/managers", bad)
        assert shape.status_code == 422, (bad, shape.get_json())
    assert api.call("POST", "manager", f"{base}/managers", {"user_id": _uid(bea)}).status_code == 409

    assert api.call("DELETE", "manager", f"{base}/analysts/{_uid(carl)}").status_code == 204
    assert api.call("DELETE", "manager", f"{base}/analysts/{_uid(carl)}").status_code == 404
    assert api.call("DELETE", "manager", f"{base}/managers/{_uid(world.manager)}").status_code == 200
    last = api.call("DELETE", "bea", f"{base}/managers/{_uid(bea)}")
    assert last.status_code == 409 and problem_fields(last) == ["user_id"]
    assert "last manager" in last.get_json()["detail"]


def test_the_openapi_document_states_the_team_operations(world: World) -> None:
    doc = Api(world).client.get("/api/v1/openapi.json").get_json()
    team = doc["paths"]["/api/v1/pools/{pool_id}/team"]["get"]
    assert {"200", "401", "403", "404", "422"} <= set(team["responses"])
    add = doc["paths"]["/api/v1/pools/{pool_id}/managers"]["post"]
    assert {"201", "403", "404", "409", "422"} <= set(add["responses"])
    ref = doc["components"]["schemas"]["UserRef"]
    assert ref["oneOf"] == [{"required": ["user_id"]}, {"required": ["email"]}]
    assert ref["properties"]["user_id"]["type"] == "integer"  # never null: "not sent" is the absence
    assert ref["properties"]["email"]["type"] == "string"
