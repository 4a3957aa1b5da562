"""The Team panel of the manager's pool page through the real server, on SQLite and MariaDB:
it lists the team by name, finds colleagues to add, adds one, asks before removing someone
(naming them and the pool), shows the service's refusals in plain words, and redraws the list
after each change in the same answer (no reload). Another manager's forged callbacks change
nothing (also in test_authorization_matrix_portal.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from plotly.utils import PlotlyJSONEncoder

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform.actors import Actor, Role
from backend.users.interface import UserCreate
from portal.manager.team_panel import REMOVE, team_panel
from tests.integration.auth_support import PASSWORD
from tests.integration.pools_support import OPERATOR, World, make_world, open_pool
from tests.integration.portal_callbacks import response_of
from tests.integration.portal_support import csrf_cookie, login

ACT_OUTPUTS = [
    ("team-list", "children"),
    ("team-flash", "children"),
    ("team-confirm", "is_open"),
    ("team-confirm-body", "children"),
    ("team-pending", "data"),
    ("team-candidate", "value"),
]


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _person(world: World, label: str, role: Role, name: str) -> int:
    email = f"{label}@pools.test"
    world.emails[label] = email
    return world.container.users.create_user(
        OPERATOR, UserCreate(email=email, role=role, password=PASSWORD, display_name=name)
    ).id


def _client(world: World, who: str = "manager") -> FlaskClient:
    client = create_app(world.container).test_client()
    assert login(client, world.emails[who], PASSWORD).status_code == 303
    client.get("/_dash-dependencies")  # Dash registers the callbacks on its first request
    return client


def _id(ident: Any) -> str:
    return json.dumps(ident, sort_keys=True, separators=(",", ":")) if isinstance(ident, dict) else str(ident)


def _act(
    client: FlaskClient,
    pool_id: int,
    trigger: Any,
    *,
    role: str = "manager",
    candidate: Any = None,
    pending: Any = None,
    buttons: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    """POST the panel's action callback as dash-renderer does when `trigger` was clicked
    (portal_callbacks.post_callback names only the first input as the one that changed)."""
    clicked: dict[str, int | None] = {"team-confirm-yes": None, "team-add": None, "team-confirm-no": None}
    if isinstance(trigger, str):
        clicked[trigger] = 1
    removes = [{"id": b, "property": "n_clicks", "value": 1 if b == trigger else None} for b in buttons]
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in ACT_OUTPUTS) + "..",
        "outputs": [{"id": i, "property": p} for i, p in ACT_OUTPUTS],
        "inputs": [
            {"id": "team-confirm-yes", "property": "n_clicks", "value": clicked["team-confirm-yes"]},
            {"id": "team-add", "property": "n_clicks", "value": clicked["team-add"]},
            removes,
            {"id": "team-confirm-no", "property": "n_clicks", "value": clicked["team-confirm-no"]},
        ],
        "changedPropIds": [f"{_id(trigger)}.n_clicks"],
        "state": [
            {"id": "team-role", "property": "value", "value": role},
            {"id": "team-candidate", "property": "value", "value": candidate},
            {"id": "team-pool-id", "property": "data", "value": pool_id},
            {"id": "team-pending", "property": "data", "value": pending},
        ],
    }
    answer = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_cookie(client)})
    return response_of(answer)


def _search(client: FlaskClient, pool_id: int, text: str, role: str = "manager") -> Any:
    body = {
        "output": "team-candidate.options",
        "outputs": {"id": "team-candidate", "property": "options"},
        "inputs": [{"id": "team-candidate", "property": "search_value", "value": text}],
        "changedPropIds": ["team-candidate.search_value"],
        "state": [
            {"id": "team-role", "property": "value", "value": role},
            {"id": "team-pool-id", "property": "data", "value": pool_id},
        ],
    }
    answer = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_cookie(client)})
    return response_of(answer)["team-candidate"]["options"]


def _text(value: Any) -> str:
    return json.dumps(value, cls=PlotlyJSONEncoder)


def test_the_panel_lists_the_team_by_name(world: World) -> None:
    c = world.container
    bea = _person(world, "bea", Role.MANAGER, "Bea Costa")
    carl = _person(world, "carl", Role.ANALYST, "Carl Duarte")
    pool = c.pools.create_pool(world.manager, open_pool(name="Tidewater Fund"))
    c.pools.add_manager(world.manager, pool.id, bea)
    c.pools.grant_analyst(world.manager, pool.id, carl)
    app = create_app(c)
    with app.test_request_context():
        shown = _text(team_panel(world.manager, pool))
        refused = _text(team_panel(world.other_manager, pool))
    assert "Bea Costa" in shown and "Carl Duarte" in shown and "(you)" in shown
    assert "bea@pools.test" not in shown  # a manager knows colleagues by name
    assert "Bea Costa" not in refused and "you do not manage this pool" in refused


def test_adding_and_removing_redraws_the_list_and_names_the_person(world: World) -> None:
    c = world.container
    _person(world, "bea", Role.MANAGER, "Bea Costa")
    carl = _person(world, "carl", Role.ANALYST, "Carl Duarte")
    pool_id = c.pools.create_pool(world.manager, open_pool(name="Tidewater Fund")).id
    client = _client(world)

    options = _search(client, pool_id, "car", role="analyst")
    assert options == [{"label": "Carl Duarte", "value": carl}]
    assert _search(client, pool_id, "car", role="manager") == []  # an analyst is no co-manager
    added = _act(client, pool_id, "team-add", role="analyst", candidate=str(carl))
    assert "Carl Duarte now reads Tidewater Fund" in _text(added["team-flash"])
    assert "Carl Duarte" in _text(added["team-list"]["children"])
    assert added["team-candidate"]["value"] is None
    assert _search(client, pool_id, "car", role="analyst") == []  # already on the team

    button = {"type": REMOVE, "role": "analyst", "user": carl}
    asked = _act(client, pool_id, button, buttons=(button,))
    assert asked["team-confirm"]["is_open"] is True
    assert "Remove Carl Duarte as analyst of Tidewater Fund?" in _text(asked["team-confirm-body"])
    assert [m.user_id for m in c.pools.team(world.manager, pool_id).analysts] == [carl]  # asked only
    pending = asked["team-pending"]["data"]
    removed = _act(client, pool_id, "team-confirm-yes", pending=pending)
    assert "Carl Duarte is no longer on the team of Tidewater Fund" in _text(removed["team-flash"])
    assert "Carl Duarte" not in _text(removed["team-list"]["children"])
    assert removed["team-confirm"]["is_open"] is False
    assert c.pools.team(world.manager, pool_id).analysts == []


def test_the_services_refusals_are_shown_in_plain_words(world: World) -> None:
    c = world.container
    carl = _person(world, "carl", Role.ANALYST, "Carl Duarte")
    pool_id = c.pools.create_pool(world.manager, open_pool(name="Tidewater Fund")).id
    client = _client(world)
    wrong = _act(client, pool_id, "team-add", role="manager", candidate=str(carl))  # a forged choice
    flash = _text(wrong["team-flash"])
    assert "Not added: Carl Duarte is an analyst, not a manager" in flash and "user_id:" not in flash
    me = world.manager.user_id
    leave = _act(client, pool_id, "team-confirm-yes", pending={"role": "manager", "user_id": me})
    assert "Not removed: you are the last manager of Tidewater Fund" in _text(leave["team-flash"])
    assert [m.user_id for m in c.pools.team(world.manager, pool_id).managers] == [me]
    # Ids no row can have (a forged page) are a message, never a server error.
    huge = _act(client, pool_id, "team-add", candidate=str(10**30))
    assert "Find someone first" in _text(huge["team-flash"])
    forged = _act(client, pool_id, "team-confirm-yes", pending={"role": "manager", "user_id": 10**30})
    assert "Nothing to remove" in _text(forged["team-flash"])


def test_a_manager_leaves_while_a_co_manager_stays(world: World) -> None:
    c = world.container
    bea = _person(world, "bea", Role.MANAGER, "Bea Costa")
    pool_id = c.pools.create_pool(world.manager, open_pool(name="Tidewater Fund")).id
    c.pools.add_manager(world.manager, pool_id, bea)
    client = _client(world)
    me = world.manager.user_id
    button = {"type": REMOVE, "role": "manager", "user": me}
    asked = _act(client, pool_id, button, buttons=(button,))
    assert "Leave Tidewater Fund?" in _text(asked["team-confirm-body"])
    left = _act(client, pool_id, "team-confirm-yes", pending=asked["team-pending"]["data"])
    assert "You left Tidewater Fund." in _text(left["team-flash"])
    assert "you do not manage this pool" in _text(left["team-list"])
    assert [
        m.user_id for m in c.pools.team(Actor(user_id=bea, role=Role.MANAGER, label="bea"), pool_id).managers
    ] == [bea]


def test_another_managers_forged_callbacks_change_nothing(world: World) -> None:
    c = world.container
    bea = _person(world, "bea", Role.MANAGER, "Bea Costa")
    pool_id = c.pools.create_pool(world.manager, open_pool(name="Tidewater Fund")).id
    c.pools.add_manager(world.manager, pool_id, bea)
    before = c.pools.team(world.admin, pool_id)
    intruder = _client(world, "other_manager")
    assert _search(intruder, pool_id, "bea@pools.test") == []
    removal = _act(intruder, pool_id, "team-confirm-yes", pending={"role": "manager", "user_id": bea})
    adding = _act(intruder, pool_id, "team-add", candidate=str(world.other_manager.user_id))
    button = {"type": REMOVE, "role": "manager", "user": bea}
    asked = _act(intruder, pool_id, button, buttons=(button,))
    for answer in (removal, adding, asked):
        text = _text(answer)
        assert "Tidewater" not in text and "Bea Costa" not in text, text
        assert "team-list" not in answer  # nothing of the team is drawn for them
    assert asked["team-confirm"]["is_open"] is False
    assert c.pools.team(world.admin, pool_id) == before
