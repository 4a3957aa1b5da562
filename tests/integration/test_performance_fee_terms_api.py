"""The performance fee's conventions as terms of an open-ended pool, on SQLite and MariaDB: a
hard or a soft hurdle (with or without a catch-up) and the crystallisation schedule, applied by
the books' performance fee entry and shown in its workings.

The figures are AnalystForum's published hard-versus-soft example (docs/business-logic.md
section 10), scaled by 1,000 and posted."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from tests.integration.pools_support import Api, World, make_world, open_pool, problem_fields

D = Decimal


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _pool(world: World, valued_on: str = "2025-12-31", **fee: Any) -> tuple[Api, int]:
    """1,000,000.00 subscribed at 1.00 on 31 December 2024; worth 1,110,000.00 a year later
    (11%); 20% over a 5% hurdle, with a high-water mark."""
    terms = {"rate": "0.2", "high_water_mark": True, "hurdle_rate": "0.05", **fee}
    body = open_pool(inception_date="2024-12-31", minimum_subscription="0.00", performance_fee=terms)
    pool = world.container.pools.create_pool(world.manager, body).id
    investor = world.investor_profile(world.investor)
    api = Api(world)
    _post(
        api,
        pool,
        "transactions",
        {
            "type": "subscription",
            "investor_id": investor,
            "amount": "1000000.00",
            "effective_date": "2024-12-31",
        },
    )
    _post(api, pool, "valuations", {"as_of": valued_on, "net_asset_value": "1110000.00"})
    return api, pool


def _post(api: Api, pool: int, what: str, body: dict[str, Any]) -> Any:
    headers = {**api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
    answer = api.client.post(f"/api/v1/pools/{pool}/{what}", headers=headers, json=body)
    assert answer.status_code in (201, 422), answer.get_json()
    return answer


def _fee(api: Api, pool: int, on: str = "2025-12-31") -> Any:
    return _post(api, pool, "transactions", {"type": "performance_fee", "effective_date": on})


@pytest.mark.parametrize(
    ("terms", "fee"),
    [
        ({"hurdle": "hard"}, "12000.00"),  # 20% x (1.11 - 1.05) x 1,000,000: AnalystForum's 12
        ({"hurdle": "soft"}, "22000.00"),  # 20% x the whole 0.11: AnalystForum's 22
        ({"hurdle": "soft", "catch_up_rate": "1"}, "22000.00"),  # caught up: min(60,000, 22,000)
        ({"hurdle": "soft", "catch_up_rate": "0.25"}, "15000.00"),  # COMPUTED: 25% x 60,000
    ],
)
def test_the_hurdle_is_hard_or_soft_as_the_terms_say_analystforum(
    world: World, terms: dict[str, Any], fee: str
) -> None:
    api, pool = _pool(world, **terms)
    answer = _fee(api, pool)
    assert answer.status_code == 201, answer.get_json()
    details = answer.get_json()["details"]
    assert details["amount"] == fee and details["hurdle"] == terms["hurdle"]
    assert details.get("catch_up_rate") == terms.get("catch_up_rate")
    after = (D("1110000.00") - D(fee)) / D(1000000)
    assert D(details["high_water_mark_after"]) == after.quantize(D("0.000001"))
    assert world.container.ledger.verify(pool).ok


def test_the_fee_crystallises_only_on_the_terms_schedule(world: World) -> None:
    api, pool = _pool(world, valued_on="2025-11-28", hurdle="hard", crystallisation="annually")
    early = _fee(api, pool, "2025-11-28")  # November's last weekday: a month's end, not the year's
    assert early.status_code == 422 and problem_fields(early) == ["effective_date"]
    assert "crystallises annually" in early.get_json()["detail"]
    manual = _post(
        api,
        pool,
        "transactions",
        {"type": "performance_fee", "amount": "100.00", "effective_date": "2025-11-28"},
    )
    # A figure typed in does not move the schedule either.
    assert manual.status_code == 422 and "crystallises annually" in manual.get_json()["detail"]
    _post(api, pool, "valuations", {"as_of": "2025-12-31", "net_asset_value": "1110000.00"})
    on_time = _fee(api, pool)
    assert on_time.status_code == 201 and on_time.get_json()["details"]["crystallisation"] == "annually"
    shown = api.call("GET", "manager", f"/pools/{pool}").get_json()["performance_fee"]
    assert (shown["hurdle"], shown["crystallisation"], shown["catch_up_rate"]) == ("hard", "annually", None)


@pytest.mark.parametrize(
    ("fee", "field"),
    [
        ({"rate": "0.2", "hurdle": "hard", "catch_up_rate": "1"}, "performance_fee.catch_up_rate"),
        ({"rate": "0.2", "hurdle": "soft", "catch_up_rate": "0.1"}, "performance_fee.catch_up_rate"),
        ({"rate": "0.2", "hurdle": "soft", "catch_up_rate": "1.5"}, "performance_fee.catch_up_rate"),
        ({"rate": "0.2", "crystallisation": "weekly"}, "performance_fee.crystallisation"),
        ({"rate": "0.2", "hurdle": "medium"}, "performance_fee.hurdle"),
    ],
)
def test_terms_that_mean_nothing_are_refused(world: World, fee: dict[str, Any], field: str) -> None:
    body = open_pool(performance_fee=None).model_dump(mode="json") | {"performance_fee": fee}
    answer = Api(world).call("POST", "manager", "/pools", body)
    assert answer.status_code == 422 and problem_fields(answer) == [field], answer.get_json()


@pytest.mark.parametrize(
    ("basis", "fee"), [("gross_of_management_fee", "2.00"), ("net_of_management_fee", "1.16")]
)
def test_the_gain_is_gross_or_net_of_the_management_fee_ift(world: World, basis: str, fee: str) -> None:
    """Reference case ``fee_hwm_ift`` (IFT, Concept 97 Hedge Fund Fees), posted: 200 units at
    1.00 (HWM 200), worth 210 before fees a year later; the mark accrues 2% on it, 4.20.
    Gross of the management fee, 20% of the gain over the HWM is 20% x 10 = 2.00 (published;
    total fees 6.20). Net of it (COMPUTED): 20% x (205.80 - 200) = 1.16. Either way the HWM
    moves to the NAV per unit after all fees."""
    terms = {"rate": "0.2", "high_water_mark": True, "gain_basis": basis}
    body = open_pool(
        inception_date="2025-01-01",
        minimum_subscription="0.00",
        management_fee={"rate": "0.02", "basis": "nav"},
        performance_fee=terms,
    )
    pool = world.container.pools.create_pool(world.manager, body).id
    investor = world.investor_profile(world.investor)
    api = Api(world)
    deal = {
        "type": "subscription",
        "investor_id": investor,
        "amount": "200.00",
        "effective_date": "2025-01-01",
    }
    _post(api, pool, "transactions", deal)
    mark = _post(api, pool, "valuations", {"as_of": "2025-12-31", "net_asset_value": "210.00"}).get_json()
    assert mark["entry"]["details"]["management_fee"]["amount"] == "4.20"
    answer = _fee(api, pool)
    assert answer.status_code == 201, answer.get_json()
    details = answer.get_json()["details"]
    assert (details["amount"], details["gain_basis"]) == (fee, basis)
    assert details.get("management_fee_added_back") == ("4.20" if basis.startswith("gross") else None)
    after = (D("205.80") - D(fee)) / 200
    assert D(details["high_water_mark_after"]) == after.quantize(D("0.000001"))


def test_a_batch_adds_back_the_fee_its_own_mark_accrued(world: World) -> None:
    """The same as the IFT example, the mark and the fee in one batch: the fee the mark row
    accrued is added back for the performance fee row after it (2.00)."""
    terms = {"rate": "0.2", "high_water_mark": True, "gain_basis": "gross_of_management_fee"}
    body = open_pool(
        inception_date="2025-01-01",
        minimum_subscription="0.00",
        management_fee={"rate": "0.02", "basis": "nav"},
        performance_fee=terms,
    )
    pool = world.container.pools.create_pool(world.manager, body).id
    investor = world.investor_profile(world.investor)
    rows = [
        {"type": "subscription", "investor_id": investor, "amount": "200.00", "effective_date": "2025-01-01"},
        {"type": "valuation", "amount": "210.00", "effective_date": "2025-12-31"},
        {"type": "performance_fee", "effective_date": "2025-12-31"},
    ]
    api = Api(world)
    batch = _post(api, pool, "transactions/batch", {"transactions": rows})
    assert batch.status_code == 201, batch.get_json()
    fees = api.call("GET", "manager", f"/pools/{pool}/transactions?type=performance_fee").get_json()
    (entry,) = fees["entries"]
    assert (entry["details"]["amount"], entry["details"]["management_fee_added_back"]) == ("2.00", "4.20")
