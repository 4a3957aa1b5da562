"""The pool service on SQLite and MariaDB: terms and their validation, lifecycle, delete,
who may see and change which pool, audit rows, and no trace of a failed operation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from backend.platform.actors import Actor
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.pools.interface import PoolCreate, PoolKind, PoolStatus, PoolUpdate
from tests.integration.pools_support import (
    INCEPTION,
    OPEN_NAV_FEE,
    OPERATOR,
    World,
    closed_pool,
    make_world,
    open_pool,
)

# Every test here runs in process and again with the pools service behind gRPC.
pytestmark = pytest.mark.over_grpc("pools")


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _pool_events(container: Container) -> list[tuple[str, str]]:
    return [
        (e.action, e.object_id) for e in reversed(container.audit.list_events(OPERATOR, object_type="pool"))
    ]


def _pool_count(container: Container) -> int:
    return len(container.pools.list_pools(OPERATOR, limit=200).items)


# -- create and read -------------------------------------------------------------------


def test_manager_creates_an_open_pool_and_becomes_its_manager(world: World) -> None:
    pools = world.container.pools
    body = open_pool(name="  Harbour Growth  ", base_currency="usd", management_fee=OPEN_NAV_FEE)
    pool = pools.create_pool(world.manager, body)
    assert (pool.name, pool.base_currency, pool.base_currency_exponent) == ("Harbour Growth", "USD", 2)
    assert pool.status is PoolStatus.OPEN and pool.manager_ids == [world.manager.user_id]
    assert pool.minimum_subscription == Decimal("10000.00") and str(pool.minimum_subscription) == "10000.00"
    assert pool.management_fee is not None and pool.management_fee.rate == Decimal("0.015")
    assert pool.performance_fee is not None and pool.performance_fee.high_water_mark is True
    assert pool.waterfall is None
    again = pools.get_pool(world.manager, pool.id)
    assert again.model_dump() == pool.model_dump()
    event = world.container.audit.list_events(OPERATOR, action="pool.created")[0]
    assert event.object_id == str(pool.id) and event.actor_user_id == world.manager.user_id
    assert event.after is not None and event.after["name"] == "Harbour Growth"
    assert event.after["manager_ids"] == [world.manager.user_id]


def test_closed_pool_keeps_its_waterfall_and_a_zero_exponent_currency(world: World) -> None:
    pool = world.container.pools.create_pool(
        world.manager, closed_pool(base_currency="JPY", minimum_subscription="1000000")
    )
    assert pool.kind is PoolKind.CLOSED_ENDED and pool.base_currency_exponent == 0
    assert pool.minimum_subscription == Decimal(1000000)
    wf = pool.waterfall
    assert wf is not None
    assert (wf.preferred_return_rate, wf.catch_up_rate, wf.carried_interest_rate) == (
        Decimal("0.08"),
        Decimal(1),
        Decimal("0.2"),
    )
    assert pool.model_dump(mode="json")["waterfall"]["carried_interest_rate"] == "0.2"


def test_admin_names_the_manager_and_must_name_a_manager(world: World) -> None:
    pools = world.container.pools
    with pytest.raises(ValidationFailed) as missing:
        pools.create_pool(world.admin, open_pool())
    assert missing.value.field == "manager_user_id"
    with pytest.raises(ValidationFailed) as wrong_role:
        pools.create_pool(world.admin, open_pool(manager_user_id=world.analyst.user_id))
    assert wrong_role.value.field == "manager_user_id"
    pool = pools.create_pool(world.admin, open_pool(manager_user_id=world.other_manager.user_id))
    assert pool.manager_ids == [world.other_manager.user_id]
    assert _pool_count(world.container) == 1


@pytest.mark.parametrize("role", ["analyst", "investor"])
def test_only_managers_and_admins_create_pools(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        world.container.pools.create_pool(getattr(world, role), open_pool())
    with pytest.raises(PermissionDenied) as other:
        world.container.pools.create_pool(
            world.manager, open_pool(manager_user_id=world.other_manager.user_id)
        )
    assert other.value.field == "manager_user_id"
    assert _pool_count(world.container) == 0


FAR = (date.today() + timedelta(days=400)).isoformat()


@pytest.mark.parametrize(
    ("make", "overrides", "field"),
    [
        (open_pool, {"base_currency": "XYZ"}, "base_currency"),
        (open_pool, {"name": "   "}, "name"),
        (open_pool, {"minimum_subscription": "10.001"}, "minimum_subscription"),
        (closed_pool, {"base_currency": "JPY", "minimum_subscription": "10.5"}, "minimum_subscription"),
        (open_pool, {"minimum_subscription": "-1.00"}, "minimum_subscription"),
        (open_pool, {"minimum_subscription": "1000000000000.01"}, "minimum_subscription"),
        (open_pool, {"initial_nav_per_unit": "0"}, "initial_nav_per_unit"),
        (open_pool, {"initial_nav_per_unit": "1.0000001"}, "initial_nav_per_unit"),
        (open_pool, {"inception_date": FAR}, "inception_date"),
        (open_pool, {"management_fee": {"rate": "1.5", "basis": "nav"}}, "management_fee.rate"),
        (open_pool, {"management_fee": {"rate": "-0.01", "basis": "nav"}}, "management_fee.rate"),
        (open_pool, {"management_fee": {"rate": "0.0000001", "basis": "nav"}}, "management_fee.rate"),
        (open_pool, {"management_fee": {"rate": "0.02", "basis": "committed"}}, "management_fee.basis"),
        (open_pool, {"performance_fee": {"rate": "0.2", "hurdle_rate": "2"}}, "performance_fee.hurdle_rate"),
        (closed_pool, {"performance_fee": {"rate": "0.2"}}, "performance_fee"),
        (closed_pool, {"waterfall": None}, "waterfall"),
        (open_pool, {"waterfall": closed_pool().model_dump()["waterfall"]}, "waterfall"),
        (
            closed_pool,
            {
                "waterfall": {
                    "preferred_return_rate": "0.08",
                    "catch_up_rate": "1",
                    "carried_interest_rate": "1",
                }
            },
            "waterfall.carried_interest_rate",
        ),
    ],
)
def test_bad_terms_name_the_field_and_leave_nothing(
    world: World, make: Any, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        world.container.pools.create_pool(world.manager, make(**overrides))
    assert err.value.field == field
    assert _pool_count(world.container) == 0
    assert _pool_events(world.container) == []


def test_the_checks_a_preview_runs_are_the_writes_own_and_write_nothing(world: World) -> None:
    pools = world.container.pools
    checked = pools.check_pool(world.manager, open_pool(minimum_subscription="2500"))
    assert str(checked.minimum_subscription) == "2500.00"  # as create_pool would store it
    for overrides, field in (
        ({"minimum_subscription": "-5.00"}, "minimum_subscription"),
        ({"initial_nav_per_unit": "0"}, "initial_nav_per_unit"),
        ({"management_fee": {"rate": "2", "basis": "nav"}}, "management_fee.rate"),
    ):
        with pytest.raises(ValidationFailed) as err:
            pools.check_pool(world.manager, open_pool(**overrides))
        assert err.value.field == field and err.value.detail.startswith(f"{field}: ")
    with pytest.raises(PermissionDenied):
        pools.check_pool(world.analyst, open_pool())
    assert _pool_count(world.container) == 0 and _pool_events(world.container) == []

    pool_id = pools.create_pool(world.manager, open_pool(management_fee=OPEN_NAV_FEE)).id
    seven = PoolUpdate.model_validate({"minimum_subscription": "7"})
    after = pools.check_update(world.manager, pool_id, seven)
    assert str(after.minimum_subscription) == "7.00"
    with pytest.raises(ValidationFailed) as err:
        pools.check_update(world.manager, pool_id, PoolUpdate.model_validate({"minimum_subscription": "-1"}))
    assert err.value.field == "minimum_subscription"
    with pytest.raises((NotFound, PermissionDenied)):
        pools.check_update(world.other_manager, pool_id, PoolUpdate(name="Taken"))
    assert str(pools.get_pool(world.manager, pool_id).minimum_subscription) != "7.00"
    assert [a for a, _ in _pool_events(world.container)] == ["pool.created"]


# -- who sees and changes what -------------------------------------------------------------


def test_authorisation_matrix(world: World) -> None:
    pools, investors = world.container.pools, world.container.investors
    mine = pools.create_pool(world.manager, closed_pool()).id
    theirs = pools.create_pool(world.other_manager, closed_pool(name="Theirs")).id

    # A manager: only their own pools, and another manager's pool looks missing.
    assert [p.id for p in pools.list_pools(world.manager).items] == [mine]
    with pytest.raises(NotFound):
        pools.get_pool(world.manager, theirs)
    with pytest.raises(NotFound):
        pools.update_pool(world.manager, theirs, PoolUpdate(name="Mine now"))
    with pytest.raises(NotFound):
        pools.close_pool(world.manager, theirs)
    with pytest.raises(NotFound):
        pools.delete_pool(world.manager, theirs)

    # An analyst: nothing until granted, then read-only.
    with pytest.raises(NotFound):
        pools.get_pool(world.analyst, mine)
    assert world.analyst.user_id is not None
    pools.grant_analyst(world.manager, mine, world.analyst.user_id)
    assert pools.get_pool(world.analyst, mine).id == mine
    assert [p.id for p in pools.list_pools(world.analyst).items] == [mine]
    with pytest.raises(PermissionDenied):
        pools.update_pool(world.analyst, mine, PoolUpdate(name="Analysed"))
    with pytest.raises(PermissionDenied):
        pools.close_pool(world.analyst, mine)
    with pytest.raises(NotFound):
        pools.get_pool(world.analyst, theirs)

    # An investor: the pools they are in, read-only.
    investor_id = world.investor_profile(world.investor)
    with pytest.raises(NotFound):
        pools.get_pool(world.investor, mine)
    world.commit(mine, investor_id)
    assert pools.get_pool(world.investor, mine).id == mine
    assert [p.id for p in pools.list_pools(world.investor).items] == [mine]
    with pytest.raises(PermissionDenied):
        pools.liquidate_pool(world.investor, mine)
    with pytest.raises(NotFound):
        pools.get_pool(world.other_investor, mine)
    assert pools.list_pools(world.other_investor).items == []

    # An admin: everything.
    assert [p.id for p in pools.list_pools(world.admin).items] == [mine, theirs]
    assert pools.update_pool(world.admin, theirs, PoolUpdate(name="Renamed")).name == "Renamed"
    assert investors.commitments_for_pool(mine) == [(investor_id, Decimal("1000000.00"))]


def test_pool_names_follow_pool_visibility(world: World) -> None:
    pools = world.container.pools
    mine = pools.create_pool(world.manager, closed_pool(name="Mine")).id
    theirs = pools.create_pool(world.other_manager, closed_pool(name="Theirs")).id
    missing = theirs + 1000
    assert pools.pool_names(world.manager, [mine, theirs, missing]) == {mine: "Mine"}
    assert pools.pool_names(world.admin, [theirs, mine, mine]) == {mine: "Mine", theirs: "Theirs"}
    assert pools.pool_names(world.analyst, [mine]) == {}  # not granted
    assert pools.pool_names(world.investor, [mine, theirs]) == {}  # in neither
    investor_id = world.investor_profile(world.investor)
    world.commit(mine, investor_id)
    assert pools.pool_names(world.investor, [mine, theirs]) == {mine: "Mine"}
    assert pools.pool_names(world.manager, []) == {}


def test_helpers_for_other_services(world: World) -> None:
    pools = world.container.pools
    pool_id = pools.create_pool(world.manager, closed_pool()).id
    assert pools.can_manage(world.manager, pool_id) and pools.can_manage(world.admin, pool_id)
    assert not pools.can_manage(world.other_manager, pool_id)
    assert not pools.can_manage(world.admin, pool_id + 1000)
    assert pools.can_read(world.manager, pool_id) and not pools.can_read(world.analyst, pool_id)
    terms = pools.pool_terms(pool_id)
    assert (terms.kind, terms.base_currency, terms.status) == (PoolKind.CLOSED_ENDED, "EUR", PoolStatus.OPEN)
    with pytest.raises(NotFound):
        pools.pool_terms(pool_id + 1000)
    other = pools.create_pool(world.other_manager, open_pool()).id
    # Many pools' terms in one read: the same answers pool_terms gives one at a time.
    assert pools.terms_of_pools([other, pool_id, other]) == {
        pool_id: terms,
        other: pools.pool_terms(other),
    }
    assert pools.terms_of_pools([]) == {}
    with pytest.raises(NotFound, match=f"pool {other + 1000} not found"):
        pools.terms_of_pools([pool_id, other + 1000])
    assert pools.require_manage(world.manager, pool_id).id == pool_id
    with pytest.raises(NotFound):
        pools.require_manage(world.other_manager, pool_id)


def test_managers_and_grants_are_checked_and_audited(world: World) -> None:
    pools = world.container.pools
    pool_id = pools.create_pool(world.manager, open_pool()).id
    assert world.analyst.user_id is not None and world.other_manager.user_id is not None
    # Authorisation comes before looking at the named user: no probing users through a foreign pool.
    with pytest.raises(NotFound):
        pools.add_manager(world.other_manager, pool_id, world.analyst.user_id)
    with pytest.raises(ValidationFailed) as wrong_role:
        pools.add_manager(world.manager, pool_id, world.analyst.user_id)
    assert wrong_role.value.field == "user_id"
    with pytest.raises(Conflict):
        pools.remove_manager(world.manager, pool_id, world.manager.user_id or 0)
    added = pools.add_manager(world.manager, pool_id, world.other_manager.user_id)
    assert added.manager_ids == sorted([world.manager.user_id or 0, world.other_manager.user_id])
    assert pools.get_pool(world.other_manager, pool_id).id == pool_id
    with pytest.raises(Conflict):
        pools.add_manager(world.manager, pool_id, world.other_manager.user_id)
    pools.remove_manager(world.other_manager, pool_id, world.manager.user_id or 0)
    with pytest.raises(NotFound):
        pools.get_pool(world.manager, pool_id)
    pools.grant_analyst(world.other_manager, pool_id, world.analyst.user_id)
    pools.revoke_analyst(world.other_manager, pool_id, world.analyst.user_id)
    with pytest.raises(NotFound):
        pools.get_pool(world.analyst, pool_id)
    assert [a for a, _ in _pool_events(world.container)] == [
        "pool.created",
        "pool.manager_added",
        "pool.manager_removed",
        "pool.analyst_granted",
        "pool.analyst_revoked",
    ]


# -- change settings -------------------------------------------------------------------


def test_update_changes_only_what_was_sent_and_audits_the_difference(world: World) -> None:
    pools = world.container.pools
    pool = pools.create_pool(world.manager, open_pool())
    updated = pools.update_pool(
        world.manager, pool.id, PoolUpdate.model_validate({"name": "New name", "performance_fee": None})
    )
    assert updated.name == "New name" and updated.performance_fee is None
    assert updated.management_fee == pool.management_fee
    event = world.container.audit.list_events(OPERATOR, action="pool.updated")[0]
    assert event.actor_user_id == world.manager.user_id
    assert event.before == {
        "name": "Harbour Growth Fund",
        "performance_fee": {
            "rate": "0.2",
            "high_water_mark": True,
            "hurdle_rate": "0",
            "hurdle": "hard",
            "catch_up_rate": None,
            "gain_basis": "net_of_management_fee",
            "crystallisation": None,
        },
    }
    assert event.after == {"name": "New name", "performance_fee": None}
    # Sending what is already there changes nothing and logs nothing.
    pools.update_pool(world.manager, pool.id, PoolUpdate(name="New name"))
    assert len(world.container.audit.list_events(OPERATOR, action="pool.updated")) == 1


def test_update_validates_the_merged_settings(world: World) -> None:
    pools = world.container.pools
    pool_id = pools.create_pool(world.manager, open_pool(minimum_subscription="10000.50")).id
    with pytest.raises(ValidationFailed) as null:
        pools.update_pool(world.manager, pool_id, PoolUpdate.model_validate({"name": None}))
    assert null.value.field == "name"
    with pytest.raises(ValidationFailed) as kind:  # closed-ended needs a waterfall, and no performance fee
        pools.update_pool(world.manager, pool_id, PoolUpdate(kind=PoolKind.CLOSED_ENDED))
    assert kind.value.field in {"performance_fee", "management_fee.basis"}
    with pytest.raises(ValidationFailed) as precision:
        pools.update_pool(world.manager, pool_id, PoolUpdate(base_currency="JPY"))
    assert precision.value.field == "minimum_subscription"
    assert pools.get_pool(world.manager, pool_id).base_currency == "USD"
    # 10000.00 is exact in yen too, so the same switch goes through once the cents are gone.
    switched = pools.update_pool(
        world.manager,
        pool_id,
        PoolUpdate.model_validate({"base_currency": "JPY", "minimum_subscription": "10000"}),
    )
    assert (switched.base_currency, str(switched.minimum_subscription)) == ("JPY", "10000")
    assert len(world.container.audit.list_events(OPERATOR, action="pool.updated")) == 1


def test_kind_and_currency_are_fixed_once_money_is_committed(world: World) -> None:
    pools = world.container.pools
    pool_id = pools.create_pool(world.manager, closed_pool()).id
    world.commit(pool_id, world.investor_profile(world.investor))
    with pytest.raises(Conflict) as err:
        pools.update_pool(world.manager, pool_id, PoolUpdate(base_currency="USD"))
    assert err.value.field == "base_currency"
    with pytest.raises(Conflict) as nav:
        pools.update_pool(world.manager, pool_id, PoolUpdate.model_validate({"initial_nav_per_unit": "10"}))
    assert nav.value.field == "initial_nav_per_unit"
    assert pools.update_pool(world.manager, pool_id, PoolUpdate(name="Still fine")).name == "Still fine"


# -- lifecycle and delete ----------------------------------------------------------------


def test_lifecycle_transitions_and_their_audit(world: World) -> None:
    pools = world.container.pools
    pool_id = pools.create_pool(world.manager, open_pool()).id
    assert pools.close_pool(world.manager, pool_id).status is PoolStatus.CLOSED
    with pytest.raises(Conflict) as twice:
        pools.close_pool(world.manager, pool_id)
    assert twice.value.field == "status"
    assert pools.liquidate_pool(world.manager, pool_id).status is PoolStatus.LIQUIDATING
    assert pools.finish_liquidation(world.admin, pool_id).status is PoolStatus.LIQUIDATED
    with pytest.raises(Conflict):
        pools.liquidate_pool(world.manager, pool_id)
    with pytest.raises(Conflict) as frozen:
        pools.update_pool(world.manager, pool_id, PoolUpdate(name="Too late"))
    assert frozen.value.field == "status"
    events = list(reversed(world.container.audit.list_events(OPERATOR, object_type="pool")))
    assert [(e.action, e.before, e.after) for e in events[1:]] == [
        ("pool.closed", {"status": "open"}, {"status": "closed"}),
        ("pool.liquidation_started", {"status": "closed"}, {"status": "liquidating"}),
        ("pool.liquidated", {"status": "liquidating"}, {"status": "liquidated"}),
    ]
    assert pools.list_pools(world.manager, status=PoolStatus.LIQUIDATED).items[0].id == pool_id
    assert pools.list_pools(world.manager, status=PoolStatus.OPEN).items == []


def test_delete_an_empty_pool(world: World) -> None:
    pools = world.container.pools
    pool_id = pools.create_pool(world.manager, open_pool()).id
    assert world.analyst.user_id is not None
    pools.grant_analyst(world.manager, pool_id, world.analyst.user_id)
    pools.delete_pool(world.manager, pool_id)
    with pytest.raises(NotFound):
        pools.get_pool(world.admin, pool_id)
    event = world.container.audit.list_events(OPERATOR, action="pool.deleted")[0]
    assert event.object_id == str(pool_id) and event.before is not None and event.before["status"] == "open"


def test_a_pool_with_entries_cannot_be_deleted_only_closed(world: World) -> None:
    pools = world.container.pools
    pool_id = pools.create_pool(world.manager, closed_pool()).id
    world.commit(pool_id, world.investor_profile(world.investor))
    with pytest.raises(Conflict) as err:
        pools.delete_pool(world.admin, pool_id)
    assert "close it instead" in err.value.detail
    assert pools.get_pool(world.manager, pool_id).status is PoolStatus.OPEN
    assert world.container.audit.list_events(OPERATOR, action="pool.deleted") == []


# -- listing ---------------------------------------------------------------------------


def test_list_pages_by_cursor_and_filters(world: World) -> None:
    pools = world.container.pools
    ids = [pools.create_pool(world.manager, open_pool(name=f"P{i}")).id for i in range(3)]
    ids.append(pools.create_pool(world.manager, closed_pool()).id)
    first = pools.list_pools(world.manager, limit=2)
    assert [p.id for p in first.items] == ids[:2] and first.next_cursor == ids[1]
    second = pools.list_pools(world.manager, limit=2, cursor=first.next_cursor)
    assert [p.id for p in second.items] == ids[2:] and second.next_cursor is None
    closed = pools.list_pools(world.manager, kind=PoolKind.CLOSED_ENDED)
    assert [p.id for p in closed.items] == ids[3:]
    with pytest.raises(ValidationFailed) as err:
        pools.list_pools(world.manager, limit=0)
    assert err.value.field == "limit"


def test_pool_create_schema_refuses_float_noise_and_unknown_fields() -> None:
    with pytest.raises(ValueError, match="significant digits"):
        PoolCreate.model_validate({**open_pool().model_dump(), "minimum_subscription": 0.1 + 0.2})
    with pytest.raises(ValueError, match="Extra inputs"):
        PoolCreate.model_validate({**open_pool().model_dump(), "status": "closed"})


def test_actor_without_a_user_record_sees_nothing_but_operator_sees_all(world: World) -> None:
    pool_id = world.container.pools.create_pool(world.manager, open_pool()).id
    assert world.container.pools.get_pool(OPERATOR, pool_id).inception_date == INCEPTION
    ghost = Actor(user_id=None, role=world.manager.role, label="ghost")
    with pytest.raises(NotFound):
        world.container.pools.get_pool(ghost, pool_id)
