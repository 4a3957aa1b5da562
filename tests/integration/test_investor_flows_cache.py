"""Each investor's money in a pool (contributed, distributed, fees, called, overdue) is read
from every standing entry of the pool, so it is kept in the aggregate cache under the pool's
ledger version: asked again it is not worked out again, and the next entry is seen at once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backend.composition.container import Container
from backend.platform.aggregate_cache import REQUESTS
from ledger.interface import TransactionRequest
from ledger.investor_flows import dumped_flows, loaded_flows
from tests.integration.pools_support import World, make_world, open_pool


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _subscribe(world: World, pool: int, investor: int, amount: str, key: str) -> None:
    request = {
        "type": "subscription",
        "investor_id": investor,
        "amount": amount,
        "effective_date": "2025-01-02",
    }
    world.container.transactions.record(world.manager, pool, TransactionRequest.model_validate(request), key)


def _contributed(world: World, pool: int) -> dict[int, Decimal]:
    positions = world.container.transactions.pool_positions(world.manager, pool).positions
    return {p.investor_id: p.contributed for p in positions}


def test_flows_come_from_the_cache_until_the_next_entry(world: World) -> None:
    pool = world.container.pools.create_pool(world.manager, open_pool()).id
    ana, bo = world.named_investor("Ana"), world.named_investor("Bo")
    _subscribe(world, pool, ana, "10000.00", "flows-1")
    hits = REQUESTS.labels("investor_flows", "hit")
    misses = REQUESTS.labels("investor_flows", "miss")
    before_hits, before_misses = hits._value.get(), misses._value.get()

    assert _contributed(world, pool) == {ana: Decimal("10000.00")}
    assert _contributed(world, pool) == {ana: Decimal("10000.00")}
    assert (hits._value.get() - before_hits, misses._value.get() - before_misses) == (1, 1)

    _subscribe(world, pool, bo, "12500.50", "flows-2")
    assert _contributed(world, pool) == {ana: Decimal("10000.00"), bo: Decimal("12500.50")}
    assert misses._value.get() - before_misses == 2


def test_flows_travel_through_the_cache_exactly() -> None:
    flows = {
        "contributed": {7: Decimal("12345678901234.56"), 8: Decimal("0.01")},
        "overdue": {7: Decimal("-0.10")},
    }
    back = loaded_flows(dumped_flows(flows))
    assert back == flows
    assert [str(v) for v in back["contributed"].values()] == ["12345678901234.56", "0.01"]
    assert str(back["overdue"][7]) == "-0.10"
