"""No manager writes another manager's data: benchmarks and investor profiles (security
findings "cross-tenant writes"), through the REST API on both backends."""

from __future__ import annotations

from typing import Any

import pytest

from backend.composition.container import Container
from backend.investors.interface import CommitmentCreate
from tests.integration.pools_support import (
    Api,
    World,
    closed_pool,
    make_world,
    open_pool,
    problem_fields,
)


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def _benchmark(api: Api, who: str, name: str) -> int:
    body = {"name": name, "currency": "USD"}
    benchmark: int = _ok(api.call("POST", who, "/benchmarks", body))["id"]
    levels = {"levels": [{"date": "2025-01-31", "level": "100"}, {"date": "2025-06-30", "level": "105"}]}
    _ok(api.call("POST", who, f"/benchmarks/{benchmark}/levels", levels))
    return benchmark


def test_a_manager_cannot_rewrite_or_borrow_another_managers_benchmark(world: World) -> None:
    api = Api(world)
    pool = _ok(api.call("POST", "manager", "/pools", open_pool().model_dump(mode="json")))["id"]
    theirs = _ok(
        api.call("POST", "other_manager", "/pools", open_pool(name="B's fund").model_dump(mode="json"))
    )
    mine = _benchmark(api, "manager", "A's index")
    _ok(api.call("PUT", "manager", f"/pools/{pool}/benchmark", {"benchmark_id": mine}))

    rewrite = {"levels": [{"date": "2025-06-30", "level": "500"}]}
    refused = api.call("POST", "other_manager", f"/benchmarks/{mine}/levels", rewrite)
    assert refused.status_code == 403 and problem_fields(refused) == ["benchmark_id"]
    levels = _ok(api.call("GET", "manager", f"/benchmarks/{mine}/levels"))
    assert [row["level"] for row in levels] == ["100.000000", "105.000000"]

    borrowed = api.call("PUT", "other_manager", f"/pools/{theirs['id']}/benchmark", {"benchmark_id": mine})
    assert borrowed.status_code == 403 and problem_fields(borrowed) == ["benchmark_id"]


def test_shared_benchmarks_are_attached_by_anyone_and_changed_only_by_admins(world: World) -> None:
    api = Api(world)
    shared = _benchmark(api, "admin", "MSCI World (reference)")
    assert _ok(api.call("GET", "manager", f"/benchmarks/{shared}"))["shared"] is True
    pool = _ok(api.call("POST", "manager", "/pools", open_pool().model_dump(mode="json")))["id"]
    _ok(api.call("PUT", "manager", f"/pools/{pool}/benchmark", {"benchmark_id": shared}))
    refused = api.call(
        "POST", "manager", f"/benchmarks/{shared}/levels", {"levels": [{"date": "2025-07-31", "level": "1"}]}
    )
    assert refused.status_code == 403
    _ok(
        api.call(
            "POST",
            "admin",
            f"/benchmarks/{shared}/levels",
            {"levels": [{"date": "2025-07-31", "level": "106"}]},
        )
    )


def test_a_manager_changes_only_their_own_investors_profiles(world: World) -> None:
    api = Api(world)
    pool = _ok(api.call("POST", "manager", "/pools", closed_pool().model_dump(mode="json")))["id"]
    investor = world.investor_profile(world.investor)  # onboarded by "manager"
    world.commit(pool, investor, "100000.00")

    attack = {"kyc_status": "rejected", "contact_email": "attacker@evil.example"}
    refused = api.call("PATCH", "other_manager", f"/investors/{investor}", attack)
    assert refused.status_code == 403 and problem_fields(refused) == ["investor_id"]
    profile = _ok(api.call("GET", "manager", f"/investors/{investor}"))
    assert profile["kyc_status"] == "approved" and profile["contact_email"] != "attacker@evil.example"

    # the pool's own manager and an admin may
    _ok(api.call("PATCH", "manager", f"/investors/{investor}", {"contact_phone": "+44 20 7946 0000"}))
    _ok(api.call("PATCH", "admin", f"/investors/{investor}", {"contact_phone": "+44 20 7946 0001"}))


def test_a_manager_reads_contact_details_only_of_their_own_investors(world: World) -> None:
    """Issue 11: any manager could read every investor's email and phone. Another manager
    still finds the investor by name (to onboard them), without the contact details, until
    the investor is committed to one of their pools."""
    api = Api(world)
    investor = world.investor_profile(world.investor)  # onboarded by "manager"
    contact = {"contact_phone": "+44 20 7946 0000", "contact_email": "ana@example.com"}
    _ok(api.call("PATCH", "manager", f"/investors/{investor}", contact))
    own = _ok(api.call("GET", "manager", f"/investors/{investor}"))
    assert (own["contact_phone"], own["contact_email"]) == ("+44 20 7946 0000", "ana@example.com")

    stranger = _ok(api.call("GET", "other_manager", f"/investors/{investor}"))
    assert (stranger["legal_name"], stranger["contact_email"], stranger["contact_phone"]) == (
        own["legal_name"],
        None,
        None,
    )
    listed = _ok(api.call("GET", "other_manager", "/investors?search=" + own["legal_name"][:4]))
    found = [i for i in listed["items"] if i["id"] == investor]
    assert found and found[0]["contact_email"] is None and found[0]["contact_phone"] is None
    assert _ok(api.call("GET", "admin", f"/investors/{investor}"))["contact_phone"] == "+44 20 7946 0000"

    body = closed_pool().model_dump(mode="json")
    other_pool = _ok(api.call("POST", "other_manager", "/pools", body))["id"]
    commitment = {"investor_id": investor, "amount": "50000.00"}
    _ok(api.call("POST", "other_manager", f"/pools/{other_pool}/commitments", commitment))
    now_theirs = _ok(api.call("GET", "other_manager", f"/investors/{investor}"))
    assert now_theirs["contact_phone"] == "+44 20 7946 0000"


def test_the_onboarding_manager_may_approve_before_any_commitment(world: World) -> None:
    api = Api(world)
    assert world.investor.user_id is not None
    created = _ok(
        api.call(
            "POST",
            "other_manager",
            "/investors",
            {
                "user_id": world.investor.user_id,
                "legal_name": "Ana Example",
                "investor_type": "individual",
                "country": "GB",
            },
        )
    )
    _ok(api.call("PATCH", "other_manager", f"/investors/{created['id']}", {"kyc_status": "approved"}))
    refused = api.call("PATCH", "manager", f"/investors/{created['id']}", {"kyc_status": "rejected"})
    assert refused.status_code == 403


def test_a_deleted_pool_takes_its_benchmark_with_it_and_its_id_is_never_reused(world: World) -> None:
    api = Api(world)
    benchmark = _benchmark(api, "admin", "Reference index")
    doomed = _ok(api.call("POST", "manager", "/pools", open_pool().model_dump(mode="json")))["id"]
    _ok(api.call("PUT", "manager", f"/pools/{doomed}/benchmark", {"benchmark_id": benchmark}))
    assert api.call("DELETE", "manager", f"/pools/{doomed}").status_code == 204
    after = _ok(
        api.call("POST", "other_manager", "/pools", open_pool(name="B's fund").model_dump(mode="json"))
    )
    assert after["id"] > doomed
    assert api.call("GET", "other_manager", f"/pools/{after['id']}/benchmark").status_code == 404
    # and nothing is left under the deleted id either
    assert api.call("GET", "admin", f"/pools/{doomed}/benchmark").status_code == 404


def test_a_page_of_investors_shows_contacts_of_exactly_the_managers_own_in_a_fixed_number_of_reads(
    world: World,
) -> None:
    """The picker's first page named fifty investors in two hundred statements, one relation
    check at a time; the same answer now costs the same few reads for one investor or many."""
    from backend.investors.interface import InvestorCreate, InvestorType, InvestorUpdate, KycStatus
    from ledger.interface import TransactionRequest
    from tests.integration.test_write_path_statements import counting

    c, mine = world.container, world.other_manager
    assert world.other_investor.user_id is not None
    onboarded = c.investors.create_investor(
        mine,
        InvestorCreate(
            user_id=world.other_investor.user_id,
            legal_name="Zz Onboarded",
            investor_type=InvestorType.INDIVIDUAL,
            country="GB",
            kyc_status=KycStatus.APPROVED,
        ),
    ).id
    committed, holding, stranger = (
        world.named_investor(f"Zz {n}") for n in ("Committed", "Holding", "Stranger")
    )
    for profile in (onboarded, committed, holding, stranger):
        c.investors.update_investor(
            world.admin, profile, InvestorUpdate(contact_email=f"{profile}@example.com")
        )
    world.commit(c.pools.create_pool(world.manager, closed_pool()).id, stranger)  # another manager's pool
    c.investors.create_commitment(
        mine,
        c.pools.create_pool(mine, closed_pool(name="Mine closed")).id,
        CommitmentCreate.model_validate({"investor_id": committed, "amount": "50000.00"}),
    )
    subscription = {
        "type": "subscription",
        "investor_id": holding,
        "amount": "20000.00",
        "effective_date": "2025-01-02",
    }
    open_id = c.pools.create_pool(mine, open_pool(name="Mine open")).id
    c.transactions.record(mine, open_id, TransactionRequest.model_validate(subscription), "zz-holding")

    with counting() as one:
        alone = c.investors.list_investors(mine, search="Zz Stranger").items
    with counting() as many:
        listed = c.investors.list_investors(mine, search="Zz").items
    assert [i.id for i in alone] == [stranger]
    shown = {i.id: i.contact_email for i in listed}
    assert shown == {
        onboarded: f"{onboarded}@example.com",
        committed: f"{committed}@example.com",
        holding: f"{holding}@example.com",
        stranger: None,
    }
    assert len(many.statements) == len(one.statements), (one.statements, many.statements)
