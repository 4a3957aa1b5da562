"""/api/v1/pools over HTTP with bearer tokens, on SQLite and MariaDB: status codes,
problem+json naming fields, cursors, CSRF on session writes, and the OpenAPI document."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from backend.composition.container import Container
from backend.platform.actors import Role
from tests.integration.pools_support import (
    INCEPTION,
    OPERATOR,
    Api,
    World,
    make_world,
    problem_fields,
)
from tests.integration.portal_support import csrf_cookie, login, make_portal


@pytest.fixture
def api(container: Container) -> Api:
    return Api(make_world(container))


def _open_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Harbour Growth Fund",
        "kind": "open_ended",
        "base_currency": "USD",
        "inception_date": INCEPTION.isoformat(),
        "management_fee": {"rate": "0.015", "basis": "nav"},
        "minimum_subscription": "10000.00",
    }
    body.update(overrides)
    return body


def _create(api: Api, who: str = "manager", **overrides: Any) -> dict[str, Any]:
    response = api.call("POST", who, "/pools", _open_body(**overrides))
    assert response.status_code == 201, response.get_json()
    created: dict[str, Any] = response.get_json()
    return created


def test_create_read_update_close_liquidate(api: Api) -> None:
    pool = _create(api)
    assert pool["status"] == "open" and pool["minimum_subscription"] == "10000.00"
    assert pool["management_fee"]["rate"] == "0.015" and pool["manager_ids"] == [api.world.manager.user_id]
    path = f"/pools/{pool['id']}"
    assert api.call("GET", "manager", path).get_json() == pool
    patched = api.call("PATCH", "manager", path, {"name": "Renamed", "minimum_subscription": 5000})
    assert patched.status_code == 200 and patched.get_json()["name"] == "Renamed"
    assert patched.get_json()["minimum_subscription"] == "5000.00"
    closed = api.call("POST", "manager", path + "/close")
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    again = api.call("POST", "manager", path + "/close")
    assert again.status_code == 409 and problem_fields(again) == ["status"]
    liquidating = api.call("POST", "manager", path + "/liquidate")
    assert liquidating.status_code == 200 and liquidating.get_json()["status"] == "liquidating"


def test_delete_an_empty_pool_then_it_is_gone(api: Api) -> None:
    pool_id = _create(api)["id"]
    deleted = api.call("DELETE", "manager", f"/pools/{pool_id}")
    assert deleted.status_code == 204 and deleted.data == b""
    gone = api.call("GET", "admin", f"/pools/{pool_id}")
    assert gone.status_code == 404 and problem_fields(gone) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"base_currency": "XYZ"}, "base_currency"),
        ({"minimum_subscription": "10.001"}, "minimum_subscription"),
        ({"minimum_subscription": "-10"}, "minimum_subscription"),
        ({"minimum_subscription": "99999999999999"}, "minimum_subscription"),
        ({"minimum_subscription": 1234567890.123456789}, "minimum_subscription"),
        ({"inception_date": (date.today() + timedelta(days=400)).isoformat()}, "inception_date"),
        (
            {"performance_fee": {"rate": "0.2"}, "kind": "closed_ended", "management_fee": None},
            "performance_fee",
        ),
        ({"kind": "closed_ended", "management_fee": None}, "waterfall"),
        ({"management_fee": {"rate": "2", "basis": "nav"}}, "management_fee.rate"),
        ({"kind": "hedge"}, "kind"),
        ({"inception_date": "2025-13-01"}, "inception_date"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_pool_is_a_422_problem_naming_the_field(api: Api, overrides: dict[str, Any], field: str) -> None:
    response = api.call("POST", "manager", "/pools", _open_body(**overrides))
    assert response.status_code == 422
    assert problem_fields(response) == [field]
    assert api.world.container.pools.list_pools(OPERATOR).items == []


def test_malformed_json_is_a_400_problem(api: Api) -> None:
    response = api.client.post(
        "/api/v1/pools", data="{not json", content_type="application/json", headers=api.headers("manager")
    )
    assert response.status_code == 400 and problem_fields(response) == ["body"]


def test_status_codes_by_role(api: Api) -> None:
    pool_id = _create(api)["id"]
    path = f"/pools/{pool_id}"
    assert api.client.get("/api/v1" + path).status_code == 401
    assert api.call("GET", "other_manager", path).status_code == 404
    assert api.call("PATCH", "other_manager", path, {"name": "x"}).status_code == 404
    assert api.call("DELETE", "other_manager", path).status_code == 404
    assert api.call("GET", "analyst", path).status_code == 404
    assert api.world.analyst.user_id is not None
    api.world.container.pools.grant_analyst(api.world.manager, pool_id, api.world.analyst.user_id)
    assert api.call("GET", "analyst", path).status_code == 200
    refused = api.call("PATCH", "analyst", path, {"name": "x"})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert api.call("POST", "analyst", path + "/close").status_code == 403
    assert api.call("POST", "investor", "/pools", _open_body()).status_code == 403
    assert api.call("GET", "admin", path).status_code == 200
    assert api.call("GET", "manager", path).get_json()["name"] == "Harbour Growth Fund"


def test_admin_must_name_the_manager(api: Api) -> None:
    missing = api.call("POST", "admin", "/pools", _open_body())
    assert missing.status_code == 422 and problem_fields(missing) == ["manager_user_id"]
    named = _create(api, "admin", manager_user_id=api.world.other_manager.user_id)
    assert named["manager_ids"] == [api.world.other_manager.user_id]


def test_list_pages_with_opaque_cursors_and_filters(api: Api) -> None:
    ids = [_create(api, name=f"Pool {i}")["id"] for i in range(5)]
    _create(api, "other_manager", name="Not mine")
    seen: list[int] = []
    url = "/pools?limit=2"
    pages = 0
    while True:
        page = api.call("GET", "manager", url).get_json()
        seen += [p["id"] for p in page["items"]]
        pages += 1
        if page["next_cursor"] is None:
            break
        assert not page["next_cursor"].isdigit()  # opaque, not a bare id
        url = f"/pools?limit=2&cursor={page['next_cursor']}"
    assert seen == ids and pages == 3
    api.call("POST", "manager", f"/pools/{ids[0]}/close")
    closed = api.call("GET", "manager", "/pools?status=closed").get_json()
    assert [p["id"] for p in closed["items"]] == [ids[0]] and closed["next_cursor"] is None
    for query, field in (
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("cursor=bm9wZQ", "cursor"),
        ("status=gone", "status"),
        ("colour=red", "colour"),
    ):
        bad = api.call("GET", "manager", f"/pools?{query}")
        assert bad.status_code == 422 and problem_fields(bad) == [field], query


def test_a_pool_with_commitments_answers_409_on_delete(api: Api) -> None:
    world = api.world
    body = _open_body(
        kind="closed_ended",
        management_fee=None,
        base_currency="EUR",
        waterfall={"preferred_return_rate": "0.08", "catch_up_rate": "1", "carried_interest_rate": "0.2"},
    )
    pool_id = api.call("POST", "manager", "/pools", body).get_json()["id"]
    world.commit(pool_id, world.investor_profile(world.investor))
    refused = api.call("DELETE", "manager", f"/pools/{pool_id}")
    assert refused.status_code == 409 and problem_fields(refused) == ["pool_id"]
    assert "close it instead" in refused.get_json()["detail"]
    assert api.call("GET", "manager", f"/pools/{pool_id}").status_code == 200


def test_session_writes_need_the_csrf_header(container: Container) -> None:
    portal = make_portal(container)
    client = portal.client()
    login(client, portal.email(Role.MANAGER))
    refused = client.post("/api/v1/pools", json=_open_body())
    assert refused.status_code == 403 and "CSRF" in refused.get_json()["detail"]
    assert container.pools.list_pools(OPERATOR).items == []
    created = client.post("/api/v1/pools", json=_open_body(), headers={"X-CSRFToken": csrf_cookie(client)})
    assert created.status_code == 201, created.get_data(as_text=True)
    assert client.get("/api/v1/pools").get_json()["items"][0]["id"] == created.get_json()["id"]


def test_openapi_documents_the_pool_and_investor_paths(api: Api) -> None:
    doc = api.client.get("/api/v1/openapi.json").get_json()
    paths = doc["paths"]
    expected = {
        "/api/v1/pools": {"get", "post"},
        "/api/v1/pools/{pool_id}": {"get", "patch", "delete"},
        "/api/v1/pools/{pool_id}/close": {"post"},
        "/api/v1/pools/{pool_id}/liquidate": {"post"},
        "/api/v1/investors": {"get", "post"},
        "/api/v1/investors/{investor_id}": {"get", "patch"},
        "/api/v1/pools/{pool_id}/commitments": {"get", "post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) == methods, path
    create = paths["/api/v1/pools"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/PoolCreate")
    assert {"201", "401", "403", "422"} <= set(create["responses"]) and create["security"] == [{"bearer": []}]
    listed = paths["/api/v1/pools"]["get"]
    assert {p["name"] for p in listed["parameters"]} == {"cursor", "limit", "status", "kind"}
    assert "409" in paths["/api/v1/pools/{pool_id}"]["delete"]["responses"]
    schemas = doc["components"]["schemas"]
    assert {"PoolCreate", "PoolOut", "PoolUpdate", "PoolPageOut", "InvestorOut", "CommitmentCreate"} <= set(
        schemas
    )
    assert "waterfall" in schemas["PoolCreate"]["properties"]


def test_world_is_wired(api: Api) -> None:
    # Guards the fixtures: each role's token answers /me as that role.
    world: World = api.world
    for who in ("admin", "manager", "analyst", "investor"):
        me = api.call("GET", who, "/me").get_json()
        assert me["role"] == getattr(world, who).role.value


def test_a_pool_team_is_managed_over_rest_by_its_managers_only(api: Api) -> None:
    world = api.world
    pool = _create(api)
    team = f"/pools/{pool['id']}"
    other, analyst = world.other_manager.user_id, world.analyst.user_id
    # Someone outside the pool learns nothing, and cannot add themselves.
    assert api.call("POST", "other_manager", team + "/managers", {"user_id": other}).status_code == 404
    assert api.call("POST", "analyst", team + "/analysts", {"user_id": analyst}).status_code == 404
    added = api.call("POST", "manager", team + "/managers", {"user_id": other})
    assert added.status_code == 201 and set(added.get_json()["manager_ids"]) == {world.manager.user_id, other}
    again = api.call("POST", "manager", team + "/managers", {"user_id": other})
    assert again.status_code == 409 and problem_fields(again) == ["user_id"]
    # An investor is not a manager, and the field is named.
    wrong_role = api.call("POST", "manager", team + "/managers", {"user_id": world.investor.user_id})
    assert wrong_role.status_code == 422 and problem_fields(wrong_role) == ["user_id"]
    # The co-manager now runs the pool: they remove the founder; the last manager cannot go.
    removed = api.call("DELETE", "other_manager", f"{team}/managers/{world.manager.user_id}")
    assert removed.status_code == 200 and removed.get_json()["manager_ids"] == [other]
    last = api.call("DELETE", "other_manager", f"{team}/managers/{other}")
    assert last.status_code == 409 and problem_fields(last) == ["user_id"]
    assert api.call("GET", "manager", team).status_code == 404

    assert api.call("GET", "analyst", team).status_code == 404
    granted = api.call("POST", "other_manager", team + "/analysts", {"user_id": analyst})
    assert granted.status_code == 201 and granted.get_json()["user_id"] == analyst
    assert api.call("GET", "analyst", team).status_code == 200
    assert api.call("DELETE", "other_manager", f"{team}/analysts/{analyst}").status_code == 204
    assert api.call("GET", "analyst", team).status_code == 404
    gone = api.call("DELETE", "other_manager", f"{team}/analysts/{analyst}")
    assert gone.status_code == 404 and problem_fields(gone) == ["user_id"]
    unknown = api.call("POST", "other_manager", team + "/analysts", {"user_id": 2**31 - 1})
    assert unknown.status_code == 422 and problem_fields(unknown) == ["user_id"]
    huge = api.call("POST", "other_manager", team + "/analysts", {"user_id": 2**63})
    assert huge.status_code == 422 and problem_fields(huge) == ["user_id"]
