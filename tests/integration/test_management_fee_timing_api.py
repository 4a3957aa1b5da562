"""Management fees charged in advance or in arrears, in the books, on SQLite and MariaDB.

In advance the fee for a period is charged at its start, on the figures known then; in
arrears at its end, on the figures then (docs/business-logic.md section 13, worked example
"in advance against in arrears", now posted). A pool charging on NAV in advance is charged
on the NAV at the start of the period (the beginning NAV), and its marks accrue nothing."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from ledger.interface import TransactionRequest, ValuationRequest
from tests.integration.pools_support import Api, World, closed_pool, make_world, open_pool, problem_fields

D = Decimal


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _pool(world: World, timing: str) -> tuple[int, Api]:
    fee = {"rate": "0.02", "basis": "committed", "timing": timing}
    pool = world.container.pools.create_pool(world.manager, closed_pool(management_fee=fee)).id
    world.commit(pool, world.named_investor("Eighty Capital"), "80000000.00")
    return pool, Api(world)


def _fee(api: Api, pool: int, **fields: Any) -> Any:
    headers = {**api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
    body = {"type": "management_fee", **fields}
    return api.client.post(f"/api/v1/pools/{pool}/transactions", headers=headers, json=body)


def test_in_advance_charges_the_commitments_at_the_start_in_arrears_those_at_the_end(world: World) -> None:
    """A later commitment raises the pool's commitments from 80,000,000 to 100,000,000 during
    Q1 2025 (90 days, ACT/365F, 2%). In advance the quarter is charged on 1 January on
    80,000,000: 394,520.55, and Q2 on 1 April on 100,000,000 for 91 days: 498,630.14. In
    arrears Q1 is charged on 31 March on 100,000,000: 493,150.68."""
    advance, api = _pool(world, "in_advance")
    q1 = _fee(api, advance, effective_date="2025-01-01", period_end="2025-03-31")
    assert q1.status_code == 201, q1.get_json()
    details = q1.get_json()["details"]
    assert (details["amount"], details["timing"]) == ("394520.55", "in_advance")
    assert (details["period_start"], details["period_end"], details["basis_amount"]) == (
        "2025-01-01",
        "2025-03-31",
        "80000000.00",
    )
    world.commit(advance, world.named_investor("Twenty Partners"), "20000000.00")
    q2 = _fee(api, advance, effective_date="2025-04-01", period_end="2025-06-30")
    assert q2.status_code == 201, q2.get_json()
    assert q2.get_json()["details"]["amount"] == "498630.14"

    arrears, _ = _pool(world, "in_arrears")
    world.commit(arrears, world.named_investor("Twenty More"), "20000000.00")
    q1 = _fee(api, arrears, effective_date="2025-03-31")
    assert q1.status_code == 201, q1.get_json()
    assert (q1.get_json()["details"]["amount"], q1.get_json()["details"]["timing"]) == (
        "493150.68",
        "in_arrears",
    )


def test_a_fee_in_advance_names_its_period_and_is_dated_at_its_start(world: World) -> None:
    pool, api = _pool(world, "in_advance")
    unnamed = _fee(api, pool, effective_date="2025-01-01")
    assert unnamed.status_code == 422 and problem_fields(unnamed) == ["period_end"], unnamed.get_json()
    late = _fee(api, pool, effective_date="2025-01-15", period_end="2025-03-31")
    assert late.status_code == 422 and problem_fields(late) == ["effective_date"], late.get_json()
    assert "in advance" in late.get_json()["detail"]
    # In arrears a period cannot end after the entry's date, as before.
    arrears, _ = _pool(world, "in_arrears")
    early = _fee(api, arrears, effective_date="2025-01-01", period_end="2025-03-31")
    assert early.status_code == 422 and problem_fields(early) == ["period_end"]
    assert world.container.ledger.balances(pool).get("fees_payable", D(0)) == 0


def _launched_on_nav(world: World, fee: dict[str, Any]) -> int:
    """An open-ended pool on these fee terms, 1,000,000.00 subscribed on 2 January 2025."""
    c, m = world.container, world.manager
    pool = c.pools.create_pool(m, open_pool(management_fee=fee, performance_fee=None)).id
    investor = world.named_investor("Quay Family Office")
    subscription = {"type": "subscription", "investor_id": investor, "amount": "1000000.00"}
    request = TransactionRequest.model_validate(subscription | {"effective_date": "2025-01-02"})
    c.transactions.record(m, pool, request, str(uuid.uuid4()))
    return pool


def test_a_fee_on_nav_in_advance_is_on_the_beginning_nav_and_marks_accrue_none(world: World) -> None:
    """1,000,000.00 subscribed on 2 January and marked at 1,100,000.00 on 31 March; the fee
    for Q2 charged in advance on 1 April is on the NAV then, 1,100,000.00: 2% x 91/365 =
    5,484.93. The mark accrued no fee (in arrears it would have accrued Q1's)."""
    c, m = world.container, world.manager
    pool = _launched_on_nav(world, {"rate": "0.02", "basis": "nav", "timing": "in_advance"})
    mark = ValuationRequest.model_validate({"as_of": "2025-03-31", "net_asset_value": "1100000.00"})
    marked = c.transactions.record_valuation(m, pool, mark, str(uuid.uuid4()))
    assert "management_fee" not in marked.entry.details and marked.net_asset_value == D("1100000.00")
    q2 = _fee(
        Api(world), pool, effective_date="2025-04-01", period_start="2025-04-01", period_end="2025-06-30"
    )
    assert q2.status_code == 201, q2.get_json()
    details = q2.get_json()["details"]
    assert (details["basis_amount"], details["amount"]) == ("1100000.00", "5484.93")


def _marked_fees(world: World, nav_point: str) -> list[dict[str, Any]]:
    """1,000,000.00 subscribed on 2 January 2025, marked at 1,100,000.00 on 31 March; 10,000.00
    of income on 15 May; marked at 1,200,000.00 on 30 June. 2% a year on NAV in arrears,
    accrued at each mark: the workings of the two marks' fees."""
    c, m = world.container, world.manager
    pool = _launched_on_nav(world, {"rate": "0.02", "basis": "nav", "nav_point": nav_point})
    fees = []
    for as_of, nav in (("2025-03-31", "1100000.00"), ("2025-06-30", "1200000.00")):
        if as_of == "2025-06-30":
            income = {"type": "income", "amount": "10000.00", "effective_date": "2025-05-15"}
            c.transactions.record(m, pool, TransactionRequest.model_validate(income), str(uuid.uuid4()))
        mark = ValuationRequest.model_validate({"as_of": as_of, "net_asset_value": nav})
        fees.append(
            c.transactions.record_valuation(m, pool, mark, str(uuid.uuid4())).entry.details["management_fee"]
        )
    return fees


def test_a_fee_on_nav_is_on_the_ending_beginning_or_average_nav_the_terms_name(world: World) -> None:
    """Worked example (checked by hand). Q1 (2 January to 31 March, 89 days): the beginning NAV
    is the launch's 1,000,000.00, the ending 1,100,000.00. Ending: 1,100,000.00 x 2% x 89/365
    = 5,364.38; beginning: 4,876.71; average (1,050,000.00): 5,120.55. Q2 (1 April to 30 June,
    91 days) begins at the close of 31 March, after Q1's fee; the 15 May income is the
    quarter's, not its beginning. Ending: 1,200,000.00 x 2% x 91/365 = 5,983.56; beginning
    (1,100,000.00 - 4,876.71 = 1,095,123.29): 5,460.61; average, from 1,094,879.45:
    average (1,094,879.45 + 1,200,000.00) / 2 = 1,147,439.725 x 2% x 91/365 = 5,721.48."""
    ending = _marked_fees(world, "ending")
    assert [f["amount"] for f in ending] == ["5364.38", "5983.56"]
    assert "nav_point" not in ending[0]
    beginning = _marked_fees(world, "beginning")
    assert [(f["amount"], f["beginning_nav"]) for f in beginning] == [
        ("4876.71", "1000000.00"),
        ("5460.61", "1095123.29"),
    ]
    average = _marked_fees(world, "average")
    assert [(f["basis_amount"], f["amount"]) for f in average] == [
        ("1050000.00", "5120.55"),
        ("1147439.725", "5721.48"),
    ]
    assert (average[1]["beginning_nav"], average[1]["ending_nav"], average[1]["nav_point"]) == (
        "1094879.45",
        "1200000.00",
        "average",
    )


def test_a_nav_point_is_only_for_a_fee_on_nav_and_in_advance_only_the_beginning(world: World) -> None:
    headers = Api(world).headers("manager")
    for fee, pool_kind, field in (
        (
            {"rate": "0.02", "basis": "committed", "nav_point": "average"},
            "closed",
            "management_fee.nav_point",
        ),
        (
            {"rate": "0.02", "basis": "nav", "timing": "in_advance", "nav_point": "average"},
            "open",
            "management_fee.nav_point",
        ),
    ):
        body = (closed_pool if pool_kind == "closed" else open_pool)(management_fee=fee).model_dump(
            mode="json"
        )
        if pool_kind == "open":
            body["performance_fee"] = None
        r = Api(world).client.post("/api/v1/pools", headers=headers, json=body)
        assert r.status_code == 422 and problem_fields(r) == [field], r.get_json()


def test_the_portal_preview_says_which_nav_the_marks_fee_is_on(world: World) -> None:
    from tests.integration.test_portal_manager import _act, _client

    pool = _launched_on_nav(world, {"rate": "0.02", "basis": "nav", "nav_point": "average"})
    fields = {"as_of": "2025-03-31", "net_asset_value": "1100000.00", "memo": ""}
    panel = _act(_client(world), "valuation", fields, pool_id=pool)["panel"]
    assert "on the average of $1,000,000.00 and $1,100,000.00" in panel and "$5,120.55" in panel, panel
