"""/api/v1/investors and /api/v1/pools/{pool_id}/commitments over HTTP with bearer tokens, on
SQLite and MariaDB: profiles, who may change KYC, the KYC gate, amounts at the currency's
precision, cursors, and problem+json naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from backend.composition.container import Container
from tests.integration.pools_support import (
    OPERATOR,
    Api,
    closed_pool,
    make_world,
    problem_fields,
)


@pytest.fixture
def api(container: Container) -> Api:
    return Api(make_world(container))


def _profile(api: Api, who: str = "investor", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "user_id": getattr(api.world, who).user_id,
        "legal_name": f"{who} Example",
        "investor_type": "individual",
        "country": "DE",
    }
    body.update(overrides)
    response = api.call("POST", "manager", "/investors", body)
    assert response.status_code == 201, response.get_json()
    created: dict[str, Any] = response.get_json()
    return created


def _pool(api: Api, currency: str = "EUR") -> int:
    return api.world.container.pools.create_pool(api.world.manager, closed_pool(base_currency=currency)).id


def test_profile_lifecycle_and_kyc_by_staff_only(api: Api) -> None:
    profile = _profile(api)
    assert profile["kyc_status"] == "pending" and profile["country"] == "DE"
    path = f"/investors/{profile['id']}"
    assert api.call("GET", "investor", path).get_json() == profile
    own = api.call("PATCH", "investor", path, {"contact_email": "me@example.com"})
    assert own.status_code == 200 and own.get_json()["contact_email"] == "me@example.com"
    refused = api.call("PATCH", "investor", path, {"kyc_status": "approved"})
    assert refused.status_code == 403 and problem_fields(refused) == ["kyc_status"]
    assert api.call("GET", "investor", path).get_json()["kyc_status"] == "pending"
    approved = api.call("PATCH", "manager", path, {"kyc_status": "approved"})
    assert approved.status_code == 200 and approved.get_json()["kyc_status"] == "approved"
    bad = api.call("PATCH", "admin", path, {"kyc_status": "maybe"})
    assert bad.status_code == 422 and problem_fields(bad) == ["kyc_status"]


def test_one_investor_does_not_see_another(api: Api) -> None:
    mine = _profile(api)["id"]
    theirs = _profile(api, "other_investor")["id"]
    assert api.call("GET", "investor", f"/investors/{theirs}").status_code == 404
    assert (
        api.call("PATCH", "investor", f"/investors/{theirs}", {"contact_phone": "+1 555 0100"}).status_code
        == 404
    )
    listed = api.call("GET", "investor", "/investors").get_json()
    assert [p["id"] for p in listed["items"]] == [mine]
    assert api.call("GET", "analyst", "/investors").status_code == 403
    assert (
        api.call(
            "POST",
            "investor",
            "/investors",
            {
                "user_id": api.world.investor.user_id,
                "legal_name": "x",
                "investor_type": "individual",
                "country": "DE",
            },
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("overrides", "field", "status"),
    [
        ({"country": "ZZ"}, "country", 422),
        ({"country": "DEU"}, "country", 422),
        ({"investor_type": "robot"}, "investor_type", 422),
        ({"contact_email": "nope"}, "contact_email", 422),
        ({"legal_name": ""}, "legal_name", 422),
        ({"kyc_status": "maybe"}, "kyc_status", 422),
    ],
)
def test_bad_profile_is_a_problem_naming_the_field(
    api: Api, overrides: dict[str, Any], field: str, status: int
) -> None:
    body = {
        "user_id": api.world.investor.user_id,
        "legal_name": "Ana",
        "investor_type": "individual",
        "country": "DE",
        **overrides,
    }
    response = api.call("POST", "manager", "/investors", body)
    assert response.status_code == status and problem_fields(response) == [field]
    assert api.world.container.investors.list_investors(OPERATOR).items == []


def test_a_profile_reviewed_elsewhere_is_created_approved_and_audited_as_such(api: Api) -> None:
    body = {
        "user_id": api.world.investor.user_id,
        "legal_name": "Ana",
        "investor_type": "individual",
        "country": "DE",
        "kyc_status": "approved",
    }
    created = api.call("POST", "manager", "/investors", body)
    assert created.status_code == 201 and created.get_json()["kyc_status"] == "approved"
    assert created.get_json()["kyc_changed_at"] is not None
    (event,) = api.world.container.audit.list_events(api.world.admin, action="investor.created", limit=5)
    assert event.after is not None and event.after["kyc_status"] == "approved"


def test_duplicate_profile_is_a_409_naming_user_id(api: Api) -> None:
    _profile(api)
    body = {
        "user_id": api.world.investor.user_id,
        "legal_name": "Again",
        "investor_type": "entity",
        "country": "FR",
    }
    response = api.call("POST", "admin", "/investors", body)
    assert response.status_code == 409 and problem_fields(response) == ["user_id"]


def test_commitments_need_kyc_approval(api: Api) -> None:
    pool_id = _pool(api)
    investor_id = _profile(api)["id"]
    body = {"investor_id": investor_id, "amount": "500000.00"}
    pending = api.call("POST", "manager", f"/pools/{pool_id}/commitments", body)
    assert pending.status_code == 422 and problem_fields(pending) == ["investor_id"]
    assert "KYC" in pending.get_json()["detail"]
    api.call("PATCH", "admin", f"/investors/{investor_id}", {"kyc_status": "approved"})
    created = api.call("POST", "manager", f"/pools/{pool_id}/commitments", body)
    assert created.status_code == 201
    assert {k: created.get_json()[k] for k in ("pool_id", "investor_id", "amount", "currency")} == {
        "pool_id": pool_id,
        "investor_id": investor_id,
        "amount": "500000.00",
        "currency": "EUR",
    }


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("100.001", "EUR"),
        ("100.5", "JPY"),
        ("-1", "EUR"),
        (0, "EUR"),
        ("5e12", "EUR"),
        ("abc", "EUR"),
        (True, "EUR"),
        (12345678901234.567, "EUR"),
    ],
)
def test_bad_amounts_are_422_naming_amount(api: Api, amount: Any, currency: str) -> None:
    pool_id = _pool(api, currency)
    investor_id = api.world.investor_profile(api.world.investor)
    response = api.call(
        "POST", "manager", f"/pools/{pool_id}/commitments", {"investor_id": investor_id, "amount": amount}
    )
    assert response.status_code == 422 and problem_fields(response) == ["amount"]
    assert api.world.container.investors.commitments_for_pool(pool_id) == []


def test_commitment_status_codes_by_role(api: Api) -> None:
    pool_id = _pool(api)
    investor_id = api.world.investor_profile(api.world.investor)
    body = {"investor_id": investor_id, "amount": "10.00"}
    path = f"/pools/{pool_id}/commitments"
    assert api.call("POST", "other_manager", path, body).status_code == 404
    assert api.call("POST", "analyst", path, body).status_code == 404
    assert api.call("POST", "admin", path, body).status_code == 201
    assert api.call("POST", "investor", path, body).status_code == 403  # sees the pool now, cannot run it
    assert api.call("POST", "manager", "/pools/999999/commitments", body).status_code == 404
    missing = api.call("POST", "manager", path, {"amount": "10.00"})
    assert missing.status_code == 422 and problem_fields(missing) == ["investor_id"]


def test_commitment_list_pages_and_investors_see_their_own(api: Api) -> None:
    world = api.world
    pool_id = _pool(api)
    mine = world.investor_profile(world.investor)
    theirs = world.investor_profile(world.other_investor, name="Bo Other")
    ids = [world.commit(pool_id, inv, "100.00") for inv in (mine, theirs, mine, theirs, mine)]
    seen: list[int] = []
    url = f"/pools/{pool_id}/commitments?limit=2"
    while url:
        page = api.call("GET", "manager", url).get_json()
        seen += [c["id"] for c in page["items"]]
        url = (
            f"/pools/{pool_id}/commitments?limit=2&cursor={page['next_cursor']}"
            if page["next_cursor"]
            else ""
        )
    assert seen == ids
    own = api.call("GET", "investor", f"/pools/{pool_id}/commitments").get_json()
    assert [c["id"] for c in own["items"]] == [ids[0], ids[2], ids[4]]
    assert {c["investor_id"] for c in own["items"]} == {mine}
    assert api.call("GET", "other_manager", f"/pools/{pool_id}/commitments").status_code == 404
    bad = api.call("GET", "manager", f"/pools/{pool_id}/commitments?cursor=!!")
    assert bad.status_code == 422 and problem_fields(bad) == ["cursor"]


def test_investor_list_pages_for_staff(api: Api) -> None:
    ids = [_profile(api)["id"], _profile(api, "other_investor")["id"]]
    first = api.call("GET", "admin", "/investors?limit=1").get_json()
    assert [p["id"] for p in first["items"]] == ids[:1] and first["next_cursor"]
    second = api.call("GET", "admin", f"/investors?limit=1&cursor={first['next_cursor']}").get_json()
    assert [p["id"] for p in second["items"]] == ids[1:] and second["next_cursor"] is None
    api.call("PATCH", "manager", f"/investors/{ids[1]}", {"kyc_status": "rejected"})
    rejected = api.call("GET", "manager", "/investors?kyc_status=rejected").get_json()
    assert [p["id"] for p in rejected["items"]] == ids[1:]


def test_investor_list_searches_by_name_or_id(api: Api) -> None:
    ana = _profile(api, legal_name="Ana Harbour")["id"]
    bo = _profile(api, "other_investor", legal_name="Bo Meridian")["id"]
    found = api.call("GET", "manager", "/investors?search=HARBOUR").get_json()
    assert [p["id"] for p in found["items"]] == [ana] and found["next_cursor"] is None
    by_id = api.call("GET", "manager", f"/investors?search=%23{bo}").get_json()
    assert [p["id"] for p in by_id["items"]] == [bo]
    # An investor searching still sees only their own profile.
    own = api.call("GET", "investor", "/investors?search=meridian").get_json()
    assert own["items"] == []
    too_long = api.call("GET", "manager", "/investors?search=" + "x" * 101)
    assert too_long.status_code == 422 and problem_fields(too_long) == ["search"]


def test_openapi_documents_the_investor_search(api: Api) -> None:
    doc = api.client.get("/api/v1/openapi.json").get_json()
    params = {p["name"]: p for p in doc["paths"]["/api/v1/investors"]["get"]["parameters"]}
    assert params["search"]["in"] == "query" and params["search"]["required"] is False
    assert {"type": "string", "maxLength": 100} in params["search"]["schema"]["anyOf"]
