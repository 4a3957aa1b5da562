"""Performance of a pool with share classes and of each class, on SQLite and MariaDB.

A USD pool with two classes and no management fee: R (retail) launched at 100.000000 with a
20% performance fee, P (professional) launched at 1,000.000000, ten times dearer
(docs/business-logic.md, "Performance from the books", share classes). Checked by hand:

* 2 January 2025: X pays 100,000.00 into R (1,000 units), Y 100,000.00 into P (100 units).
* 31 March: valued at 220,000.00 (+10%, shared by value: 10,000.00 each): R 110.000000, P
  1,100.000000. R's fee: 20% x (110 - 100) x 1,000 = 2,000.00, R 108.000000; the pool is
  valued again at 218,000.00 (forward pricing) and Z pays 220,000.00 into P at 1,100.000000
  (200 units). NAV / all units would have jumped from
  218,000 / 1,100 = 198.18 to 438,000 / 1,300 = 336.92 with no gain or loss.
* 30 June: valued at 394,200.00 (-10%: X -10,800.00, Y -11,000.00, Z -22,000.00): R
  97.200000, P 990.000000. X redeems 500 units at 97.200000: 48,600.00 (no fee: below the
  108.000000 its units were reset to).
* 30 September: valued at 380,160.00 (+10%): R 53,460.00 / 500 = 106.920000, P 326,700.00
  / 300 = 1,089.000000.

Pool (value linked at every entry): 1.1 x 218,000/220,000 x 0.9 x 1.1 - 1 = 7.91%; R
106.92 / 100 - 1 = 6.92%; P 1,089 / 1,000 - 1 = 8.9%. R's holders paid 100,000.00, received
48,600.00 and hold 53,460.00: TVPI 1.0206, DPI 0.486, RVPI 0.5346, IRR 3.3316%; P's paid
320,000.00 and hold 326,700.00: TVPI = RVPI 1.0209375, DPI 0, IRR 3.6569%."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest

from backend.composition.container import Container
from tests.integration.pools_support import Api, World, make_world, open_pool
from tests.integration.test_share_classes_api import _deal, _post, _subscribe_each

# Every test here runs in process and again with the report service behind gRPC (returns and
# ratios as doubles, workbooks as bytes, refusals as the same errors).
pytestmark = pytest.mark.over_grpc("reports")

CLASSES: list[dict[str, Any]] = [
    {"class_id": "R", "name": "Retail", "performance_fee_rate": "0.2", "initial_nav_per_unit": "100"},
    {"class_id": "P", "name": "Professional", "initial_nav_per_unit": "1000"},
]
EXACT = 1e-12


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.get_json()
    return dict(response.get_json())


def _value(api: Api, pool: int, on: str, nav: str) -> None:
    _ok(_post(api, pool, "valuations", {"as_of": on, "net_asset_value": nav}))


def _invest(api: Api, pool: int, amount: str, on: str) -> None:
    """The cash into the portfolio, whose value the valuations then give (at cost: no return)."""
    _ok(_deal(api, pool, type="purchase", investment="Portfolio", amount=amount, effective_date=on))


def _launch(world: World) -> tuple[int, Api, dict[str, int]]:
    """To 31 March, R's fee included, before Z's subscription."""
    body = open_pool(performance_fee=None, minimum_subscription="0.00", share_classes=CLASSES)
    pool, api = world.container.pools.create_pool(world.manager, body).id, Api(world)
    who = {
        "X": world.investor_profile(world.investor, name="Xenia Retail"),
        "Y": world.investor_profile(world.other_investor, name="Yard Partners"),
        "Z": world.named_investor("Zeta Family"),
    }
    _subscribe_each(api, pool, [(who["X"], "R", "100000.00"), (who["Y"], "P", "100000.00")], "2025-01-02")
    _invest(api, pool, "200000.00", "2025-01-02")
    _value(api, pool, "2025-03-31", "220000.00")
    fee = _ok(_deal(api, pool, type="performance_fee", share_class="R", effective_date="2025-03-31"))
    assert fee["details"]["nav_per_unit_after"] == "108.000000", fee["details"]
    _value(api, pool, "2025-03-31", "218000.00")  # forward pricing: deals after the fee need a price
    return pool, api, who


def _z_subscribes(api: Api, pool: int, who: dict[str, int]) -> None:
    (z,) = _subscribe_each(api, pool, [(who["Z"], "P", "220000.00")], "2025-03-31")
    assert (z["nav_per_unit"], z["units"]) == ("1100.000000", "200.000000")
    _invest(api, pool, "160000.00", "2025-03-31")  # cash kept for the redemption in June


def _to_september(world: World) -> tuple[int, Api, dict[str, int]]:
    pool, api, who = _launch(world)
    _z_subscribes(api, pool, who)
    _value(api, pool, "2025-06-30", "394200.00")
    out = _ok(
        _deal(api, pool, type="redemption", investor_id=who["X"], units="500", effective_date="2025-06-30")
    )
    assert out["details"]["proceeds"] == "48600.00", out["details"]
    _value(api, pool, "2025-09-30", "380160.00")
    return pool, api, who


def _performance(api: Api, pool: int, as_of: str) -> dict[str, Any]:
    return _ok(
        api.client.get(f"/api/v1/pools/{pool}/performance?as_of={as_of}", headers=api.headers("manager"))
    )


def _xirr(flows: list[tuple[date, float]]) -> float:
    """By bisection, act/365F: independent of the platform's solver."""

    def npv(rate: float) -> float:
        return float(sum(a / (1 + rate) ** ((d - flows[0][0]).days / 365) for d, a in flows))

    low, high = -0.99, 10.0
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if npv(mid) > 0 else (low, mid)
    return (low + high) / 2


def test_a_subscription_into_a_class_ten_times_dearer_leaves_the_pool_return(world: World) -> None:
    """As of 31 March the pool's return is the value linked at every entry, 220,000 / 200,000
    x 218,000 / 220,000 - 1 = 9%, before and after Z's 220,000.00 into P at 1,100 (which
    would have moved NAV / all units from 198.18 to 336.92); the pool has no NAV per unit."""
    pool, api, who = _launch(world)
    before = _performance(api, pool, "2025-03-31")
    _z_subscribes(api, pool, who)
    after = _performance(api, pool, "2025-03-31")
    for report in (before, after):
        assert report["method"] == "linked_valuations" and report["nav_per_unit"] is None
        assert abs(report["twr"] - (218000 / 200000 - 1)) < EXACT
    assert after["twr"] == before["twr"]
    assert {c["class_id"]: c["units"] for c in after["share_classes"]} == {
        "R": "1000.000000",
        "P": "300.000000",
    }


def test_each_class_is_measured_on_its_own_price_and_its_holders_money(world: World) -> None:
    pool, api, _ = _to_september(world)
    report = _performance(api, pool, "2025-09-30")
    assert abs(report["twr"] - (1.1 * 218000 / 220000 * 0.9 * 1.1 - 1)) < EXACT
    assert report["twr"] == report["periods"][-1]["cumulative"]  # SI: one index
    by_class = {c["class_id"]: c for c in report["share_classes"]}
    r, p = by_class["R"], by_class["P"]
    assert (r["units"], r["net_asset_value"], r["nav_per_unit"]) == ("500.000000", "53460.00", "106.920000")
    assert (p["units"], p["net_asset_value"], p["nav_per_unit"]) == ("300.000000", "326700.00", "1089.000000")
    assert abs(r["twr"] - (106.92 / 100 - 1)) < EXACT and abs(p["twr"] - (1089 / 1000 - 1)) < EXACT
    assert r["twr_annualised"] is None  # 271 days: not annualised
    periods = {x["name"]: x for x in r["periods"]}
    assert abs(periods["QTD"]["cumulative"] - (106.92 / 97.2 - 1)) < EXACT
    assert abs(periods["SI"]["cumulative"] - r["twr"]) < EXACT and periods["SI"]["start"] == "2025-01-01"
    assert periods["YTD"]["partial"] and periods["1Y"]["cumulative"] is None
    mr, mp = r["money_weighted"], p["money_weighted"]
    assert (mr["paid_in"], mr["received"], mr["value"]) == ("100000.00", "48600.00", "53460.00")
    assert (mr["tvpi"], mr["dpi"], mr["rvpi"]) == pytest.approx((1.0206, 0.486, 0.5346), abs=EXACT)
    assert (mp["paid_in"], mp["received"], mp["value"]) == ("320000.00", "0", "326700.00")
    assert (mp["tvpi"], mp["dpi"]) == pytest.approx((1.0209375, 0.0), abs=EXACT)
    r_flows = [(date(2025, 1, 2), -100000.0), (date(2025, 6, 30), 48600.0), (date(2025, 9, 30), 53460.0)]
    p_flows = [(date(2025, 1, 2), -100000.0), (date(2025, 3, 31), -220000.0), (date(2025, 9, 30), 326700.0)]
    assert mr["irr"] == pytest.approx(_xirr(r_flows), abs=1e-9) == pytest.approx(0.0333159, abs=1e-7)
    assert mp["irr"] == pytest.approx(_xirr(p_flows), abs=1e-9) == pytest.approx(0.0365689, abs=1e-7)


def test_the_nav_history_gives_each_class_its_price(world: World) -> None:
    pool, api, _ = _to_september(world)
    history = _ok(
        api.client.get(
            f"/api/v1/pools/{pool}/nav-history?start=2025-01-01&end=2025-09-30&frequency=monthly",
            headers=api.headers("manager"),
        )
    )
    assert [(c["class_id"], c["currency"]) for c in history["share_classes"]] == [("R", "USD"), ("P", "USD")]
    by_date = {p["date"]: p for p in history["points"]}
    assert all(p["nav_per_unit"] is None for p in history["points"])
    assert by_date["2025-01-31"]["class_nav_per_unit"] == {"R": "100.000000", "P": "1000.000000"}
    assert by_date["2025-03-31"]["class_nav_per_unit"] == {"R": "108.000000", "P": "1100.000000"}
    assert by_date["2025-06-30"]["class_nav_per_unit"] == {"R": "97.200000", "P": "990.000000"}
    assert by_date["2025-09-30"]["class_nav_per_unit"] == {"R": "106.920000", "P": "1089.000000"}
    assert by_date["2025-09-30"]["index"] == pytest.approx(1.0791, abs=EXACT)


def test_the_nav_history_export_gives_each_class_its_own_rows(world: World) -> None:
    """The CSV an analyst downloads has each class's price on rows of its own, after the
    pool's row of the date, with the pool's figures left empty there (a sum over the column
    never mixes a class's price with the pool's)."""
    pool, api, _ = _to_september(world)
    answer = api.client.get(
        f"/api/v1/exports/nav-history.csv?pool_id={pool}&start=2025-01-01&end=2025-09-30&frequency=monthly",
        headers=api.headers("manager"),
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    june = [r for r in rows if r["date"] == "2025-06-30"]
    assert [(r["share_class"], r["class_currency"], r["class_nav_per_unit"]) for r in june] == [
        ("", "", ""),
        ("R", "USD", "97.200000"),
        ("P", "USD", "990.000000"),
    ]
    assert june[0]["net_asset_value"] != "" and june[1]["net_asset_value"] == june[2]["net_asset_value"] == ""
    assert len(rows) == 9 * 3  # nine month-ends, each a pool row and two class rows


def test_an_investor_sees_its_own_class_price_and_returns_not_its_holders(world: World) -> None:
    """Y shares P with Z alone: Y's report gives P's price and returns, never P's units, net
    assets or flows (they would give Z's position away), and nothing of R."""
    pool, api, who = _to_september(world)
    got = _ok(
        api.client.get(
            f"/api/v1/investors/{who['Y']}/performance?as_of=2025-09-30",
            headers=api.headers("other_investor"),
        )
    )
    (line,) = got["pools"]
    held = line["share_class"]
    assert set(held) == {"class_id", "name", "currency", "nav_per_unit", "periods", "prices"}
    assert (held["class_id"], held["nav_per_unit"]) == ("P", "1089.000000")
    assert [(x["date"], x["nav_per_unit"]) for x in held["prices"]] == [
        ("2025-03-31", "1100.000000"),
        ("2025-06-30", "990.000000"),
        ("2025-09-30", "1089.000000"),
    ]
    si = {x["name"]: x for x in held["periods"]}["SI"]
    assert abs(si["cumulative"] - 0.089) < EXACT
    assert abs(line["twr"] - 0.089) < EXACT  # Y held all along: its own return is its class's
    x_line = _ok(
        api.client.get(
            f"/api/v1/investors/{who['X']}/performance?as_of=2025-09-30", headers=api.headers("investor")
        )
    )["pools"][0]
    first = x_line["share_class"]["prices"][0]
    assert (first["date"], first["nav_per_unit"]) == ("2025-03-31", "108.000000")
    refused = api.client.get(f"/api/v1/pools/{pool}/performance", headers=api.headers("other_investor"))
    assert refused.status_code == 404
