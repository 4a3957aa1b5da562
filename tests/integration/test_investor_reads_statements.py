"""What an investor's own reads cost the database, the reads the investor dashboard is drawn
from: their holdings, their performance and a page of their entries, for an investor in
three pools, on SQLite and MariaDB.

Each budget is today's count, like the write path's (tests/integration/
test_write_path_statements.py, whose counter this uses): a change that adds a statement
fails here and says why in the same commit; one that removes some lowers the budget. The
pools' terms in particular are read once for all of the investor's pools, not once a pool.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from backend.pools.schemas import PoolCreate
from ledger.interface import TransactionRequest
from tests.integration.pools_support import World, make_world, open_pool
from tests.integration.test_write_path_statements import counting

POOLS = 3

BUDGET = {
    # backend: {read: statements} for an investor in POOLS pools (the reads see the test's
    # savepoints on both backends, left out of the count). Holdings: the investor (profile,
    # KYC), their pools, the pools' terms with their managers (one statement), then a pool
    # each its balances, ledger version (the flows' cache key) and commitments.
    # Performance: the investor, their pools, the terms with managers, and the pools' ledger
    # versions (their figures' cache keys), read together. A page of entries: the investor
    # and their pools (may they read this one), the entries with their workings, the lines
    # they may read, the lines.
    "mariadb": {"holdings": 13, "performance": 5, "entries": 5},
    "sqlite": {"holdings": 13, "performance": 5, "entries": 5},
}
"""Before terms_of_pools, holdings read 21 statements and performance 12 (each pool's terms
and managers apart); then holdings 17 until they stopped reading each pool's ledger version
for an answer that does not carry it, and performance 8 until its pools' versions were read
in one statement; then 14 and 6 until the pools' terms and managers were one statement, not
two. Before the workings came with their entries, a page read 6."""


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _invested(world: World) -> tuple[int, list[int]]:
    """The world's investor, subscribed to POOLS open-ended pools at their launch."""
    investor = world.investor_profile(world.investor)
    pools: list[int] = []
    for n in range(POOLS):
        terms: PoolCreate = open_pool(name=f"Reads {n}", minimum_subscription="0.00")
        pool = world.container.pools.create_pool(world.manager, terms).id
        request = TransactionRequest.model_validate(
            {
                "type": "subscription",
                "investor_id": investor,
                "amount": "1000.00",
                "effective_date": date(2025, 1, 2),
            }
        )
        world.container.transactions.record(world.manager, pool, request, f"reads-{pool}")
        pools.append(pool)
    return investor, pools


def _measure(read: str, backend_name: str, work: Callable[[], Any]) -> list[str]:
    work()  # the first call compiles its statements and fills the aggregate cache
    with counting() as count:
        work()
    budget = BUDGET[backend_name][read]
    said = f"{read} on {backend_name}: {count.data_statements} statements"
    assert count.data_statements <= budget, f"{said}, over budget {budget}: {count.statements}"
    assert count.data_statements == budget, f"{said}: lower BUDGET: {count.statements}"
    return count.statements


def test_an_investors_own_reads(world: World, backend_name: str) -> None:
    investor, pools = _invested(world)
    c = world.container
    held = c.transactions.holdings(world.investor, investor)
    assert [(h.pool_id, h.contributed) for h in held] == [(p, Decimal("1000.00")) for p in pools]

    statements = _measure("holdings", backend_name, lambda: c.transactions.holdings(world.investor, investor))
    assert sum(s.startswith("SELECT pools.") for s in statements) == 1, statements  # terms, once

    # The versions the performance's cache keys are read with, together (0: no entries yet).
    missing = max(pools) + 1000
    assert c.ledger.ledger_versions([*pools, missing]) == {**dict.fromkeys(pools, 1), missing: 0}
    statements = _measure(
        "performance",
        backend_name,
        lambda: c.reports.investor_performance(world.investor, investor, as_of=date(2025, 6, 30)),
    )
    assert sum(s.startswith("SELECT pools.") for s in statements) == 1, statements

    page = c.transactions.list_transactions(world.investor, pools[0])
    assert [e.entry_type.value for e in page.entries] == ["subscription"]
    assert page.entries[0].details["investor_id"] == investor  # the workings come with the entry
    _measure("entries", backend_name, lambda: c.transactions.list_transactions(world.investor, pools[0]))
