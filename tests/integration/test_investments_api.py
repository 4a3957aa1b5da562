"""A pool's portfolio investments, deal by deal, on SQLite and MariaDB: purchases and sales
name the investment; a sale sells no more than that investment's cost still held (one by
one and within a batch); the pool's managers and analysts read the portfolio; a reversal
takes its entry out."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from backend.composition.container import Container
from tests.integration.pools_support import Api, World, closed_pool, make_world, problem_fields

pytestmark = pytest.mark.over_grpc("transactions")


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


class Fund:
    def __init__(self, world: World) -> None:
        self.world, c, m = world, world.container, world.manager
        self.id = c.pools.create_pool(m, closed_pool(base_currency="USD", inception_date="2021-01-01")).id
        a = world.investor_profile(world.investor, name="Investor A")
        world.commit(self.id, a, "300000.00")
        self.api = Api(world)
        self.post(
            f"/pools/{self.id}/capital-calls",
            {"amount": "300000.00", "due_date": "2021-01-01", "effective_date": "2021-01-01"},
        )
        self.tx(type="contribution", investor_id=a, amount="300000.00", effective_date="2021-01-01")

    def post(self, path: str, body: dict[str, Any]) -> Any:
        headers = {**self.api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
        return self.api.client.post(f"/api/v1{path}", headers=headers, json=body)

    def tx(self, **fields: Any) -> Any:
        answer = self.post(f"/pools/{self.id}/transactions", fields)
        return answer

    def portfolio(self, who: str = "manager") -> Any:
        return self.api.call("GET", who, f"/pools/{self.id}/investments")


def test_investments_are_tracked_deal_by_deal(world: World) -> None:
    """Acme bought for 100,000 and Beta for 150,000; half of Acme (cost 50,000) sold for
    90,000, then the rest for 40,000: Acme cost 100,000, sold 100,000, held 0, proceeds
    130,000, realised 30,000; Beta held 150,000. Selling 150,000.01 of Beta is refused
    naming the cost, as is a sale of an investment never bought; a purchase named nothing is
    no investment."""
    fund = Fund(world)
    for name, amount in (("Acme Robotics", "100000.00"), ("Beta Foods", "150000.00")):
        assert (
            fund.tx(type="purchase", amount=amount, investment=name, effective_date="2021-02-01").status_code
            == 201
        )
    fund.tx(type="purchase", amount="10000.00", effective_date="2021-02-01")
    sold = fund.tx(
        type="sale",
        amount="90000.00",
        cost="50000.00",
        investment=" Acme Robotics ",
        effective_date="2022-01-10",
    )
    assert sold.status_code == 201, sold.get_json()
    assert sold.get_json()["details"]["investment"] == "Acme Robotics"
    fund.tx(
        type="sale",
        amount="40000.00",
        cost="50000.00",
        investment="Acme Robotics",
        effective_date="2022-06-30",
    )

    too_much = fund.tx(
        type="sale", amount="1.00", cost="150000.01", investment="Beta Foods", effective_date="2022-07-01"
    )
    assert too_much.status_code == 422 and problem_fields(too_much) == ["cost"], too_much.get_json()
    unknown = fund.tx(
        type="sale", amount="1.00", cost="1.00", investment="Gamma", effective_date="2022-07-01"
    )
    assert unknown.status_code == 422 and problem_fields(unknown) == ["investment"]
    misplaced = fund.tx(type="income", amount="1.00", investment="Beta Foods", effective_date="2022-07-01")
    assert misplaced.status_code == 422 and problem_fields(misplaced) == ["investment"]

    book = {i["name"]: i for i in fund.portfolio().get_json()}
    assert list(book) == ["Acme Robotics", "Beta Foods"]
    acme = book["Acme Robotics"]
    assert (acme["cost"], acme["cost_sold"], acme["cost_held"], acme["proceeds"], acme["realised_gain"]) == (
        "100000.00",
        "100000.00",
        "0.00",
        "130000.00",
        "30000.00",
    )
    assert (acme["first_bought"], acme["last_sold"]) == ("2021-02-01", "2022-06-30")
    assert book["Beta Foods"]["cost_held"] == "150000.00" and book["Beta Foods"]["last_sold"] is None
    assert fund.portfolio("analyst").status_code == 404  # not granted this pool
    assert fund.portfolio("investor").status_code == 404  # investors read their own holdings
    assert world.container.ledger.verify(fund.id).ok


def test_a_batch_sells_against_what_its_earlier_rows_bought(world: World) -> None:
    fund = Fund(world)
    rows = [
        {"type": "purchase", "amount": "60000.00", "investment": "Acme", "effective_date": "2021-02-01"},
        {
            "type": "sale",
            "amount": "70000.00",
            "cost": "60000.00",
            "investment": "Acme",
            "effective_date": "2021-03-01",
        },
        {
            "type": "sale",
            "amount": "1.00",
            "cost": "0.01",
            "investment": "Acme",
            "effective_date": "2021-03-02",
        },
    ]
    refused = fund.post(f"/pools/{fund.id}/transactions/batch", {"transactions": rows})
    assert refused.status_code == 422, refused.get_json()
    assert "cost" in refused.get_data(as_text=True)
    assert fund.portfolio().get_json() == []  # nothing half-written
    accepted = fund.post(f"/pools/{fund.id}/transactions/batch", {"transactions": rows[:2]})
    assert accepted.status_code in (200, 201), accepted.get_json()
    (acme,) = fund.portfolio().get_json()
    assert (acme["cost_held"], acme["realised_gain"]) == ("0.00", "10000.00")
