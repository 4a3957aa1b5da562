"""The audit's scenarios of money moving between investors, through the REST API.

Each test is one finding: the figures a fund accountant works out by hand, checked on both
backends. The rules behind them are in docs/business-logic.md ("Dealing: forward pricing
and the order of the books", "Capital calls").
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from backend.platform.actors import Actor, Role
from tests.integration.auth_support import create_user
from tests.integration.pools_support import (
    OPEN_NAV_FEE,
    Api,
    World,
    closed_pool,
    make_world,
    open_pool,
    problem_fields,
)

D = Decimal


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


class Books:
    """A manager's REST session on one pool, with an idempotency key per write."""

    def __init__(self, world: World, pool_body: dict[str, Any]) -> None:
        self.api = Api(world)
        created = self.api.call("POST", "manager", "/pools", pool_body)
        assert created.status_code == 201, created.get_json()
        self.pool = created.get_json()["id"]
        self.world = world

    def post(self, path: str, body: dict[str, Any]) -> Any:
        headers = {**self.api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
        return self.api.client.post(f"/api/v1/pools/{self.pool}{path}", json=body, headers=headers)

    def ok(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post(path, body)
        assert response.status_code in (200, 201), response.get_json()
        out: dict[str, Any] = response.get_json()
        return out

    def tx(self, **body: Any) -> dict[str, Any]:
        return self.ok("/transactions", body)

    def value(self, on: str, nav: str) -> dict[str, Any]:
        return self.ok("/valuations", {"as_of": on, "net_asset_value": nav})

    def positions(self) -> dict[str, Any]:
        response = self.api.call("GET", "manager", f"/pools/{self.pool}/positions")
        assert response.status_code == 200, response.get_json()
        out: dict[str, Any] = response.get_json()
        return out

    def value_of(self, investor: int) -> Decimal:
        return next(D(p["value"]) for p in self.positions()["positions"] if p["investor_id"] == investor)

    def position(self, investor: int) -> dict[str, Any]:
        return next(p for p in self.positions()["positions"] if p["investor_id"] == investor)


def _open(world: World, **terms: Any) -> tuple[Books, int, int]:
    body = open_pool(minimum_subscription="0.00", performance_fee=None, **terms).model_dump(mode="json")
    books = Books(world, body)
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo Other")
    return books, a, b


def _closed(world: World) -> tuple[Books, int, int]:
    books = Books(world, closed_pool().model_dump(mode="json"))
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo Other")
    return books, a, b


# -- 1. forward pricing -----------------------------------------------------------------------


def test_a_deal_waits_for_the_valuation_of_its_day_and_is_struck_at_it(world: World) -> None:
    """Audit finding 1: B dealt at the stale 31 Jan price and took 50,000 of A's gain."""
    books, a, b = _open(world)
    books.tx(type="subscription", investor_id=a, amount="1000000.00", effective_date="2025-01-02")
    books.tx(type="purchase", amount="1000000.00", effective_date="2025-01-02")
    books.value("2025-01-31", "1000000.00")  # confirms the books: kept as the 31 Jan mark

    stale = books.post(
        "/transactions",
        {"type": "subscription", "investor_id": b, "amount": "1000000.00", "effective_date": "2025-02-28"},
    )
    assert stale.status_code == 422 and problem_fields(stale) == ["effective_date"]
    assert "record the valuation for 2025-02-28 first" in stale.get_json()["detail"]

    valued = books.value("2025-02-28", "1100000.00")  # A's assets up 10%
    assert valued["nav_per_unit"] == "1.100000"
    deal = books.tx(type="subscription", investor_id=b, amount="1000000.00", effective_date="2025-02-28")
    assert deal["details"]["nav_per_unit"] == "1.100000"
    assert deal["details"]["units"] == "909090.909090"
    assert books.value_of(a) == D("1100000.00")
    assert books.value_of(b) == D("1000000.00")  # 909,090.909090 x 1.10 = 999,999.999999
    positions = books.positions()
    assert D(positions["net_asset_value"]) == D("2100000.00")
    assert D(positions["rounding_residue"]) == 0


def test_a_valuation_after_the_days_deals_is_refused(world: World) -> None:
    books, a, b = _open(world)
    books.tx(type="subscription", investor_id=a, amount="500000.00", effective_date="2025-01-02")
    books.value("2025-02-28", "520000.00")
    books.tx(type="subscription", investor_id=b, amount="104000.00", effective_date="2025-02-28")
    again = books.post("/valuations", {"as_of": "2025-02-28", "net_asset_value": "700000.00"})
    assert again.status_code == 422 and problem_fields(again) == ["as_of"]
    assert "already struck" in again.get_json()["detail"]
    assert books.value_of(b) == D("104000.00")


def test_income_after_the_valuation_needs_a_fresh_valuation_before_dealing(world: World) -> None:
    books, a, b = _open(world)
    books.tx(type="subscription", investor_id=a, amount="100000.00", effective_date="2025-01-02")
    books.value("2025-03-31", "100000.00")
    books.tx(type="income", amount="5000.00", effective_date="2025-03-31")
    refused = books.post(
        "/transactions",
        {"type": "subscription", "investor_id": b, "amount": "10000.00", "effective_date": "2025-03-31"},
    )
    assert refused.status_code == 422 and "record the valuation" in refused.get_json()["detail"]
    books.value("2025-03-31", "105000.00")  # confirms the books: no lines, but a new mark
    deal = books.tx(type="subscription", investor_id=b, amount="10500.00", effective_date="2025-03-31")
    assert deal["details"]["nav_per_unit"] == "1.050000" and deal["details"]["units"] == "10000.000000"


def test_deals_on_the_first_dealing_day_all_use_the_launch_price(world: World) -> None:
    books, a, b = _open(world)
    books.tx(type="subscription", investor_id=a, amount="300000.00", effective_date="2025-01-02")
    second = books.tx(type="subscription", investor_id=b, amount="200000.00", effective_date="2025-01-02")
    assert second["details"]["nav_per_unit"] == "1.000000"
    later = books.post(
        "/transactions",
        {"type": "subscription", "investor_id": b, "amount": "1000.00", "effective_date": "2025-01-03"},
    )
    assert later.status_code == 422 and "no valuation since its first deals" in later.get_json()["detail"]


# -- 3. the last holder out --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nav", "units_price"),
    [("3333333.33", "3.333333"), ("1000000.49", "1.000000"), ("2000000.01", "2.000000")],
)
def test_the_last_holder_out_takes_the_whole_net_asset_value(
    world: World, nav: str, units_price: str
) -> None:
    """Audit finding 3: 0.33 stayed in a pool with nobody to own it."""
    books, a, _ = _open(world)
    books.tx(type="subscription", investor_id=a, amount="1000000.00", effective_date="2025-01-02")
    books.tx(type="purchase", amount="1000000.00", effective_date="2025-01-02")
    books.value("2025-06-30", nav)
    books.tx(type="sale", amount=nav, effective_date="2025-06-30")  # at carrying value: no new price
    out = books.tx(type="redemption", investor_id=a, units="1000000", effective_date="2025-06-30")
    assert out["details"]["nav_per_unit"] == units_price
    assert out["details"]["proceeds"] == nav and out["details"]["last_holder"] is True
    positions = books.positions()
    assert D(positions["net_asset_value"]) == 0 and D(positions["rounding_residue"]) == 0


def test_a_holder_leaving_others_behind_leaves_the_residue_to_them(world: World) -> None:
    books, a, b = _open(world)
    books.tx(type="subscription", investor_id=a, amount="1000000.00", effective_date="2025-01-02")
    books.tx(type="subscription", investor_id=b, amount="1000000.00", effective_date="2025-01-02")
    books.tx(type="purchase", amount="2000000.00", effective_date="2025-01-02")
    books.value("2025-06-30", "6666666.66")
    books.tx(type="sale", amount="6666666.66", effective_date="2025-06-30")
    out = books.tx(type="redemption", investor_id=a, units="1000000", effective_date="2025-06-30")
    # 1,000,000 units x 3.333333, rounded down: the 0.33 A leaves belongs to B, still in
    assert out["details"]["proceeds"] == "3333333.00" and out["details"]["last_holder"] is False
    assert D(books.positions()["net_asset_value"]) == D("3333333.66")
    last = books.tx(type="redemption", investor_id=b, units="1000000", effective_date="2025-06-30")
    assert last["details"]["proceeds"] == "3333333.66" and last["details"]["last_holder"] is True
    assert D(books.positions()["net_asset_value"]) == 0


# -- 4 and 9. the books run in date order ---------------------------------------------------


def test_entries_dated_before_later_ones_are_refused_and_say_why(world: World) -> None:
    """Audit finding 4: a February fee was split by March's units, B paid for a month he missed."""
    books, a, b = _open(world)
    books.tx(type="subscription", investor_id=a, amount="1000000.00", effective_date="2025-01-02")
    books.value("2025-03-15", "1000000.00")
    books.tx(type="subscription", investor_id=b, amount="1000000.00", effective_date="2025-03-15")
    for body in (
        {"type": "management_fee", "amount": "3000.00", "effective_date": "2025-02-28"},
        {"type": "income", "amount": "2000.00", "effective_date": "2025-02-10"},
        {"type": "distribution", "amount": "1000.00", "effective_date": "2025-02-20"},
    ):
        refused = books.post("/transactions", body)
        assert refused.status_code == 422 and problem_fields(refused) == ["effective_date"]
        assert "already run to 2025-03-15" in refused.get_json()["detail"]
    assert books.value_of(a) == D("1000000.00") and books.value_of(b) == D("1000000.00")
    # dated on or after the latest entry, the same fee is shared by the holders of its date
    fee = books.tx(
        type="management_fee",
        amount="3000.00",
        effective_date="2025-03-31",
        override_reason="agreed flat fee for the quarter",
    )
    # a pool without fee terms: the amount given, shared by the units of its date
    assert fee["details"]["allocation"] == {str(a): "1500.00", str(b): "1500.00"}
    assert fee["details"]["override_reason"] == "agreed flat fee for the quarter"


def test_a_late_valuation_cannot_overwrite_a_later_mark(world: World) -> None:
    """Audit finding 9: a 31 Mar valuation posted after 30 Jun's dropped NAV to 1,100,000."""
    books, a, _ = _open(world)
    books.tx(type="subscription", investor_id=a, amount="1000000.00", effective_date="2025-01-02")
    books.value("2025-06-30", "1200000.00")
    late = books.post("/valuations", {"as_of": "2025-03-31", "net_asset_value": "1100000.00"})
    assert late.status_code == 422 and problem_fields(late) == ["effective_date"]
    assert D(books.positions()["net_asset_value"]) == D("1200000.00")
    performance = books.api.call("GET", "manager", f"/pools/{books.pool}/performance?as_of=2025-03-31")
    assert performance.status_code == 200


def test_an_entry_is_reversed_only_after_the_entries_allocated_after_it(world: World) -> None:
    books, a, _ = _open(world)
    sub = books.tx(type="subscription", investor_id=a, amount="1000000.00", effective_date="2025-01-02")
    books.value("2025-03-31", "1100000.00")
    headers = {**books.api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
    refused = books.api.client.post(f"/api/v1/transactions/{sub['id']}/reversal", json={}, headers=headers)
    assert refused.status_code == 409 and "reverse entry" in refused.get_json()["detail"]
    assert books.value_of(a) == D("1100000.00")


# -- 6. default: no income on money never paid ---------------------------------------------------


def test_an_investor_who_has_not_paid_a_call_earns_nothing_on_it(world: World) -> None:
    """Audit finding 6: B showed 54,500 on nothing paid in."""
    books, a, b = _closed(world)
    world.commit(books.pool, a, "100000.00")
    world.commit(books.pool, b, "100000.00")
    books.ok(
        "/capital-calls", {"amount": "100000.00", "due_date": "2025-01-31", "effective_date": "2025-01-15"}
    )
    books.tx(type="contribution", investor_id=a, amount="50000.00", effective_date="2025-01-20")
    income = books.tx(type="income", amount="10000.00", effective_date="2025-03-31")
    assert income["details"]["allocation"] == {str(a): "10000.00"}
    fee = books.tx(type="expense", amount="1000.00", effective_date="2025-03-31")
    assert fee["details"]["allocation"] == {str(a): "1000.00"}
    b_position = books.position(b)
    assert D(b_position["value"]) == D("50000.00")  # the capital account: called, not yet paid
    assert D(b_position["contributed"]) == 0
    # due on 31 Jan 2025 and unpaid since: B is in default, A is not
    assert D(b_position["overdue"]) == D("50000.00") and b_position["in_default"] is True
    assert books.position(a)["in_default"] is False
    assert D(books.position(a)["value"]) == D("59000.00")


# -- 7 and 8. capital calls that always fit, one definition of unfunded ---------------------------


def test_calls_even_out_the_odd_cent_and_a_call_of_the_rest_fits(world: World) -> None:
    """Audit finding 7: the third call of 666,666.67 was refused."""
    books, a, b = _closed(world)
    world.commit(books.pool, a, "1000000.00")
    world.commit(books.pool, b, "1000000.00")
    calls = [("666666.66", "2025-01-15"), ("666666.67", "2025-02-15"), ("666666.67", "2025-03-15")]
    parts: dict[str, Decimal] = {str(a): D(0), str(b): D(0)}
    for amount, on in calls:
        call = books.ok("/capital-calls", {"amount": amount, "due_date": on, "effective_date": on})
        for holder, part in call["details"]["allocation"].items():
            parts[holder] += D(part)
    assert parts == {str(a): D("1000000.00"), str(b): D("1000000.00")}
    more = books.post(
        "/capital-calls", {"amount": "0.01", "due_date": "2025-04-01", "effective_date": "2025-04-01"}
    )
    assert more.status_code == 422 and problem_fields(more) == ["amount"]


def test_a_call_of_every_remaining_cent_by_percent_fits(world: World) -> None:
    books, a, b = _closed(world)
    world.commit(books.pool, a, "1000000.00")
    world.commit(books.pool, b, "1000000.00")
    third_user = create_user(world.container, "third@pools.test", Role.INVESTOR)
    third = Actor(user_id=third_user, role=Role.INVESTOR, label="third@pools.test")
    world.commit(books.pool, world.investor_profile(third, name="Cy Third"), "1000000.00")
    first = books.ok(
        "/capital-calls", {"amount": "1000000.00", "due_date": "2025-01-31", "effective_date": "2025-01-15"}
    )
    assert sorted(first["details"]["allocation"].values()) == ["333333.33", "333333.33", "333333.34"]
    rest = books.ok(
        "/capital-calls", {"amount": "2000000.00", "due_date": "2025-02-28", "effective_date": "2025-02-15"}
    )
    assert sum(D(v) for v in rest["details"]["allocation"].values()) == D("2000000.00")
    for holder in (a, b):
        assert D(books.position(holder)["unfunded_commitment"]) == 0


def test_unfunded_is_commitment_less_called_everywhere(world: World) -> None:
    """Audit finding 8: positions said commitment - paid, the call check commitment - called."""
    books, a, b = _closed(world)
    world.commit(books.pool, a, "1000000.00")
    world.commit(books.pool, b, "1000000.00")
    call = books.ok(
        "/capital-calls", {"amount": "1333333.33", "due_date": "2025-01-31", "effective_date": "2025-01-15"}
    )
    called_a = D(call["details"]["allocation"][str(a)])
    books.tx(type="contribution", investor_id=a, amount="333333.33", effective_date="2025-01-20")
    position = books.position(a)
    assert D(position["called"]) == called_a
    assert D(position["unfunded_commitment"]) == D("1000000.00") - called_a
    participation = books.api.call("GET", "manager", f"/investors/{a}/holdings")
    assert participation.status_code == 200, participation.get_json()
    rows = [row for row in participation.get_json() if row["pool_id"] == books.pool]
    assert rows and D(rows[0]["unfunded_commitment"]) == D("1000000.00") - called_a
    statement = books.api.call(
        "GET", "manager", f"/investors/{a}/statements?pool_id={books.pool}&period=2025"
    )
    assert statement.status_code == 200, statement.get_json()
    assert D(statement.get_json()["unfunded_commitment"]) == D("1000000.00") - called_a
    # the rest of the commitment can still be called, to the cent
    rest = books.ok(
        "/capital-calls", {"amount": "666666.67", "due_date": "2025-02-28", "effective_date": "2025-02-15"}
    )
    assert sum(D(v) for v in rest["details"]["allocation"].values()) == D("666666.67")


# -- 5. management fees from the terms, each day charged once -------------------------------------


def test_the_management_fee_is_computed_from_the_terms_and_charged_once(world: World) -> None:
    """Audit finding 5: fees were typed in, and the same quarter could be charged twice."""
    books, a, b = _open(world, management_fee=OPEN_NAV_FEE)  # 1.5% a year on NAV, ACT/365 Fixed
    books.tx(type="subscription", investor_id=a, amount="750000.00", effective_date="2025-01-01")
    books.tx(type="subscription", investor_id=b, amount="250000.00", effective_date="2025-01-01")
    fee = books.tx(type="management_fee", effective_date="2025-03-31")  # 1 Jan to 31 Mar: 90 days
    details = fee["details"]
    assert (details["period_start"], details["period_end"], details["days"]) == (
        "2025-01-01",
        "2025-03-31",
        90,
    )
    assert details["basis"] == "nav" and details["basis_amount"] == "1000000.00"
    assert details["amount"] == details["computed_amount"] == "3698.63"  # 1,000,000 x 1.5% x 90/365
    assert details["allocation"] == {str(a): "2773.97", str(b): "924.66"}

    twice = books.post(
        "/transactions",
        {
            "type": "management_fee",
            "period_start": "2025-03-01",
            "period_end": "2025-03-31",
            "effective_date": "2025-03-31",
        },
    )
    assert twice.status_code == 422 and problem_fields(twice) == ["period_start"]
    assert f"already charged by entry {fee['id']}" in twice.get_json()["detail"]

    typed = books.post(
        "/transactions", {"type": "management_fee", "amount": "5000.00", "effective_date": "2025-06-30"}
    )
    assert typed.status_code == 422 and problem_fields(typed) == ["override_reason"]
    assert "the terms give a fee of" in typed.get_json()["detail"]
    # the next fee starts the day after the last one charged
    second = books.tx(type="management_fee", effective_date="2025-06-30")
    assert (second["details"]["period_start"], second["details"]["days"]) == ("2025-04-01", 91)


def test_a_mark_accrues_the_fee_before_the_price_is_struck(world: World) -> None:
    """Issue 9, finding 5, for a unitised pool: a fee charged after its period by holders'
    days held moved money between them, because all units share one price: B, in for the
    year's last day, was charged 4.11 on paper and about 750 at exit. Each mark now accrues
    the fee to its day, shared by the units in issue, before the NAV per unit is struck."""
    books, a, b = _open(world, management_fee=OPEN_NAV_FEE)  # 1.5% a year on NAV, ACT/365 Fixed
    books.tx(type="subscription", investor_id=a, amount="100000.00", effective_date="2025-01-01")
    books.tx(type="purchase", amount="100000.00", effective_date="2025-01-01")
    year_end = books.value("2025-12-31", "100000.00")  # the investments flat
    accrued = year_end["entry"]["details"]["management_fee"]
    # 1 January to 31 December, 365 days: 100,000 x 1.5% x 365/365
    assert (accrued["period_start"], accrued["period_end"]) == ("2025-01-01", "2025-12-31")
    assert (accrued["days"], accrued["amount"]) == (365, "1500.00")
    assert (year_end["net_asset_value"], year_end["nav_per_unit"]) == ("98500.00", "0.985000")
    refused = books.post("/transactions", {"type": "management_fee", "effective_date": "2025-12-31"})
    assert refused.status_code == 422 and problem_fields(refused) == ["period_end"]

    books.tx(type="subscription", investor_id=b, amount="100000.00", effective_date="2025-12-31")
    next_day = books.value("2026-01-01", "198500.00")  # flat again
    one_day = next_day["entry"]["details"]
    # 198,500 x 1.5% / 365 = 8.157... -> 8.16, by units: A 100,000, B 101,522.842639
    assert (one_day["management_fee"]["amount"], one_day["change"]) == ("8.16", "0.00")
    assert one_day["fee_allocation"] == {str(a): "4.05", str(b): "4.11"}
    out = books.tx(type="redemption", investor_id=b, units="101522.842639", effective_date="2026-01-01")
    assert out["details"]["proceeds"] == "99995.89"  # 100,000 less one day's fee
    assert books.value_of(a) == D("98495.95")  # A paid the year and A's day: nothing moved

    path = f"/investors/{a}/statements?pool_id={books.pool}&period=2025"
    statement = books.api.call("GET", "manager", path).get_json()
    assert D(statement["management_fees"]) == D("-1500.00"), statement
    assert D(statement["unrealised_gains"]) == 0, statement


def test_a_fee_on_commitments_falls_on_every_commitment_paid_or_not(world: World) -> None:
    books, a, b = _closed(world)  # 2% a year on committed capital
    world.commit(books.pool, a, "100000.00")
    world.commit(books.pool, b, "100000.00")
    books.ok(
        "/capital-calls", {"amount": "100000.00", "due_date": "2025-01-31", "effective_date": "2025-01-15"}
    )
    books.tx(type="contribution", investor_id=a, amount="50000.00", effective_date="2025-01-20")
    fee = books.tx(type="management_fee", period_start="2025-01-01", effective_date="2025-03-31")
    assert fee["details"]["basis"] == "committed" and fee["details"]["basis_amount"] == "200000.00"
    assert fee["details"]["amount"] == "986.30"  # 200,000 x 2% x 90/365
    assert fee["details"]["allocation"] == {str(a): "493.15", str(b): "493.15"}


# -- 15. the annual hurdle, pro-rated -------------------------------------------------------------


def test_the_performance_fee_hurdle_is_pro_rated_to_the_period(world: World) -> None:
    """Audit finding 15: a half year was held to a whole year's 5% hurdle (fee 2,000.00)."""
    body = open_pool(
        minimum_subscription="0.00",
        inception_date="2025-07-01",
        performance_fee={"rate": "0.2", "high_water_mark": True, "hurdle_rate": "0.05"},
    ).model_dump(mode="json")
    books = Books(world, body)
    a = world.investor_profile(world.investor)
    books.tx(type="subscription", investor_id=a, amount="1000000.00", effective_date="2025-07-01")
    books.value("2025-12-31", "1060000.00")
    fee = books.tx(type="performance_fee", effective_date="2025-12-31")
    # 183 days: level 1 + 5% x 183/365 = 1.025068...; 20% x (1.06 - 1.025068...) x 1,000,000
    assert fee["details"]["amount"] == "6986.30"
    assert fee["details"]["hurdle_period_start"] == "2025-07-01"
