"""Share classes in another currency than the pool's, hedged and unhedged, on SQLite and MariaDB.

A USD pool with three classes launched at 100: A in USD, E in EUR (unhedged) and H in EUR,
hedged, with a 10% performance fee (docs/business-logic.md, "Classes in another currency").
The books stay in USD; each valuation gives the EUR rate (EUR per USD 1) and the hedge's
result, and each class is priced in its own currency."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from ledger.interface import BatchRejected
from tests.integration.pools_support import Api, World, make_world, open_pool, problem_fields
from tests.integration.test_share_classes_api import _deal, _positions, _post, _subscribe_each

D = Decimal
_AT_100 = {"initial_nav_per_unit": "100"}
CLASSES: list[dict[str, Any]] = [
    {"class_id": "A", "name": "US dollar", **_AT_100},
    {"class_id": "E", "name": "Euro", "currency": "EUR", **_AT_100},
    {
        "class_id": "H",
        "name": "Euro hedged",
        "currency": "EUR",
        "hedged": True,
        "performance_fee_rate": "0.1",
        **_AT_100,
    },
]


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _launch(world: World) -> tuple[int, Api, dict[str, int]]:
    """2 January 2025, EUR 0.90 per USD: U pays USD 900,000.00 into A (9,000 units), E and H
    EUR 90,000.00 each into E and H (900 units each, USD 100,000.00 each in the books)."""
    body = open_pool(performance_fee=None, minimum_subscription="0.00", share_classes=CLASSES)
    pool, api = world.container.pools.create_pool(world.manager, body).id, Api(world)
    who = {n: world.named_investor(n) for n in ("Ulm Trust", "Elbe Family", "Havel Pension", "Zug AG")}
    mark = _post(
        api,
        pool,
        "valuations",
        {"as_of": "2025-01-02", "net_asset_value": "0.00", "fx_rates": {"EUR": "0.90"}},
    )
    assert mark.status_code == 201, mark.get_json()
    deals = [(who["Ulm Trust"], "A", "900000.00"), (who["Elbe Family"], "E", "90000.00")]
    _subscribe_each(api, pool, [*deals, (who["Havel Pension"], "H", "90000.00")], "2025-01-02")
    return pool, api, who


def _march(api: Api, pool: int) -> dict[str, Any]:
    """31 March: the portfolio gains 10% in USD (110,000.00), the euro strengthens to 0.80 per
    USD, and H's forward (EUR 90,000 bought for USD 100,000) gains USD 12,500.00."""
    r = _post(
        api,
        pool,
        "valuations",
        {
            "as_of": "2025-03-31",
            "net_asset_value": "1222500.00",
            "fx_rates": {"EUR": "0.80"},
            "hedge_results": {"H": "12500.00"},
        },
    )
    assert r.status_code == 201, r.get_json()
    return dict(r.get_json()["entry"]["details"])


def test_each_class_is_priced_in_its_own_currency(world: World) -> None:
    """Worked example. The 110,000.00 gain is shared by value (U 90,000.00, E 10,000.00, H
    10,000.00), the hedge's 12,500.00 is H's alone. In the books: A 990,000.00, E 110,000.00,
    H 122,500.00. Priced: A 990,000 / 9,000 = 110.000000 USD; E 110,000 x 0.80 / 900 =
    97.777778 EUR (the pool's +10% in USD is -2.2% in EUR once the dollar fell); H 122,500 x
    0.80 / 900 = 108.888889 EUR (hedged but for the 10,000.00 gain the forward did not cover)."""
    pool, api, who = _launch(world)
    launch = {p["investor_id"]: p for p in _positions(api, pool)["positions"]}
    held = launch[who["Elbe Family"]]
    assert (held["currency"], held["nav_per_unit"], held["nav_per_unit_currency"]) == (
        "USD",
        "100.000000",
        "EUR",
    )
    assert launch[who["Ulm Trust"]]["nav_per_unit_currency"] is None
    assert (launch[who["Elbe Family"]]["units"], launch[who["Elbe Family"]]["value"]) == (
        "900.000000",
        "100000.00",
    )
    d = _march(api, pool)
    assert d["allocation"] == {
        str(who["Ulm Trust"]): "90000.00",
        str(who["Elbe Family"]): "10000.00",
        str(who["Havel Pension"]): "22500.00",
    }
    assert d["fx_rates"] == {"EUR": "0.80"} and d["hedge_results"] == {"H": "12500.00"}
    assert d["share_classes"]["A"] == {
        "units": "9000.000000",
        "net_asset_value": "990000.00",
        "nav_per_unit": "110.000000",
    }
    assert d["share_classes"]["E"] == {
        "units": "900.000000",
        "net_asset_value": "110000.00",
        "nav_per_unit": "97.777778",
        "currency": "EUR",
        "fx_rate": "0.80",
        "class_currency_net_asset_value": "88000.00",
    }
    assert d["share_classes"]["H"]["nav_per_unit"] == "108.888889"
    by_class = {c["class_id"]: c for c in _positions(api, pool)["share_classes"]}
    assert (by_class["H"]["currency"], by_class["H"]["hedged"], by_class["H"]["fx_rate"]) == (
        "EUR",
        True,
        "0.80",
    )
    assert by_class["A"]["currency"] == "USD" and by_class["A"]["fx_rate"] is None


def test_deals_in_a_euro_class_are_in_euro_at_the_days_rate(world: World) -> None:
    """Z subscribes EUR 50,000.00 in E at 97.777778: 511.363635 units (rounded down), worth
    EUR 50,000.00; the books take USD 62,500.00 (50,000 / 0.80) and E's price does not move.
    E redeems 100 units: worth EUR 9,777.78 (half-even), paid EUR 9,777.77 (rounded down) =
    USD 12,222.21 out of the books, USD 12,222.22 of capital released; the cent is residue."""
    pool, api, who = _launch(world)
    _march(api, pool)
    z = _deal(
        api,
        pool,
        type="subscription",
        investor_id=who["Zug AG"],
        amount="50000.00",
        share_class="E",
        effective_date="2025-03-31",
    )
    assert z.status_code == 201, z.get_json()
    sub = z.get_json()["details"]
    assert (sub["amount"], sub["units"], sub["units_value"], sub["nav_per_unit"]) == (
        "62500.00",
        "511.363635",
        "62500.00",
        "97.777778",
    )
    assert sub["class_currency"] == {
        "currency": "EUR",
        "fx_rate": "0.80",
        "amount": "50000.00",
        "units_value": "50000.00",
        "residue": "0.00",
    }
    out = _deal(
        api, pool, type="redemption", investor_id=who["Elbe Family"], units="100", effective_date="2025-03-31"
    )
    assert out.status_code == 201, out.get_json()
    red = out.get_json()["details"]
    assert (red["proceeds"], red["capital_released"], red["residue"]) == ("12222.21", "12222.22", "0.01")
    assert red["class_currency"] == {
        "currency": "EUR",
        "fx_rate": "0.80",
        "units_value": "9777.78",
        "proceeds": "9777.77",
    }
    # The leaver is paid in its class's currency.
    (payout,) = world.container.payments.list_payouts(world.manager, pool)
    assert (payout.investor_id, payout.amount, payout.currency) == (who["Elbe Family"], D("9777.77"), "EUR")
    # The capital released, 12,222.22, is 0.00225 under the units' exact worth (100 x
    # 97.777778 / 0.80): the class keeps it, a millionth of a euro on each unit left.
    by_class = {c["class_id"]: c for c in _positions(api, pool)["share_classes"]}
    assert by_class["E"]["nav_per_unit"] == "97.777779"
    # The next day has no valuation yet: no deal is struck at yesterday's rate.
    late = _deal(
        api,
        pool,
        type="subscription",
        investor_id=who["Zug AG"],
        amount="1000.00",
        share_class="E",
        effective_date="2025-04-01",
    )
    assert late.status_code == 422 and problem_fields(late) == ["effective_date"], late.get_json()


def test_a_euro_class_fee_is_worked_in_euro_and_booked_in_dollars(world: World) -> None:
    """H's performance fee on 31 March: 10% x (108.888889 - 100) x 900 = EUR 800.00 (800.0001
    rounded down), USD 1,000.00 in the books; H's price after it is 108.000000 EUR."""
    pool, api, who = _launch(world)
    _march(api, pool)
    fee = _deal(api, pool, type="performance_fee", share_class="H", effective_date="2025-03-31")
    assert fee.status_code == 201, fee.get_json()
    d = fee.get_json()["details"]
    assert (d["amount"], d["class_currency_amount"], d["currency"], d["nav_per_unit_after"]) == (
        "1000.00",
        "800.00",
        "EUR",
        "108.000000",
    )
    assert d["allocation"] == {str(who["Havel Pension"]): "1000.00"}
    by_class = {c["class_id"]: c for c in _positions(api, pool)["share_classes"]}
    assert (by_class["H"]["net_asset_value"], by_class["H"]["nav_per_unit"]) == ("121500.00", "108.000000")


def test_rates_and_hedges_are_checked_naming_the_field(world: World) -> None:
    pool, api, _ = _launch(world)
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "fx_rates"),  # every valuation gives the rate
        ({"fx_rates": {"EUR": "0.80", "GBP": "0.70"}}, "fx_rates.GBP"),  # no class deals in GBP
        ({"fx_rates": {"EUR": "-0.80"}}, "fx_rates.EUR"),
        ({"fx_rates": {"EUR": "0.80"}, "hedge_results": {"E": "10.00"}}, "hedge_results.E"),  # E is unhedged
        ({"fx_rates": {"EUR": "0.80"}, "hedge_results": {"H": "10.001"}}, "hedge_results.H"),
    ]
    for fields, field in cases:
        r = _post(api, pool, "valuations", {"as_of": "2025-03-31", "net_asset_value": "1100000.00", **fields})
        assert r.status_code == 422 and problem_fields(r) == [field], (fields, r.get_json())
    headers = api.headers("manager")
    moved = api.client.patch(
        f"/api/v1/pools/{pool}",
        headers=headers,
        json={"share_classes": [CLASSES[0], {**CLASSES[1], "currency": "GBP"}, CLASSES[2]]},
    )
    assert moved.status_code == 409 and problem_fields(moved) == ["share_classes"], moved.get_json()
    base = open_pool(performance_fee=None).model_dump(mode="json")
    for classes, field in (
        ([{"class_id": "X", "currency": "XXZ"}], "share_classes[0].currency"),
        ([{"class_id": "X", "hedged": True}], "share_classes[0].hedged"),  # USD in a USD pool
        (
            [{"class_id": "X", "currency": "JPY", "minimum_subscription": "10.50"}],
            "share_classes[0].minimum_subscription",
        ),
    ):
        r = api.client.post("/api/v1/pools", headers=headers, json={**base, "share_classes": classes})
        assert r.status_code == 422 and problem_fields(r) == [field], (classes, r.get_json())


def test_a_batch_deals_in_a_euro_class_at_the_days_rate_and_cannot_value_without_one(world: World) -> None:
    """The batch path strikes a euro class's deals at the rate of the valuation for their day,
    as the single write does; a valuation row cannot give rates, so it is refused naming
    fx_rates, with its row, and nothing is written."""
    pool, _, who = _launch(world)
    world_api = Api(world)
    _march(world_api, pool)
    rows = [
        {"type": "subscription", "investor_id": who["Zug AG"], "amount": "50000.00", "share_class": "E"},
        {"type": "redemption", "investor_id": who["Elbe Family"], "units": "100"},
    ]
    batch = world.container.transactions.record_batch(
        world.manager, pool, [r | {"effective_date": "2025-03-31"} for r in rows], str(uuid.uuid4())
    )
    assert batch.rows == 2
    listed = {p["investor_id"]: p for p in _positions(world_api, pool)["positions"]}
    assert (listed[who["Zug AG"]]["units"], listed[who["Zug AG"]]["value"]) == ("511.363635", "62500.00")
    with pytest.raises(BatchRejected) as refused:
        world.container.transactions.record_batch(
            world.manager,
            pool,
            [{"type": "valuation", "amount": "1300000.00", "effective_date": "2025-04-30"}],
            str(uuid.uuid4()),
        )
    assert [(e.row, e.field) for e in refused.value.errors] == [(0, "fx_rates")]


def test_each_class_has_its_own_return_in_its_own_currency(world: World) -> None:
    """Over 2 January to 31 March: A +10.000000% (110 / 100), E -2.222222% (97.777778 / 100:
    the dollar's fall takes more than the pool's gain), H +8.888889% before its fee and
    +8.000000% after it (108 / 100). The pool's own return is its value linked at every entry
    (in dollars, the hedge's gain included): 1,222,500.00 / 1,100,000.00 - 1 = 11.136364%; a
    mean of the three prices would have moved with each subscription."""
    pool, api, _ = _launch(world)
    _march(api, pool)

    def performance() -> dict[str, Any]:
        r = api.client.get(
            f"/api/v1/pools/{pool}/performance?as_of=2025-03-31", headers=api.headers("manager")
        )
        assert r.status_code == 200, r.get_json()
        return dict(r.get_json())

    before = performance()
    assert before["method"] == "linked_valuations" and before["nav_per_unit"] is None
    assert abs(before["twr"] - (1222500 / 1100000 - 1)) < 1e-12
    by_class = {c["class_id"]: c for c in before["share_classes"]}
    assert {k: (c["currency"], c["nav_per_unit"]) for k, c in by_class.items()} == {
        "A": ("USD", "110.000000"),
        "E": ("EUR", "97.777778"),
        "H": ("EUR", "108.888889"),
    }
    assert abs(by_class["A"]["twr"] - 0.1) < 1e-15
    assert abs(by_class["E"]["twr"] - (97.777778 / 100 - 1)) < 1e-12
    assert by_class["A"]["twr_annualised"] is None  # under a year: not annualised (GIPS)
    fee = _deal(api, pool, type="performance_fee", share_class="H", effective_date="2025-03-31")
    assert fee.status_code == 201, fee.get_json()
    after = {c["class_id"]: c for c in performance()["share_classes"]}
    assert after["H"]["nav_per_unit"] == "108.000000" and abs(after["H"]["twr"] - 0.08) < 1e-12
