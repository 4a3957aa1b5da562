"""Deemed contributions, on SQLite and MariaDB: where the terms allow it, a distribution first
pays what each investor owes on capital calls; that part is a contribution of the day (the
call is settled, in the books and in the payment requests) and only the rest is paid out.
Docs: business-logic.md section 19, "In the books"."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from ledger.interface import CapitalCallRequest, TransactionRequest
from tests.integration.pools_support import Api, World, closed_pool, make_world, open_pool, problem_fields

D = Decimal


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


class Fund:
    """A and B commit 100,000.00 each (USD, 8% simple, full catch-up, 20% carry). 50,000 is
    called and paid on 1 January 2021; 20,000 is called on 1 January 2022, which A pays and B
    does not; 40,000.00 of income on 2 January 2022."""

    def __init__(self, world: World) -> None:
        self.world, c, m = world, world.container, world.manager
        waterfall = {
            "preferred_return_rate": "0.08",
            "catch_up_rate": "1",
            "carried_interest_rate": "0.2",
            "compounding": "simple",
        }
        body = closed_pool(
            base_currency="USD", inception_date="2021-01-01", management_fee=None, waterfall=waterfall
        )
        self.id = c.pools.create_pool(m, body).id
        self.a = world.investor_profile(world.investor, name="Investor A")
        self.b = world.investor_profile(world.other_investor, name="Investor B")
        for investor in (self.a, self.b):
            world.commit(self.id, investor, "100000.00")
        self.call("50000.00", "2021-01-01")
        self.tx(type="contribution", investor_id=self.a, amount="25000.00", effective_date="2021-01-01")
        self.tx(type="contribution", investor_id=self.b, amount="25000.00", effective_date="2021-01-01")
        self.call("20000.00", "2022-01-01")
        self.tx(type="contribution", investor_id=self.a, amount="10000.00", effective_date="2022-01-01")
        self.tx(type="income", amount="40000.00", effective_date="2022-01-02")
        self.api = Api(world)

    def call(self, amount: str, on: str) -> None:
        body = {"amount": amount, "due_date": on, "effective_date": on}
        self.world.container.transactions.capital_call(
            self.world.manager, self.id, CapitalCallRequest.model_validate(body), str(uuid.uuid4())
        )

    def tx(self, **fields: Any) -> Any:
        return self.world.container.transactions.record(
            self.world.manager, self.id, TransactionRequest.model_validate(fields), str(uuid.uuid4())
        )

    def distribute(self, body: dict[str, Any], pool: int | None = None) -> Any:
        headers = {**self.api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
        path = f"/api/v1/pools/{pool or self.id}/distributions"
        return self.api.client.post(path, headers=headers, json=body)


def test_a_distribution_pays_the_unpaid_call_first_and_only_the_rest_in_cash(world: World) -> None:
    """COMPUTED: 30,000.00 distributed on 30 June 2022 is all return of capital, split by what
    each has paid in (A 35,000, B 25,000): A 17,500.00, B 12,500.00. B owes 10,000.00 on the
    second call, so 10,000.00 of its share is a deemed contribution: its call is settled, it
    is paid 2,500.00, and 20,000.00 leaves the pool in cash."""
    fund = Fund(world)
    c = world.container
    answer = fund.distribute(
        {
            "amount": "30000.00",
            "effective_date": "2022-06-30",
            "mode": "waterfall",
            "deemed_contribution": True,
        }
    )
    assert answer.status_code == 201, answer.get_json()
    details = answer.get_json()["details"]
    b_total = D(details["investors"][str(fund.b)]["total"])
    assert {k: v["total"] for k, v in details["investors"].items()} == {
        str(fund.a): "17500.00",
        str(fund.b): "12500.00",
    }
    assert details["deemed_contributions"] == {str(fund.b): "10000.00"}
    assert details["cash_paid"] == "20000.00"
    balances = c.ledger.balances(fund.id)
    assert balances.get(f"call_receivable/{fund.b}", D(0)) == 0
    assert balances["cash"] == D("100000.00") - D("20000.00")
    positions = {p.investor_id: p for p in c.transactions.pool_positions(world.manager, fund.id).positions}
    assert (positions[fund.b].contributed, positions[fund.b].overdue) == (D("35000.00"), D(0))
    # The payment request for B's second call is settled on the books rail; B is paid only the rest.
    requests = c.payments.list_requests(world.other_investor)
    second = next(r for r in requests if r.amount_due == D("10000.00"))
    assert second.status.value == "paid"
    payouts = {p.investor_id: p.amount for p in c.payments.list_payouts(world.manager, pool_id=fund.id)}
    assert payouts[fund.b] == b_total - D("10000.00")
    assert world.container.ledger.verify(fund.id).ok


def test_without_the_flag_or_with_nothing_owed_nothing_is_deemed(world: World) -> None:
    fund = Fund(world)
    plain = fund.distribute({"amount": "1000.00", "effective_date": "2022-06-30", "mode": "waterfall"})
    assert plain.status_code == 201 and "deemed_contributions" not in plain.get_json()["details"]
    fund.tx(type="contribution", investor_id=fund.b, amount="10000.00", effective_date="2022-07-01")
    nobody = fund.distribute(
        {
            "amount": "1000.00",
            "effective_date": "2022-07-01",
            "mode": "waterfall",
            "deemed_contribution": True,
        }
    )
    assert nobody.status_code == 422 and problem_fields(nobody) == ["deemed_contribution"]
    openended = world.container.pools.create_pool(world.manager, open_pool()).id
    wrong = fund.distribute(
        {"amount": "1.00", "effective_date": "2025-02-01", "mode": "pro_rata", "deemed_contribution": True},
        pool=openended,
    )
    assert wrong.status_code == 422 and problem_fields(wrong) == ["deemed_contribution"], wrong.get_json()


def test_the_portal_preview_says_what_pays_calls_and_what_is_paid_in_cash(world: World) -> None:
    from tests.integration.test_portal_manager import _act, _client

    fund = Fund(world)
    fields = {
        "amount": "30000.00",
        "mode": "waterfall",
        "effective_date": "2022-06-30",
        "recallable": "false",
        "deemed_contribution": "true",
        "memo": "",
    }
    preview = _act(_client(world), "distribution", fields, pool_id=fund.id)
    assert (
        "Deemed contributions: $10,000.00" in preview["panel"]
        and "$20,000.00 is paid out" in preview["panel"]
    )
