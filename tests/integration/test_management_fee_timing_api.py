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


def test_a_fee_on_nav_in_advance_is_on_the_beginning_nav_and_marks_accrue_none(world: World) -> None:
    """1,000,000.00 subscribed on 2 January and marked at 1,100,000.00 on 31 March; the fee
    for Q2 charged in advance on 1 April is on the NAV then, 1,100,000.00: 2% x 91/365 =
    5,484.93. The mark accrued no fee (in arrears it would have accrued Q1's)."""
    fee = {"rate": "0.02", "basis": "nav", "timing": "in_advance"}
    c, m = world.container, world.manager
    pool = c.pools.create_pool(m, open_pool(management_fee=fee, performance_fee=None)).id
    investor = world.named_investor("Quay Family Office")
    subscription = {"type": "subscription", "investor_id": investor, "amount": "1000000.00"}
    c.transactions.record(
        m, pool, TransactionRequest.model_validate(subscription | {"effective_date": "2025-01-02"}), "s1"
    )
    mark = ValuationRequest.model_validate({"as_of": "2025-03-31", "net_asset_value": "1100000.00"})
    marked = c.transactions.record_valuation(m, pool, mark, str(uuid.uuid4()))
    assert "management_fee" not in marked.entry.details and marked.net_asset_value == D("1100000.00")
    q2 = _fee(
        Api(world), pool, effective_date="2025-04-01", period_start="2025-04-01", period_end="2025-06-30"
    )
    assert q2.status_code == 201, q2.get_json()
    details = q2.get_json()["details"]
    assert (details["basis_amount"], details["amount"]) == ("1100000.00", "5484.93")
