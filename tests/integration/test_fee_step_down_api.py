"""A management fee on commitments that steps down to invested capital at the end of the
investment period, through the REST API on SQLite and MariaDB."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from backend.composition.container import Container
from tests.integration.pools_support import Api, World, closed_pool, make_world, problem_fields


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


FEE = {
    "rate": "0.02",
    "basis": "committed",
    "day_count": "30/360",
    "step_down_on": "2025-04-01",
    "step_down_rate": "0.015",
}


class Fund:
    """A closed-ended EUR pool, 10,000,000 committed, 7,000,000 called (invested)."""

    def __init__(self, world: World, investor: int) -> None:
        self.world, c, m = world, world.container, world.manager
        body = closed_pool(inception_date="2025-01-01", management_fee=FEE)
        self.id = c.pools.create_pool(m, body).id
        world.commit(self.id, investor, "10000000.00")
        self.api = Api(world)
        self.post(
            f"/pools/{self.id}/capital-calls",
            {"amount": "7000000.00", "due_date": "2025-01-01", "effective_date": "2025-01-01"},
        )

    def post(self, path: str, body: dict[str, Any]) -> Any:
        headers = {**self.api.headers("manager"), "Idempotency-Key": str(uuid.uuid4())}
        answer = self.api.client.post(f"/api/v1{path}", headers=headers, json=body)
        return answer

    def fee(self, first: str, last: str) -> Any:
        body = {"type": "management_fee", "period_start": first, "period_end": last, "effective_date": last}
        return self.post(f"/pools/{self.id}/transactions", body)


def test_the_fee_steps_down_to_invested_capital_gildi_example(world: World) -> None:
    """Gildi's documentation (published): EUR 10m committed at 2% a year is 50,000 a
    quarter; after the step-down, EUR 7m invested at 1.5% is 26,250 a quarter (30/360). A
    period straddling the switch (1 March to 30 April) is 16,666.666... + 8,750 =
    25,416.67, rounded once; the entry shows its workings."""
    investor = world.investor_profile(world.investor, name="Investor A")
    fund = Fund(world, investor)
    first = fund.fee("2025-01-01", "2025-03-31")
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["details"]["amount"] == "50000.00"
    assert "step_down" not in first.get_json()["details"]
    second = fund.fee("2025-04-01", "2025-06-30").get_json()["details"]
    assert second["amount"] == "26250.00"
    assert (second["step_down"]["days_on_commitments"], second["step_down"]["invested"]) == (0, "7000000.00")

    other = Fund(world, investor)
    straddling = other.fee("2025-03-01", "2025-04-30").get_json()["details"]
    assert straddling["amount"] == "25416.67"
    assert straddling["step_down"] == {
        "on": "2025-04-01",
        "days_on_commitments": 31,
        "days_on_invested": 30,
        "committed": "10000000.00",
        "invested": "7000000.00",
        "rate_after": "0.015",
    }
    pool = other.api.call("GET", "manager", f"/pools/{other.id}").get_json()
    assert (pool["management_fee"]["step_down_on"], pool["management_fee"]["step_down_rate"]) == (
        "2025-04-01",
        "0.015",
    )


@pytest.mark.parametrize(
    ("fee", "field"),
    [
        ({"rate": "0.02", "basis": "invested", "step_down_on": "2025-04-01"}, "management_fee.step_down_on"),
        ({"rate": "0.02", "basis": "committed", "step_down_on": "2024-12-31"}, "management_fee.step_down_on"),
        ({"rate": "0.02", "basis": "committed", "step_down_rate": "0.01"}, "management_fee.step_down_on"),
        (
            {"rate": "0.02", "basis": "committed", "step_down_on": "2026-01-01", "step_down_rate": "1.5"},
            "management_fee.step_down_rate",
        ),
    ],
)
def test_a_step_down_that_means_nothing_is_refused(world: World, fee: dict[str, Any], field: str) -> None:
    api = Api(world)
    body = closed_pool(inception_date="2025-01-01", management_fee=fee).model_dump(mode="json")
    answer = api.call("POST", "manager", "/pools", body)
    assert answer.status_code == 422 and problem_fields(answer) == [field], answer.get_json()
