"""Recallable distributions, through the transaction service and the REST API on SQLite and
MariaDB: capital returned by a distribution flagged recallable adds back to the unfunded
commitment, and a later capital call may draw it again; nothing else may."""

from __future__ import annotations

import uuid
from datetime import date
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
    """A closed-ended USD pool; investor A committed 100,000.00, all called and paid on
    1 January 2021, invested and sold at cost on 30 June 2021: 100,000.00 in cash."""

    def __init__(self, world: World) -> None:
        self.world, c, m = world, world.container, world.manager
        self.id = c.pools.create_pool(m, closed_pool(base_currency="USD", inception_date="2021-01-01")).id
        self.a = world.investor_profile(world.investor, name="Investor A")
        world.commit(self.id, self.a, "100000.00")
        self.call("100000.00", "2021-01-01")
        self.tx(type="contribution", investor_id=self.a, amount="100000.00", effective_date="2021-01-01")
        self.tx(type="purchase", amount="100000.00", effective_date="2021-01-01")
        self.tx(type="sale", amount="100000.00", cost="100000.00", effective_date="2021-06-30")
        self.api = Api(world)

    def tx(self, **fields: Any) -> Any:
        return self.world.container.transactions.record(
            self.world.manager, self.id, TransactionRequest.model_validate(fields), str(uuid.uuid4())
        )

    def call(self, amount: str, on: str) -> Any:
        return self.world.container.transactions.capital_call(
            self.world.manager,
            self.id,
            CapitalCallRequest(
                amount=D(amount), due_date=date.fromisoformat(on), effective_date=date.fromisoformat(on)
            ),
            str(uuid.uuid4()),
        )

    def post(self, path: str, body: dict[str, Any]) -> Any:
        headers = {**self.api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
        return self.api.client.post(f"/api/v1{path}", headers=headers, json=body)

    def distribute(self, amount: str, on: str, **extra: Any) -> Any:
        body = {"amount": amount, "effective_date": on, "mode": "waterfall", **extra}
        return self.post(f"/pools/{self.id}/distributions", body)

    def unfunded(self) -> tuple[str, str, str]:
        positions = self.api.call("GET", "manager", f"/pools/{self.id}/positions").get_json()["positions"]
        mine = next(p for p in positions if p["investor_id"] == self.a)
        return mine["called"], mine["recallable"], mine["unfunded_commitment"]


def test_recallable_capital_can_be_called_again(world: World) -> None:
    """40,000.00 distributed as recallable return of capital: called 100,000.00, recallable
    40,000.00, unfunded 40,000.00. A call of 40,000.01 is refused naming the amount; one of
    40,000.00 is taken, and unfunded is 0 again. The investor's participation agrees."""
    fund = Fund(world)
    answer = fund.distribute("40000.00", "2021-07-01", recallable=True)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["details"]["recallable"] == {str(fund.a): "40000.00"}
    assert fund.unfunded() == ("100000.00", "40000.00", "40000.00")
    participation = world.container.investors.participation(world.investor, fund.a, fund.id)
    assert participation.unfunded == D("40000.00")

    too_much = fund.post(
        f"/pools/{fund.id}/capital-calls",
        {"amount": "40000.01", "due_date": "2021-08-01", "effective_date": "2021-08-01"},
    )
    assert too_much.status_code == 422 and problem_fields(too_much) == ["amount"]
    again = fund.call("40000.00", "2021-08-01")
    assert again.details["allocation"] == {str(fund.a): "40000.00"}
    assert again.details["recallable_before"] == {str(fund.a): "40000.00"}
    assert fund.unfunded() == ("140000.00", "40000.00", "0.00")
    assert world.container.ledger.verify(fund.id).ok


def test_a_distribution_not_flagged_recallable_restores_nothing(world: World) -> None:
    fund = Fund(world)
    assert fund.distribute("40000.00", "2021-07-01").status_code == 201
    assert fund.unfunded() == ("100000.00", "0.00", "0.00")
    refused = fund.post(
        f"/pools/{fund.id}/capital-calls",
        {"amount": "0.01", "due_date": "2021-08-01", "effective_date": "2021-08-01"},
    )
    assert refused.status_code == 422 and problem_fields(refused) == ["amount"]


def test_recallable_is_refused_where_it_means_nothing(world: World) -> None:
    fund = Fund(world)
    loose = fund.distribute("40000.00", "2021-07-01", recallable="yes")
    assert loose.status_code == 422 and problem_fields(loose) == ["recallable"]
    open_id = world.container.pools.create_pool(world.manager, open_pool()).id
    answer = fund.post(
        f"/pools/{open_id}/distributions",
        {"amount": "1.00", "effective_date": "2025-01-02", "mode": "pro_rata", "recallable": True},
    )
    assert answer.status_code == 422 and "recallable" in problem_fields(answer), answer.get_json()
    assert fund.unfunded() == ("100000.00", "0.00", "0.00")
