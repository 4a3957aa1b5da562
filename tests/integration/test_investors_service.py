"""The investor service on SQLite and MariaDB: profiles, KYC (who may change it, and its gate
on commitments), commitments and their validation, participation through the position seam."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from backend.investors.interface import CommitmentCreate, InvestorCreate, InvestorUpdate, KycStatus, Position
from backend.investors.service import DatabaseInvestorService
from backend.platform.actors import Role
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.users.interface import UserCreate
from tests.integration.auth_support import PASSWORD
from tests.integration.pools_support import (
    OPERATOR,
    World,
    closed_pool,
    make_world,
    open_pool,
)

# Every test here runs in process and again with the investors and pools services behind gRPC.
pytestmark = pytest.mark.over_grpc("investors", "pools")


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _create(world: World, actor_name: str = "manager", **overrides: Any) -> int:
    body: dict[str, Any] = {
        "user_id": world.investor.user_id,
        "legal_name": "Ana Example",
        "investor_type": "individual",
        "country": "gb",
    }
    body.update(overrides)
    return world.container.investors.create_investor(
        getattr(world, actor_name), InvestorCreate.model_validate(body)
    ).id


def _commitment_rows(world: World, pool_id: int) -> int:
    return len(world.container.investors.list_commitments(OPERATOR, pool_id).items)


# -- profiles ----------------------------------------------------------------------------


def test_staff_create_a_pending_profile_and_it_is_audited(world: World) -> None:
    investor_id = _create(world, contact_email=" Ana@Example.COM ")
    profile = world.container.investors.get_investor(world.investor, investor_id)
    assert (profile.country, profile.contact_email, profile.kyc_status) == (
        "GB",
        "ana@example.com",
        KycStatus.PENDING,
    )
    event = world.container.audit.list_events(OPERATOR, action="investor.created")[0]
    assert event.object_id == str(investor_id) and event.actor_user_id == world.manager.user_id
    assert event.after == {
        "user_id": world.investor.user_id,
        "investor_type": "individual",
        "country": "GB",
        "kyc_status": "pending",
    }


@pytest.mark.parametrize(
    ("overrides", "field", "error"),
    [
        ({"country": "XX"}, "country", ValidationFailed),
        ({"legal_name": "  "}, "legal_name", ValidationFailed),
        ({"contact_email": "not-an-email"}, "contact_email", ValidationFailed),
        ({"contact_phone": "call me"}, "contact_phone", ValidationFailed),
    ],
)
def test_bad_profile_fields_are_named_and_nothing_is_written(
    world: World, overrides: dict[str, Any], field: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as err:
        _create(world, **overrides)
    assert getattr(err.value, "field", None) == field
    assert world.container.investors.list_investors(OPERATOR).items == []
    assert world.container.audit.list_events(OPERATOR, object_type="investor") == []


def test_profile_user_must_be_an_investor_and_have_one_profile(world: World) -> None:
    with pytest.raises(ValidationFailed) as wrong_role:
        _create(world, user_id=world.analyst.user_id)
    assert wrong_role.value.field == "user_id"
    _create(world)
    with pytest.raises(Conflict) as twice:
        _create(world, actor_name="admin")
    assert twice.value.field == "user_id"
    assert len(world.container.investors.list_investors(OPERATOR).items) == 1


@pytest.mark.parametrize("role", ["investor", "analyst"])
def test_only_staff_create_profiles(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        _create(world, actor_name=role)
    assert world.container.investors.list_investors(OPERATOR).items == []


def test_who_reads_which_profile(world: World) -> None:
    investors = world.container.investors
    mine = world.investor_profile(world.investor, approved=False)
    theirs = world.investor_profile(world.other_investor, approved=False, name="Bo Other")
    assert investors.get_investor(world.investor, mine).legal_name == "Ana Example"
    with pytest.raises(NotFound):  # another investor's id is not confirmed to exist
        investors.get_investor(world.investor, theirs)
    with pytest.raises(NotFound):
        investors.update_investor(world.investor, theirs, InvestorUpdate(contact_phone="+44 20 7946 0000"))
    assert [p.id for p in investors.list_investors(world.investor).items] == [mine]
    assert [p.id for p in investors.list_investors(world.other_manager).items] == [mine, theirs]
    assert [p.id for p in investors.list_investors(world.admin, kyc_status=KycStatus.PENDING).items] == [
        mine,
        theirs,
    ]
    with pytest.raises(PermissionDenied):  # personal data: analysts get aggregates, not profiles
        investors.get_investor(world.analyst, mine)
    with pytest.raises(PermissionDenied):
        investors.list_investors(world.analyst)
    page = investors.list_investors(world.admin, limit=1)
    assert [p.id for p in page.items] == [mine] and page.next_cursor == mine
    rest = investors.list_investors(world.admin, limit=1, cursor=page.next_cursor)
    assert [p.id for p in rest.items] == [theirs] and rest.next_cursor is None


def test_investor_changes_contact_details_only(world: World) -> None:
    investors = world.container.investors
    investor_id = world.investor_profile(world.investor, approved=False)
    updated = investors.update_investor(
        world.investor, investor_id, InvestorUpdate(contact_phone="+44 20 7946 0000")
    )
    assert updated.contact_phone == "+44 20 7946 0000"
    event = world.container.audit.list_events(OPERATOR, action="investor.updated")[0]
    assert (event.actor_user_id, event.before, event.after) == (
        world.investor.user_id,
        {"contact_phone": None},
        {"contact_phone": "+44 20 7946 0000"},
    )
    for field, value in (("kyc_status", KycStatus.APPROVED), ("legal_name", "Someone Else")):
        with pytest.raises(PermissionDenied) as err:
            investors.update_investor(
                world.investor, investor_id, InvestorUpdate.model_validate({field: value})
            )
        assert err.value.field == field
    assert investors.get_investor(world.admin, investor_id).kyc_status is KycStatus.PENDING
    assert world.container.audit.list_events(OPERATOR, action="investor.kyc_changed") == []


@pytest.mark.parametrize("staff", ["manager", "admin"])
def test_staff_decide_kyc_and_the_decision_is_audited(world: World, staff: str) -> None:
    investors = world.container.investors
    investor_id = world.investor_profile(world.investor, approved=False)
    actor = getattr(world, staff)
    approved = investors.update_investor(actor, investor_id, InvestorUpdate(kyc_status=KycStatus.APPROVED))
    assert approved.kyc_status is KycStatus.APPROVED and approved.kyc_changed_at is not None
    assert investors.kyc_status(investor_id) is KycStatus.APPROVED
    investors.require_kyc_approved(investor_id)
    event = world.container.audit.list_events(OPERATOR, action="investor.kyc_changed")[0]
    assert (event.actor_user_id, event.before, event.after) == (
        actor.user_id,
        {"kyc_status": "pending"},
        {"kyc_status": "approved"},
    )
    with pytest.raises(ValidationFailed) as null:
        investors.update_investor(actor, investor_id, InvestorUpdate.model_validate({"kyc_status": None}))
    assert null.value.field == "kyc_status"
    with pytest.raises(NotFound) as missing:
        investors.kyc_status(investor_id + 1000)
    assert missing.value.field == "investor_id"


# -- commitments ---------------------------------------------------------------------------


def test_kyc_gate_on_commitments(world: World) -> None:
    investors = world.container.investors
    pool_id = world.container.pools.create_pool(world.manager, closed_pool()).id
    investor_id = world.investor_profile(world.investor, approved=False)
    before = len(world.container.audit.list_events(OPERATOR))
    with pytest.raises(ValidationFailed) as pending:
        world.commit(pool_id, investor_id)
    assert pending.value.field == "investor_id" and "KYC" in pending.value.detail
    assert _commitment_rows(world, pool_id) == 0
    assert len(world.container.audit.list_events(OPERATOR)) == before
    with pytest.raises(ValidationFailed):
        investors.require_kyc_approved(investor_id)

    investors.update_investor(world.manager, investor_id, InvestorUpdate(kyc_status=KycStatus.APPROVED))
    commitment_id = world.commit(pool_id, investor_id, "250000.50")
    event = world.container.audit.list_events(OPERATOR, action="commitment.created")[0]
    assert event.object_id == str(commitment_id) and event.actor_user_id == world.manager.user_id
    assert event.after is not None and (event.after["amount"], event.after["currency"]) == (
        "250000.50",
        "EUR",
    )

    investors.update_investor(world.admin, investor_id, InvestorUpdate(kyc_status=KycStatus.REJECTED))
    with pytest.raises(ValidationFailed):
        world.commit(pool_id, investor_id)
    assert _commitment_rows(world, pool_id) == 1


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("100.001", "EUR"),
        ("100.5", "JPY"),
        ("-5.00", "EUR"),
        ("0", "EUR"),
        ("1000000000000.01", "EUR"),
        ("10000000000000", "EUR"),
    ],
)
def test_bad_amounts_name_the_field_and_write_nothing(world: World, amount: str, currency: str) -> None:
    pool_id = world.container.pools.create_pool(world.manager, closed_pool(base_currency=currency)).id
    investor_id = world.investor_profile(world.investor)
    with pytest.raises(ValidationFailed) as err:
        world.commit(pool_id, investor_id, amount)
    assert err.value.field == "amount"
    assert _commitment_rows(world, pool_id) == 0
    assert world.container.audit.list_events(OPERATOR, object_type="commitment") == []


def test_commitments_only_to_open_closed_ended_pools_by_their_managers(world: World) -> None:
    pools, investors = world.container.pools, world.container.investors
    investor_id = world.investor_profile(world.investor)
    open_ended = pools.create_pool(world.manager, open_pool()).id
    with pytest.raises(ValidationFailed) as kind:
        world.commit(open_ended, investor_id)
    assert kind.value.field == "pool_id"
    pool_id = pools.create_pool(world.manager, closed_pool()).id
    body = CommitmentCreate(investor_id=investor_id, amount=Decimal(100))
    with pytest.raises(NotFound):  # another manager's pool looks missing
        investors.create_commitment(world.other_manager, pool_id, body)
    with pytest.raises(NotFound):
        investors.create_commitment(world.analyst, pool_id, body)
    with pytest.raises(ValidationFailed) as unknown:
        investors.create_commitment(
            world.manager, pool_id, CommitmentCreate(investor_id=investor_id + 99, amount=Decimal(100))
        )
    assert unknown.value.field == "investor_id"
    world.commit(pool_id, investor_id)
    with pytest.raises(PermissionDenied):  # the investor sees the pool now, but does not run it
        investors.create_commitment(world.investor, pool_id, body)
    assert investors.create_commitment(world.admin, pool_id, body).amount == Decimal("100.00")
    pools.close_pool(world.manager, pool_id)
    with pytest.raises(Conflict) as closed:
        world.commit(pool_id, investor_id)
    assert closed.value.field == "status"
    assert investors.commitments_for_pool(pool_id) == [(investor_id, Decimal("1000100.00"))]


def test_who_reads_which_commitments(world: World) -> None:
    pools, investors = world.container.pools, world.container.investors
    pool_id = pools.create_pool(world.manager, closed_pool()).id
    mine = world.investor_profile(world.investor)
    theirs = world.investor_profile(world.other_investor, name="Bo Other")
    ids = [
        world.commit(pool_id, mine, "100.00"),
        world.commit(pool_id, theirs, "200.00"),
        world.commit(pool_id, mine, "300.00"),
    ]
    assert [c.id for c in investors.list_commitments(world.manager, pool_id).items] == ids
    assert [c.id for c in investors.list_commitments(world.investor, pool_id).items] == [ids[0], ids[2]]
    assert [c.id for c in investors.list_commitments(world.other_investor, pool_id).items] == [ids[1]]
    with pytest.raises(NotFound):
        investors.list_commitments(world.analyst, pool_id)
    assert world.analyst.user_id is not None
    pools.grant_analyst(world.manager, pool_id, world.analyst.user_id)
    assert len(investors.list_commitments(world.analyst, pool_id).items) == 3
    with pytest.raises(NotFound):
        investors.list_commitments(world.other_manager, pool_id)
    page = investors.list_commitments(world.manager, pool_id, limit=2)
    assert [c.id for c in page.items] == ids[:2] and page.next_cursor == ids[1]
    assert investors.commitments_for_pool(pool_id) == [(mine, Decimal("400.00")), (theirs, Decimal("200.00"))]
    assert investors.investor_for_user(world.investor.user_id or 0) is not None
    assert investors.investor_for_user(world.analyst.user_id) is None


# -- participation through the position seam -------------------------------------------------


def test_participation_reads_positions_from_the_provider(world: World) -> None:
    c = world.container
    pool_id = c.pools.create_pool(world.manager, closed_pool()).id
    investor_id = world.investor_profile(world.investor)
    world.commit(pool_id, investor_id, "1000.00")
    assert c.investors.participation(world.investor, investor_id, pool_id).unfunded == Decimal("1000.00")

    def books(investor: int, pool: int) -> Position:
        assert (investor, pool) == (investor_id, pool_id)
        return Position(
            called=Decimal("500.00"),
            contributed=Decimal("400.00"),
            distributed=Decimal("50.00"),
            fees_borne=Decimal("5.00"),
        )

    with_ledger = DatabaseInvestorService(c.db, c.audit, c.users, c.pools, positions=books)
    stake = with_ledger.participation(world.investor, investor_id, pool_id)
    assert (stake.committed, stake.contributed, stake.unfunded, stake.distributed) == (
        Decimal("1000.00"),
        Decimal("400.00"),
        Decimal("500.00"),  # unfunded = committed - called, paid or not
        Decimal("50.00"),
    )
    assert [h.pool_id for h in with_ledger.holdings(world.investor, investor_id)] == [pool_id]
    other = world.investor_profile(world.other_investor, name="Bo Other")
    with pytest.raises(NotFound):
        with_ledger.holdings(world.investor, other)
    assert with_ledger.holdings(world.other_manager, investor_id) == []  # not their pool


def test_legal_names_follow_profile_visibility(world: World) -> None:
    mine = world.investor_profile(world.investor, name="Ana Example")
    theirs = world.investor_profile(world.other_investor, name="Bo Other")
    investors = world.container.investors
    assert investors.legal_names(world.manager, [mine, theirs]) == {mine: "Ana Example", theirs: "Bo Other"}
    assert investors.legal_names(world.investor, [mine, theirs]) == {mine: "Ana Example"}
    assert investors.legal_names(world.manager, []) == {}
    with pytest.raises(PermissionDenied):
        investors.legal_names(world.analyst, [mine])


# -- finding investors -----------------------------------------------------------------


def _profiles(world: World, *names: str) -> dict[str, int]:
    from tests.integration.auth_support import create_user

    ids = {}
    for k, name in enumerate(names):
        user_id = create_user(world.container, f"search{k}@pools.test")
        ids[name] = world.container.investors.create_investor(
            world.manager,
            InvestorCreate.model_validate(
                {"user_id": user_id, "legal_name": name, "investor_type": "entity", "country": "GB"}
            ),
        ).id
    return ids


def _found(world: World, search: str | None, actor_name: str = "manager", **kwargs: Any) -> list[str]:
    page = world.container.investors.list_investors(getattr(world, actor_name), search=search, **kwargs)
    return [i.legal_name for i in page.items]


def test_search_matches_part_of_the_legal_name_in_any_case(world: World) -> None:
    _profiles(world, "Harbour Family Office", "HARBOUR PENSION 100%", "Meridian_Trust", "Ashford 2020 LP")
    assert _found(world, "harbour") == ["Harbour Family Office", "HARBOUR PENSION 100%"]
    assert _found(world, "  Pension ") == ["HARBOUR PENSION 100%"]
    assert _found(world, "ily off") == ["Harbour Family Office"]  # across a word boundary
    # LIKE's wildcards (and the escape character) are searched for as themselves.
    assert _found(world, "100%") == ["HARBOUR PENSION 100%"]
    assert _found(world, "n_t") == ["Meridian_Trust"] and _found(world, "ur_") == []
    assert _found(world, "%") == ["HARBOUR PENSION 100%"] and _found(world, "/") == []
    assert _found(world, "nobody") == []
    assert len(_found(world, "   ")) == len(_found(world, None)) == 4  # blank: no filter


def test_search_by_id_with_or_without_a_hash(world: World) -> None:
    ids = _profiles(world, "Harbour Family Office", "Ashford 987654321 LP")
    harbour = ids["Harbour Family Office"]
    assert _found(world, f"#{harbour}") == ["Harbour Family Office"]
    assert _found(world, f"# {harbour}") == ["Harbour Family Office"]
    assert "Harbour Family Office" in _found(world, str(harbour))  # and names with those digits
    # Bare digits are a name's digits too; "#" means the id only.
    assert _found(world, "987654321") == ["Ashford 987654321 LP"]
    assert _found(world, "#987654321") == []
    assert _found(world, "9" * 30) == []  # beyond any id: searched as text only


def test_search_keeps_kyc_filter_paging_and_who_sees_what(world: World) -> None:
    ids = _profiles(world, "Harbour Family Office", "Harbour Pension Fund", "Harbour Trust")
    c = world.container
    c.investors.update_investor(
        world.manager, ids["Harbour Trust"], InvestorUpdate(kyc_status=KycStatus.APPROVED)
    )
    assert _found(world, "harbour", kyc_status=KycStatus.APPROVED) == ["Harbour Trust"]
    first = c.investors.list_investors(world.manager, search="harbour", limit=2)
    assert [i.legal_name for i in first.items] == ["Harbour Family Office", "Harbour Pension Fund"]
    assert first.next_cursor == ids["Harbour Pension Fund"]
    rest = c.investors.list_investors(world.manager, search="harbour", limit=2, cursor=first.next_cursor)
    assert [i.legal_name for i in rest.items] == ["Harbour Trust"] and rest.next_cursor is None

    _create(world, legal_name="Harbour Self")  # world.investor's own profile
    assert _found(world, "harbour", "investor") == ["Harbour Self"]
    assert _found(world, f"#{ids['Harbour Trust']}", "investor") == []
    assert _found(world, "harbour", "other_investor") == []
    with pytest.raises(PermissionDenied):
        _found(world, "harbour", "analyst")


def test_a_too_long_search_is_refused_naming_the_field(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _found(world, "x" * 101)
    assert caught.value.field == "search"
    assert _found(world, "x" * 100) == []


def test_search_folds_case_beyond_ascii_on_mariadb(world: World, backend_name: str) -> None:
    _profiles(world, "Émile Durand SA", "Ørsted Pension")
    assert _found(world, "DURAND") == ["Émile Durand SA"]
    # MariaDB's lower() folds every letter; SQLite's only ASCII ones (see the service's docstring).
    expected = ["Émile Durand SA"] if backend_name == "mariadb" else []
    assert _found(world, "émile") == expected
    assert _found(world, "Émile") == ["Émile Durand SA"]


# -- many at once --------------------------------------------------------------------------


def _bodies(world: World, *user_ids: int | None) -> list[InvestorCreate]:
    return [
        InvestorCreate.model_validate(
            {"user_id": uid, "legal_name": f"Holder {i}", "investor_type": "individual", "country": "de"}
        )
        for i, uid in enumerate(user_ids)
    ]


def test_many_profiles_in_one_call_each_checked_and_audited(world: World) -> None:
    users = [
        world.container.users.create_user(
            OPERATOR, UserCreate(email=f"holder{i}@pools.test", role=Role.INVESTOR, password=PASSWORD)
        ).id
        for i in range(3)
    ]
    made = world.container.investors.create_investors(world.manager, _bodies(world, *users))
    assert [p.user_id for p in made] == users and [p.country for p in made] == ["DE"] * 3
    assert {p.id for p in world.container.investors.list_investors(OPERATOR).items} == {p.id for p in made}
    events = world.container.audit.list_events(OPERATOR, action="investor.created")
    assert sorted(e.object_id for e in events) == sorted(str(p.id) for p in made)


@pytest.mark.parametrize("problem", ["analyst", "twice", "has_one", "bad_country"])
def test_many_profiles_are_all_or_none(world: World, problem: str) -> None:
    """One bad request among many refuses them all, naming the field: nothing is written."""
    c = world.container
    first = c.users.create_user(
        OPERATOR, UserCreate(email="first@pools.test", role=Role.INVESTOR, password=PASSWORD)
    )
    if problem == "has_one":
        _create(world)
    bodies = _bodies(world, first.id, world.investor.user_id)
    if problem == "analyst":
        bodies[1] = bodies[1].model_copy(update={"user_id": world.analyst.user_id})
    elif problem == "twice":
        bodies[1] = bodies[1].model_copy(update={"user_id": first.id})
    elif problem == "bad_country":
        bodies[1] = bodies[1].model_copy(update={"country": "XX"})
    before = len(c.investors.list_investors(OPERATOR).items)
    with pytest.raises((ValidationFailed, Conflict)) as refused:
        c.investors.create_investors(world.manager, bodies)
    assert refused.value.field == ("country" if problem == "bad_country" else "user_id")
    assert len(c.investors.list_investors(OPERATOR).items) == before
    assert c.investors.investor_for_user(first.id) is None


def test_only_staff_create_many_profiles_and_only_admins_many_users(world: World) -> None:
    with pytest.raises(PermissionDenied):
        world.container.investors.create_investors(world.analyst, _bodies(world, world.investor.user_id))
    body = UserCreate(email="someone@pools.test", role=Role.INVESTOR, password=PASSWORD)
    with pytest.raises(PermissionDenied):
        world.container.users.create_users(world.manager, [body])
    assert world.container.users.find_id_by_email("someone@pools.test") is None


def test_many_users_are_all_or_none(world: World) -> None:
    c = world.container
    bodies = [UserCreate(email=f"new{i}@pools.test", role=Role.INVESTOR, password=PASSWORD) for i in range(3)]
    for clash in (
        bodies[2].model_copy(update={"email": "new0@pools.test"}),
        bodies[2].model_copy(update={"email": world.emails["analyst"]}),
    ):
        with pytest.raises((ValidationFailed, Conflict)) as refused:
            c.users.create_users(OPERATOR, [*bodies[:2], clash])
        assert refused.value.field == "email"
        assert c.users.find_id_by_email("new1@pools.test") is None
    made = c.users.create_users(OPERATOR, bodies)
    assert [u.email for u in made] == [b.email for b in bodies]
    assert set(c.users.active_users([u.id for u in made] + [999_999])) == {u.id for u in made}


def test_many_commitments_in_one_call_each_checked_and_audited(world: World) -> None:
    c = world.container
    pool_id = c.pools.create_pool(world.manager, closed_pool()).id
    holders = [world.named_investor(f"Holder {n}") for n in range(3)]
    bodies = [CommitmentCreate(investor_id=i, amount=Decimal(100 * (n + 1))) for n, i in enumerate(holders)]
    made = c.investors.create_commitments(world.manager, pool_id, bodies)
    assert [(m.investor_id, m.amount) for m in made] == [
        (i, Decimal(100 * (n + 1))) for n, i in enumerate(holders)
    ]
    assert [m.id for m in c.investors.list_commitments(OPERATOR, pool_id).items] == [m.id for m in made]
    events = c.audit.list_events(OPERATOR, action="commitment.created")
    assert sorted(e.object_id for e in events) == sorted(str(m.id) for m in made)
    assert dict(c.investors.commitments_for_pool(pool_id)) == {
        i: Decimal(100 * (n + 1)) for n, i in enumerate(holders)
    }


@pytest.mark.parametrize("problem", ["unknown", "kyc_pending", "amount", "other_manager", "open_ended"])
def test_many_commitments_are_all_or_none(world: World, problem: str) -> None:
    """One bad commitment among many refuses them all, naming the field: nothing is written,
    nothing audited; a manager of another pool sees no pool at all."""
    c = world.container
    pool_id = c.pools.create_pool(world.manager, open_pool() if problem == "open_ended" else closed_pool()).id
    good = world.named_investor("Good")
    other = world.named_investor("Other")
    if problem == "kyc_pending":
        other = _create(world, user_id=world.other_investor.user_id, kyc_status="pending")
    bodies = [
        CommitmentCreate(investor_id=good, amount=Decimal(100)),
        CommitmentCreate(investor_id=other, amount=Decimal(5)),
    ]
    if problem == "unknown":
        bodies[1] = bodies[1].model_copy(update={"investor_id": other + 999})
    elif problem == "amount":
        bodies[1] = bodies[1].model_copy(update={"amount": Decimal("0.001")})
    actor = world.other_manager if problem == "other_manager" else world.manager
    with pytest.raises((ValidationFailed, Conflict, NotFound)) as refused:
        c.investors.create_commitments(actor, pool_id, bodies)
    expected = {"unknown": "investor_id", "amount": "amount", "open_ended": "pool_id"}
    if problem in expected:
        assert refused.value.field == expected[problem]
    elif problem == "other_manager":
        assert isinstance(refused.value, NotFound)
    else:
        assert "kyc" in str(refused.value).lower()
    if problem != "open_ended":
        assert _commitment_rows(world, pool_id) == 0
    assert c.audit.list_events(OPERATOR, action="commitment.created") == []
