"""Share classes in the books of an open-ended pool, on SQLite and MariaDB.

Two classes of one portfolio: A (retail: 1.5% management fee, 20% performance fee, minimum
1,000.00) and I (institutional: 0.75%, 10%, minimum 1,000,000.00), both launched at 100.
Each has its own NAV per unit; gains are shared by the value each class owns, fees are the
class's own (docs/business-logic.md, "Share classes in the books")."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from backend.seed.demo_share_classes import CLASSES  # the worked example, as the demo posts it
from ledger.interface import BatchRejected
from ledger.position_reads import investor_view
from tests.integration.pools_support import Api, World, make_world, open_pool, problem_fields

D = Decimal


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _pool(world: World) -> int:
    body = open_pool(performance_fee=None, minimum_subscription="0.00", share_classes=CLASSES)
    return world.container.pools.create_pool(world.manager, body).id


def _post(api: Api, pool: int, path: str, body: dict[str, Any]) -> Any:
    headers = {**api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
    return api.client.post(f"/api/v1/pools/{pool}/{path}", headers=headers, json=body)


def _deal(api: Api, pool: int, **fields: Any) -> Any:
    return _post(api, pool, "transactions", fields)


def _positions(api: Api, pool: int) -> Any:
    response = api.client.get(f"/api/v1/pools/{pool}/positions", headers=api.headers("manager"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _subscribe_each(api: Api, pool: int, deals: list[tuple[int, str, str]], on: str) -> list[dict[str, Any]]:
    """Each (investor, class, amount) subscribed on ``on``; the entries' workings."""
    posted = []
    for investor, cls, amount in deals:
        r = _deal(
            api,
            pool,
            type="subscription",
            investor_id=investor,
            amount=amount,
            share_class=cls,
            effective_date=on,
        )
        assert r.status_code == 201, r.get_json()
        posted.append(r.get_json()["details"])
    return posted


def _launch(world: World) -> tuple[int, Api, dict[str, int]]:
    """X 500,000.00 in A and Y 1,500,000.00 in I on 2 January 2025, at the launch price."""
    pool, api = _pool(world), Api(world)
    who = {name: world.named_investor(name) for name in ("Xenia Retail", "Yard Pension Fund", "Zeta Family")}
    deals = [(who["Xenia Retail"], "A", "500000.00"), (who["Yard Pension Fund"], "I", "1500000.00")]
    for d, (_, cls, _) in zip(_subscribe_each(api, pool, deals, "2025-01-02"), deals, strict=True):
        assert (d["share_class"], d["nav_per_unit"]) == (cls, "100.000000")
    return pool, api, who


def test_each_class_has_its_own_nav_per_unit_after_its_own_fees(world: World) -> None:
    """Worked example. Marked at 2,200,000.00 on 31 March 2025 (+10%): the 200,000.00 gain is
    shared by value, A 50,000.00 and I 150,000.00. Each class then accrues its own fee for
    2 January to 31 March (89 days, ACT/365F) on its net assets: A 550,000.00 x 1.5% x 89/365
    = 2,011.64; I 1,650,000.00 x 0.75% x 89/365 = 3,017.47. NAV per unit: A 547,988.36 /
    5,000 = 109.597672; I 1,646,982.53 / 15,000 = 109.798835. Z then subscribes 100,000.00
    in A at A's price: 912.428139 units (rounded down)."""
    pool, api, who = _launch(world)
    mark = _post(api, pool, "valuations", {"as_of": "2025-03-31", "net_asset_value": "2200000.00"})
    assert mark.status_code == 201, mark.get_json()
    details = mark.get_json()["entry"]["details"]
    fee = details["management_fee"]
    assert (fee["amount"], fee["days"], fee["basis"]) == ("5029.11", 89, "share_class_nav")
    assert fee["by_class"] == {
        "A": {"amount": "2011.64", "rate": "0.015", "basis_amount": "550000.00"},
        "I": {"amount": "3017.47", "rate": "0.0075", "basis_amount": "1650000.00"},
    }
    assert details["share_classes"] == {
        "A": {"units": "5000.000000", "net_asset_value": "547988.36", "nav_per_unit": "109.597672"},
        "I": {"units": "15000.000000", "net_asset_value": "1646982.53", "nav_per_unit": "109.798835"},
    }
    assert "nav_per_unit" not in details  # no one price for the pool

    z = _deal(
        api,
        pool,
        type="subscription",
        investor_id=who["Zeta Family"],
        amount="100000.00",
        share_class="A",
        effective_date="2025-03-31",
    )
    assert z.status_code == 201, z.get_json()
    assert (z.get_json()["details"]["nav_per_unit"], z.get_json()["details"]["units"]) == (
        "109.597672",
        "912.428139",
    )
    positions = _positions(api, pool)
    assert positions["nav_per_unit"] is None
    by_class = {c["class_id"]: c for c in positions["share_classes"]}
    assert (by_class["A"]["units"], by_class["A"]["holders"], by_class["I"]["nav_per_unit"]) == (
        "5912.428139",
        2,
        "109.798835",
    )
    held = {p["investor_id"]: (p["share_class"], p["nav_per_unit"]) for p in positions["positions"]}
    assert held[who["Yard Pension Fund"]] == ("I", "109.798835")
    assert held[who["Zeta Family"]][0] == "A"
    # The classes' net assets and the pool's residue make the pool's NAV exactly.
    total = sum((D(c["net_asset_value"]) for c in positions["share_classes"]), D(0))
    assert total + D(positions["rounding_residue"]) == D(positions["net_asset_value"])


def test_each_class_crystallises_its_own_performance_fee_over_its_own_high_water_mark(world: World) -> None:
    """After the mark above: A pays 20% of (109.597672 - 100) x 5,000 = 9,597.67 (rounded
    down), its new high-water mark its price after the fee, 107.678138; I pays 10% of
    (109.798835 - 100) x 15,000 = 14,698.25. Neither touches the other class's holders."""
    pool, api, who = _launch(world)
    assert (
        _post(api, pool, "valuations", {"as_of": "2025-03-31", "net_asset_value": "2200000.00"}).status_code
        == 201
    )
    unnamed = _deal(api, pool, type="performance_fee", effective_date="2025-03-31")
    assert unnamed.status_code == 422 and problem_fields(unnamed) == ["share_class"], unnamed.get_json()
    a = _deal(api, pool, type="performance_fee", share_class="A", effective_date="2025-03-31")
    assert a.status_code == 201, a.get_json()
    d = a.get_json()["details"]
    assert (d["amount"], d["high_water_mark_before"], d["high_water_mark_after"]) == (
        "9597.67",
        "100.000000",
        "107.678138",
    )
    assert d["allocation"] == {str(who["Xenia Retail"]): "9597.67"}
    i = _deal(api, pool, type="performance_fee", share_class="I", effective_date="2025-03-31")
    assert i.status_code == 201, i.get_json()
    assert i.get_json()["details"]["amount"] == "14698.25"
    again = _deal(api, pool, type="performance_fee", share_class="A", effective_date="2025-03-31")
    assert again.status_code == 422 and problem_fields(again) == ["type"], again.get_json()
    by_class = {c["class_id"]: c for c in _positions(api, pool)["share_classes"]}
    assert (by_class["A"]["high_water_mark"], by_class["A"]["nav_per_unit"]) == ("107.678138", "107.678138")


def _redeem_yard(world: World, *, on_redemption: bool = True) -> tuple[Any, Api, dict[str, int], int]:
    pool, api, who = _launch(world)
    if not on_redemption:
        classes = [CLASSES[0], {**CLASSES[1], "performance_fee_on_redemption": False}]
        patched = api.client.patch(
            f"/api/v1/pools/{pool}", headers=api.headers("manager"), json={"share_classes": classes}
        )
        assert patched.status_code == 200, patched.get_json()
    assert (
        _post(api, pool, "valuations", {"as_of": "2025-03-31", "net_asset_value": "2200000.00"}).status_code
        == 201
    )
    out = _deal(
        api,
        pool,
        type="redemption",
        investor_id=who["Yard Pension Fund"],
        units="1000",
        effective_date="2025-03-31",
    )
    assert out.status_code == 201, out.get_json()
    return out.get_json()["details"], api, who, pool


def test_a_leaver_pays_its_own_performance_fee_at_redemption(world: World) -> None:
    """Worked example. Y redeems 1,000 of its I units at I's 109.798835 on 31 March: worth
    109,798.83 (rounded down). They were bought at 100, so Y's own fee on them is 10% x
    9.798835 x 1,000 = 979.8835, rounded down to 979.88, kept from the proceeds: Y is paid
    108,818.95 and the manager is owed 979.88. Y's 14,000 units left keep their price of 100."""
    d, api, who, pool = _redeem_yard(world)
    assert (d["share_class"], d["nav_per_unit"], d["gross_proceeds"], d["proceeds"]) == (
        "I",
        "109.798835",
        "109798.83",
        "108818.95",
    )
    assert d["performance_fee"] == {
        "amount": "979.88",
        "rate": "0.1",
        "high_water_mark": "100.000000",
        "lots": [["1000.000000", "100.000000"]],
    }
    # The class's price is not moved by the leaver's fee: it is the leaver's alone.
    by_class = {c["class_id"]: c for c in _positions(api, pool)["share_classes"]}
    assert by_class["I"]["nav_per_unit"] == "109.798835"
    # The ILPA statement shows the fee on its own line, the capital released on the other.
    statement = api.client.get(
        f"/api/v1/investors/{who['Yard Pension Fund']}/statements?pool_id={pool}&period=2025-Q1",
        headers=api.headers("manager"),
    )
    assert statement.status_code == 200, statement.get_json()
    s = statement.get_json()
    assert (s["performance_fees"], s["redemptions"]) == ("-979.88", "-108818.96")
    # At the class's next fee Y pays on its 14,000 units left, bought at 100, as before.
    fee = _deal(api, pool, type="performance_fee", share_class="I", effective_date="2025-03-31")
    assert fee.status_code == 201, fee.get_json()
    y = fee.get_json()["details"]["investors"][str(who["Yard Pension Fund"])]
    assert (y["fee"], y["equalisation_credit"], y["contingent_redemption"]) == ("13718.36", "0.00", "0.00")


def test_a_class_may_leave_the_leavers_fee_to_the_manager(world: World) -> None:
    d, _, _, _ = _redeem_yard(world, on_redemption=False)
    assert (d["proceeds"], "performance_fee" in d, "gross_proceeds" in d) == ("109798.83", False, False)


def test_a_class_fee_crystallises_on_its_own_schedule(world: World) -> None:
    pool, api, _ = _launch(world)
    classes = [{**CLASSES[0], "performance_fee_crystallisation": "quarterly"}, CLASSES[1]]
    url = f"/api/v1/pools/{pool}"
    patched = api.client.patch(url, headers=api.headers("manager"), json={"share_classes": classes})
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["share_classes"][0]["performance_fee_crystallisation"] == "quarterly"
    for as_of, nav in (("2025-03-31", "2200000.00"), ("2025-04-30", "2300000.00")):
        assert _post(api, pool, "valuations", {"as_of": as_of, "net_asset_value": nav}).status_code == 201
    off = _deal(api, pool, type="performance_fee", share_class="A", effective_date="2025-04-30")
    assert off.status_code == 422 and problem_fields(off) == ["effective_date"], off.get_json()
    assert "quarterly" in off.get_json()["detail"]
    # I has no schedule: the manager charges it when it chooses.
    assert (
        _deal(api, pool, type="performance_fee", share_class="I", effective_date="2025-04-30").status_code
        == 201
    )
    bad = api.client.patch(
        url,
        headers=api.headers("manager"),
        json={"share_classes": [{**CLASSES[0], "performance_fee_crystallisation": "weekly"}, CLASSES[1]]},
    )
    assert bad.status_code == 422 and problem_fields(bad) == [
        "share_classes.0.performance_fee_crystallisation"
    ]


def test_dealing_in_a_class_is_refused_naming_the_field(world: World) -> None:
    pool, api, who = _launch(world)
    z = who["Zeta Family"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"share_class": None, "amount": "5000.00"}, "share_class"),  # must name a class
        ({"share_class": "B", "amount": "5000.00"}, "share_class"),  # no such class
        ({"share_class": "I", "amount": "500000.00"}, "amount"),  # below I's minimum
        ({"share_class": "A", "amount": "999.99"}, "amount"),  # below A's minimum
    ]
    for fields, field in cases:
        body = {"type": "subscription", "investor_id": z, "effective_date": "2025-01-02", **fields}
        r = _deal(api, pool, **{k: v for k, v in body.items() if v is not None})
        assert r.status_code == 422 and problem_fields(r) == [field], (fields, r.get_json())
    # A holder of A stays in A; a top-up needs only the subsequent minimum.
    other = _deal(
        api,
        pool,
        type="subscription",
        investor_id=who["Xenia Retail"],
        amount="2000000.00",
        share_class="I",
        effective_date="2025-01-02",
    )
    assert other.status_code == 422 and problem_fields(other) == ["share_class"]
    top_up = _deal(
        api,
        pool,
        type="subscription",
        investor_id=who["Xenia Retail"],
        amount="100.00",
        effective_date="2025-01-02",
    )
    assert top_up.status_code == 201 and top_up.get_json()["details"]["share_class"] == "A", top_up.get_json()
    # The pool's own management fee entry would charge every class alike.
    fee = _deal(api, pool, type="management_fee", amount="100.00", effective_date="2025-01-02")
    assert fee.status_code == 422 and problem_fields(fee) == ["type"], fee.get_json()
    income = _deal(api, pool, type="income", amount="100.00", share_class="A", effective_date="2025-01-02")
    assert income.status_code == 422 and problem_fields(income) == ["share_class"]


def test_class_terms_are_checked_and_kept_once_the_books_use_them(world: World) -> None:
    api = Api(world)
    headers = api.headers("manager")
    base = open_pool(performance_fee=None).model_dump(mode="json")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"share_classes": [CLASSES[0], CLASSES[0]]}, "share_classes[1].class_id"),
        (
            {"share_classes": [{**CLASSES[0], "management_fee_rate": "1.5"}]},
            "share_classes[0].management_fee_rate",
        ),
        ({"share_classes": CLASSES, "management_fee": {"rate": "0.01", "basis": "nav"}}, "management_fee"),
        (
            {"share_classes": [{**CLASSES[0], "minimum_subscription": "10.001"}]},
            "share_classes[0].minimum_subscription",
        ),
    ]
    for fields, field in cases:
        r = api.client.post("/api/v1/pools", headers=headers, json={**base, **fields})
        assert r.status_code == 422 and problem_fields(r) == [field], (fields, r.get_json())
    closed = api.client.post(
        "/api/v1/pools",
        headers=headers,
        json={
            **base,
            "kind": "closed_ended",
            "share_classes": CLASSES,
            "waterfall": {
                "preferred_return_rate": "0.08",
                "catch_up_rate": "1",
                "carried_interest_rate": "0.2",
            },
        },
    )
    assert closed.status_code == 422 and problem_fields(closed) == ["share_classes"]

    pool, api, _ = _launch(world)
    got = api.client.get(f"/api/v1/pools/{pool}", headers=headers).get_json()
    assert [c["class_id"] for c in got["share_classes"]] == ["A", "I"]
    assert got["share_classes"][1]["management_fee_rate"] == "0.0075"
    url = f"/api/v1/pools/{pool}"
    dropped = api.client.patch(url, headers=headers, json={"share_classes": [CLASSES[0]]})
    assert dropped.status_code == 409 and problem_fields(dropped) == ["share_classes"], dropped.get_json()
    added = api.client.patch(url, headers=headers, json={"share_classes": [*CLASSES, {"class_id": "B"}]})
    assert added.status_code == 200, added.get_json()
    assert [c["class_id"] for c in added.get_json()["share_classes"]] == ["A", "I", "B"]


def test_a_batch_deals_each_row_in_its_class_at_its_classs_price(world: World) -> None:
    """The batch path (imports, POST .../transactions/batch) keeps the classes as the single
    write does: the same worked example in one all-or-nothing batch."""
    pool, who = (
        _pool(world),
        {n: world.named_investor(n) for n in ("Xenia Retail", "Yard Pension Fund", "Zeta Family")},
    )
    rows = [
        {
            "type": "subscription",
            "investor_id": who["Xenia Retail"],
            "amount": "500000.00",
            "share_class": "A",
        },
        {
            "type": "subscription",
            "investor_id": who["Yard Pension Fund"],
            "amount": "1500000.00",
            "share_class": "I",
        },
    ]
    rows = [r | {"effective_date": "2025-01-02"} for r in rows] + [
        {"type": "valuation", "amount": "2200000.00", "effective_date": "2025-03-31"},
        {
            "type": "subscription",
            "investor_id": who["Zeta Family"],
            "amount": "100000.00",
            "share_class": "A",
            "effective_date": "2025-03-31",
        },
        {
            "type": "redemption",
            "investor_id": who["Yard Pension Fund"],
            "units": "1000",
            "effective_date": "2025-03-31",
        },
    ]
    result = world.container.transactions.record_batch(world.manager, pool, rows, str(uuid.uuid4()))
    assert result.rows == 5
    by_class = {
        c.class_id: c for c in world.container.transactions.pool_positions(world.manager, pool).share_classes
    }
    assert (by_class["A"].units, by_class["I"].units) == (D("5912.428139"), D("14000.000000"))
    assert (by_class["A"].nav_per_unit, by_class["I"].nav_per_unit) == (D("109.597672"), D("109.798835"))
    bad = {"type": "subscription", "investor_id": who["Zeta Family"], "amount": "5000.00"}
    # Zeta holds A; a row naming I is refused with its row and field, and nothing is written.
    with pytest.raises(BatchRejected) as refused:
        world.container.transactions.record_batch(
            world.manager,
            pool,
            [bad | {"share_class": "I", "effective_date": "2025-03-31"}],
            str(uuid.uuid4()),
        )
    assert [(e.row, e.field) for e in refused.value.errors] == [(0, "share_class")]


def test_equalisation_charges_each_holder_only_on_its_own_gain(world: World) -> None:
    """Worked example (checked by hand). Z buys 912.428139 units of A at 109.597672 after the
    March mark; the pool is marked at 2,400,000.00 on 30 April: A's net assets 676,808.03
    after its 30 days of fee (835.45), 114.472094 per unit. A's fee: 20% x 14.472094 x
    5,912.428139 = 17,113.04 (rounded down), shared by units: X 14,472.09, Z 2,640.95. X owes
    exactly its share (in at 100); Z owes only 20% x (114.472094 - 109.597672) x 912.428139 =
    889.51, so 1,751.44 comes back to it as 15.697046 units at the price after the fee,
    111.577675 (114.472094 - 2.894419). The manager is paid 14,472.09 + 889.51 = 15,361.60."""
    pool, api, who = _launch(world)
    assert (
        _post(api, pool, "valuations", {"as_of": "2025-03-31", "net_asset_value": "2200000.00"}).status_code
        == 201
    )
    z = _deal(
        api,
        pool,
        type="subscription",
        investor_id=who["Zeta Family"],
        amount="100000.00",
        share_class="A",
        effective_date="2025-03-31",
    )
    assert z.status_code == 201, z.get_json()
    april = _post(api, pool, "valuations", {"as_of": "2025-04-30", "net_asset_value": "2400000.00"})
    assert april.status_code == 201, april.get_json()
    a = april.get_json()["entry"]["details"]["share_classes"]["A"]
    fee = _deal(api, pool, type="performance_fee", share_class="A", effective_date="2025-04-30")
    assert fee.status_code == 201, fee.get_json()
    d = fee.get_json()["details"]
    x, zeta = d["investors"][str(who["Xenia Retail"])], d["investors"][str(who["Zeta Family"])]
    assert a == {"units": "5912.428139", "net_asset_value": "676808.03", "nav_per_unit": "114.472094"}
    assert (d["class_fee"], d["amount"], d["nav_per_unit_after"]) == ("17113.04", "15361.60", "111.577675")
    assert (x["fee"], x["class_share"], x["equalisation_credit"]) == ("14472.09", "14472.09", "0.00")
    assert (zeta["fee"], zeta["class_share"], zeta["equalisation_credit"], zeta["units_credited"]) == (
        "889.51",
        "2640.95",
        "1751.44",
        "15.697046",
    )
    positions = {p["investor_id"]: p for p in _positions(api, pool)["positions"]}
    assert positions[who["Zeta Family"]]["units"] == "928.125185"
    # Z's units carry on at the price after the fee: its next fee starts from there, as X's.
    assert zeta["lots_after"] == [["928.125185", "111.577675"]]
    assert x["lots_after"] == [["5000.000000", "111.577675"]]
    # An investor's view of the entry shows its own settlement only.
    entry = world.container.ledger.get_entry(fee.get_json()["id"], pool_id=pool)
    seen = investor_view(entry, who["Zeta Family"]).details
    assert list(seen["investors"]) == [str(who["Zeta Family"])] and list(seen["allocation"]) == [
        str(who["Zeta Family"])
    ]
