"""Waterfall distributions per investor, end to end through the transaction service and the
REST API, on SQLite and MariaDB (audit finding 2).

Return of capital goes to each investor by what is still unreturned to them, so an investor
who paid in late is not short-changed by one whose capital was already returned, and no
capital account is taken below zero. Every scenario posts its entries in date order.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from ledger.interface import (
    CapitalCallRequest,
    DistributionMode,
    DistributionRequest,
    TransactionRequest,
    ValuationRequest,
)
from tests.integration.pools_support import (
    Api,
    World,
    closed_pool,
    make_world,
)

D = Decimal


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


class Pool:
    """A closed-ended pool (8% compounded, full catch-up, 20% carry) and its investors."""

    def __init__(self, world: World, commitments: dict[str, str], **pool_settings: Any) -> None:
        self.world = world
        c, m = world.container, world.manager
        self.id = c.pools.create_pool(m, closed_pool(base_currency="USD", **pool_settings)).id
        users = [world.investor, world.other_investor]
        self.investors: dict[str, int] = {}
        for (name, amount), user in zip(commitments.items(), users, strict=False):
            self.investors[name] = world.investor_profile(user, name=f"Investor {name}")
            world.commit(self.id, self.investors[name], amount)

    def tx(self, **fields: Any) -> None:
        self.world.container.transactions.record(
            self.world.manager, self.id, TransactionRequest.model_validate(fields), key()
        )

    def call(self, amount: str, on: str) -> dict[str, str]:
        entry = self.world.container.transactions.capital_call(
            self.world.manager,
            self.id,
            CapitalCallRequest(
                amount=D(amount), due_date=date.fromisoformat(on), effective_date=date.fromisoformat(on)
            ),
            key(),
        )
        return {name: entry.details["allocation"].get(str(i), "0.00") for name, i in self.investors.items()}

    def pay(self, name: str, amount: str, on: str) -> None:
        self.tx(type="contribution", investor_id=self.investors[name], amount=amount, effective_date=on)

    def distribute(self, amount: str, on: str) -> dict[str, dict[str, str]]:
        shares: dict[str, dict[str, str]] = self.distribution(amount, on)["investors"]
        return {name: shares[str(i)] for name, i in self.investors.items() if str(i) in shares}

    def distribution(self, amount: str, on: str) -> dict[str, Any]:
        entry = self.world.container.transactions.distribute(
            self.world.manager,
            self.id,
            DistributionRequest(
                amount=D(amount), effective_date=date.fromisoformat(on), mode=DistributionMode.WATERFALL
            ),
            key(),
        )
        return entry.details

    def capital(self) -> dict[str, Decimal]:
        positions = self.world.container.transactions.pool_positions(self.world.manager, self.id).positions
        by_id = {p.investor_id: p.value for p in positions}
        return {name: by_id[i] for name, i in self.investors.items()}

    def verify(self) -> None:
        assert self.world.container.ledger.verify(self.id).ok


def roc(shares: dict[str, dict[str, str]]) -> dict[str, str]:
    return {name: share["return_of_capital"] for name, share in shares.items()}


def test_late_payer_gets_their_capital_back_audit_scenario(world: World) -> None:
    """Audit finding 2: A and B commit 100,000 each; 100,000 is called (50,000 each); A pays
    on 20 Jan; 50,000 distributed on 31 Mar returns A's 50,000; B pays on 30 Jun; 50,000
    distributed on 31 Dec (through the REST API) returns B's 50,000, A gets nothing (it used
    to be 25,000 each: A 75,000 back on 50,000 paid in, capital account -25,000). Both
    capital accounts end at exactly zero."""
    pool = Pool(world, {"A": "100000.00", "B": "100000.00"})
    assert pool.call("100000.00", "2025-01-15") == {"A": "50000.00", "B": "50000.00"}
    pool.pay("A", "50000.00", "2025-01-20")
    assert roc(pool.distribute("50000.00", "2025-03-31")) == {"A": "50000.00"}
    assert pool.capital() == {"A": 0, "B": D(50_000)}  # B's is called, not yet paid
    pool.pay("B", "50000.00", "2025-06-30")

    api = Api(world)
    body = {"amount": "50000.00", "effective_date": "2025-12-31", "mode": "waterfall"}
    response = api.client.post(
        f"/api/v1/pools/{pool.id}/distributions",
        json=body,
        headers={**api.headers("manager"), "Idempotency-Key": key()},
    )
    assert response.status_code == 201, response.get_json()
    details = response.get_json()["details"]
    a, b = str(pool.investors["A"]), str(pool.investors["B"])
    assert (details["investors"][a]["return_of_capital"], details["investors"][b]["return_of_capital"]) == (
        "0.00",
        "50000.00",
    )
    assert (details["investors"][a]["total"], details["investors"][b]["total"]) == ("0.00", "50000.00")
    assert details["tiers"]["return_of_capital"] == {"lp": "50000.00", "gp": "0.00"}
    assert pool.capital() == {"A": 0, "B": 0}
    positions = {
        p.investor_id: p
        for p in world.container.transactions.pool_positions(world.manager, pool.id).positions
    }
    assert (positions[int(a)].distributed, positions[int(b)].distributed) == (D(50_000), D(50_000))
    pool.verify()


def test_unequal_commitments_variant(world: World) -> None:
    """A commits 150,000 and B 50,000; 200,000 is called; A pays 150,000 on 20 Jan and gets
    60,000 back on 31 Mar; B pays 50,000 on 30 Jun; of 140,000 on 31 Dec A is still owed
    90,000 and B 50,000, so that is the split (contributed capital 3:1 would have given
    A 105,000, B 35,000). Both capital accounts end at zero."""
    pool = Pool(world, {"A": "150000.00", "B": "50000.00"})
    assert pool.call("200000.00", "2025-01-15") == {"A": "150000.00", "B": "50000.00"}
    pool.pay("A", "150000.00", "2025-01-20")
    assert roc(pool.distribute("60000.00", "2025-03-31")) == {"A": "60000.00"}
    pool.pay("B", "50000.00", "2025-06-30")
    assert roc(pool.distribute("140000.00", "2025-12-31")) == {"A": "90000.00", "B": "50000.00"}
    assert pool.capital() == {"A": 0, "B": 0}
    pool.verify()


def test_partial_distributions_go_by_what_is_unreturned(world: World) -> None:
    """A and B commit 100,000 each; 200,000 is called. A pays 100,000 on 20 Jan and gets
    40,000 back on 31 Mar. B pays 100,000 on 30 Apr. 80,000 on 30 Jun: A is owed 60,000 and
    B 100,000, so A 30,000 and B 50,000 (3:5; it used to be 40,000 each). 80,000 on 31 Dec:
    A is owed 30,000 and B 50,000: exactly that. Capital accounts end at zero."""
    pool = Pool(world, {"A": "100000.00", "B": "100000.00"})
    pool.call("200000.00", "2025-01-15")
    pool.pay("A", "100000.00", "2025-01-20")
    assert roc(pool.distribute("40000.00", "2025-03-31")) == {"A": "40000.00"}
    pool.pay("B", "100000.00", "2025-04-30")
    assert roc(pool.distribute("80000.00", "2025-06-30")) == {"A": "30000.00", "B": "50000.00"}
    assert pool.capital() == {"A": D(30_000), "B": D(50_000)}
    assert roc(pool.distribute("80000.00", "2025-12-31")) == {"A": "30000.00", "B": "50000.00"}
    assert pool.capital() == {"A": 0, "B": 0}
    pool.verify()


def test_profitable_liquidation_pays_pref_on_own_dates_and_closes_the_accounts(world: World) -> None:
    """A and B commit 100,000 each; 100,000 is called; A pays 50,000 on 20 Jan 2025, B on
    30 Jun 2025; invested; valued at 130,000 and all distributed on 30 Nov 2026.
    Pref on each one's own dates: A 7,696.22, B 5,770.47 (it used to be 6,733.35 / 6,733.34);
    catch-up 3,366.67 and carry 2,633.33 to the GP (6,000.00, 20% of the profit); A and B
    each receive 62,000.00, and
    both capital accounts end at exactly zero (docs worked example, also in
    tests/unit/ledger/test_waterfall_per_investor.py)."""
    pool = Pool(world, {"A": "100000.00", "B": "100000.00"})
    pool.call("100000.00", "2025-01-15")
    pool.pay("A", "50000.00", "2025-01-20")
    pool.pay("B", "50000.00", "2025-06-30")
    pool.tx(type="purchase", amount="100000.00", effective_date="2025-06-30")
    world.container.transactions.record_valuation(
        world.manager,
        pool.id,
        ValuationRequest(as_of=date(2026, 11, 30), net_asset_value=D(130_000)),
        key(),
    )
    pool.tx(type="sale", amount="130000.00", cost="130000.00", effective_date="2026-11-30")
    shares = pool.distribute("130000.00", "2026-11-30")
    assert {name: s["preferred_return"] for name, s in shares.items()} == {"A": "7696.22", "B": "5770.47"}
    assert {name: s["total"] for name, s in shares.items()} == {"A": "62000.00", "B": "62000.00"}
    assert {name: s["gp_share_borne"] for name, s in shares.items()} == {"A": "3000.00", "B": "3000.00"}
    assert pool.capital() == {"A": 0, "B": 0}
    pool.verify()


def test_gp_gets_its_carry_to_the_cent_under_the_pools_day_count(world: World) -> None:
    """The issue's example on a pool whose preferred return counts whole years: 100,000.00
    paid in on 1 January 2020, 200,000.00 distributed on 1 January 2025. Five whole years:
    pref 100,000 x (1.08^5 - 1) = 46,932.81 (ACT/365F would count 1,827/365 years:
    46,994.78); catch-up 11,733.20; the GP has 20% of the 100,000.00 profit to the cent,
    20,000.00, and the LP 180,000.00. The entry records the terms it was worked by."""
    waterfall = {
        "preferred_return_rate": "0.08",
        "catch_up_rate": "1",
        "carried_interest_rate": "0.2",
        "day_count": "Whole years",
    }
    pool = Pool(world, {"A": "100000.00"}, inception_date="2020-01-01", waterfall=waterfall)
    pool.call("100000.00", "2020-01-01")
    pool.pay("A", "100000.00", "2020-01-01")
    pool.tx(type="purchase", amount="100000.00", effective_date="2020-01-01")
    pool.tx(type="sale", amount="200000.00", cost="100000.00", effective_date="2025-01-01")
    details = pool.distribution("200000.00", "2025-01-01")
    assert details["tiers"] == {
        "return_of_capital": {"lp": "100000.00", "gp": "0.00"},
        "preferred_return": {"lp": "46932.81", "gp": "0.00"},
        "catch_up": {"lp": "0.00", "gp": "11733.20"},
        "carried_interest": {"lp": "33067.19", "gp": "8266.80"},
    }
    assert (details["gp_total"], details["lp_total"]) == ("20000.00", "180000.00")
    assert details["terms"]["day_count"] == "Whole years"
    assert (details["gp_entitlement_to_date"], details["profit_distributed_to_date"]) == (
        "20000.00",
        "100000.00",
    )
    assert pool.capital() == {"A": 0}
    pool.verify()
