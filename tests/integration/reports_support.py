"""Small pool histories for the report tests, built through the transaction service (no tests here).

Every history is posted in date order, and in an open-ended pool that has units out every
deal is preceded by a valuation for its own date (forward pricing: the deal is struck at
that valuation's NAV per unit; a valuation that changes nothing is still recorded).
Launch-day deals into an empty pool need none.

Open-ended (USD, launch price 1.00): A subscribes 1,000,000 on 2 Jan 2025; month-end
valuations put the NAV per unit at 1.02, 1.05, 0.9975, 1.05 and 1.10; B subscribes 210,000
at 1.05 on 15 Mar; A redeems 100,000 units at 1.05 on 15 May (both dates valued first, at
the NAV the books already show).

Closed-ended (EUR): A commits 100,000 and B 50,000; 30,000 is called on 15 Jan and paid on
20 Jan (20,000 / 10,000) and invested; valued at 36,000 on 30 Jun; 12,000 of investments is
sold at cost and distributed through the waterfall on 30 Sep (all return of capital:
8,000 / 4,000); valued at 27,000 on 31 Dec.

Distributing (finding 10): A subscribes 1,000,000 on 2 Jan 2025; income of 100,000 and a
pro-rata distribution of 100,000 on 31 Mar.

Carry (findings 11-13; EUR, 8% compounded, full catch-up, 20% carry): A commits and pays
100 on 1 Jan 2025, invested; valued at 300 on 31 Dec 2025; 120 sold and distributed on
1 Jan 2026, 100 on 1 Jul 2026.

Exit (finding 14): A subscribes 1,000,000 and B 100,000 on 2 Jan 2025, invested; valued at
1,205,000 on 30 Jun, when 12,000 is sold and distributed pro rata (A 10,909.09); on 30 Sep
A redeems all 1,000,000 units at 1.084545 for 1,084,545.00.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from backend.pools.interface import PoolCreate
from ledger.interface import (
    CapitalCallRequest,
    DistributionMode,
    DistributionRequest,
    TransactionRequest,
    ValuationRequest,
)
from tests.integration.pools_support import World, closed_pool, open_pool

D = Decimal


def key() -> str:
    return str(uuid.uuid4())


def tx(**fields: Any) -> TransactionRequest:
    return TransactionRequest.model_validate(fields)


@dataclass
class Built:
    pool: int
    a: int
    b: int


def value(world: World, pool: int, on: str, nav: str) -> None:
    world.container.transactions.record_valuation(
        world.manager, pool, ValuationRequest(as_of=date.fromisoformat(on), net_asset_value=D(nav)), key()
    )


def _fee_free_open_pool() -> PoolCreate:
    """The report scenarios' open-ended pool: no fee terms, so the figures are the market's."""
    return open_pool(minimum_subscription="0.00", performance_fee=None, management_fee=None)


def build_open(world: World, a: int | None = None, b: int | None = None) -> Built:
    c, m = world.container, world.manager
    pool = c.pools.create_pool(m, _fee_free_open_pool()).id
    a = a or world.investor_profile(world.investor)
    b = b or world.investor_profile(world.other_investor, name="Bo Other")
    t = c.transactions
    t.record(
        m,
        pool,
        tx(type="subscription", investor_id=a, amount="1000000.00", effective_date="2025-01-02"),
        key(),
    )
    t.record(m, pool, tx(type="purchase", amount="1000000.00", effective_date="2025-01-02"), key())
    value(world, pool, "2025-01-31", "1020000.00")
    value(world, pool, "2025-02-28", "1050000.00")
    value(world, pool, "2025-03-15", "1050000.00")  # the dealing date's NAV per unit: 1.05
    t.record(
        m,
        pool,
        tx(type="subscription", investor_id=b, amount="210000.00", effective_date="2025-03-15"),
        key(),
    )
    value(world, pool, "2025-03-31", "1197000.00")
    value(world, pool, "2025-04-30", "1260000.00")
    value(world, pool, "2025-05-15", "1260000.00")
    t.record(
        m, pool, tx(type="redemption", investor_id=a, units="100000", effective_date="2025-05-15"), key()
    )
    value(world, pool, "2025-06-30", "1210000.00")
    return Built(pool, a, b)


def build_closed(world: World, a: int | None = None, b: int | None = None, *, currency: str = "EUR") -> Built:
    c, m = world.container, world.manager
    pool = c.pools.create_pool(m, closed_pool(base_currency=currency)).id
    a = a or world.investor_profile(world.investor)
    b = b or world.investor_profile(world.other_investor, name="Bo Other")
    world.commit(pool, a, "100000.00")
    world.commit(pool, b, "50000.00")
    t = c.transactions
    t.capital_call(
        m,
        pool,
        CapitalCallRequest(amount=D(30000), due_date=date(2025, 1, 20), effective_date=date(2025, 1, 15)),
        key(),
    )
    t.record(
        m, pool, tx(type="contribution", investor_id=a, amount="20000.00", effective_date="2025-01-20"), key()
    )
    t.record(
        m, pool, tx(type="contribution", investor_id=b, amount="10000.00", effective_date="2025-01-20"), key()
    )
    t.record(m, pool, tx(type="purchase", amount="30000.00", effective_date="2025-01-20"), key())
    value(world, pool, "2025-06-30", "36000.00")
    t.record(m, pool, tx(type="sale", amount="12000.00", effective_date="2025-09-30"), key())
    t.distribute(
        m,
        pool,
        DistributionRequest(
            amount=D(12000), effective_date=date(2025, 9, 30), mode=DistributionMode.WATERFALL
        ),
        key(),
    )
    value(world, pool, "2025-12-31", "27000.00")
    return Built(pool, a, b)


def build_distributing(world: World, a: int | None = None) -> Built:
    c, m = world.container, world.manager
    pool = c.pools.create_pool(m, _fee_free_open_pool()).id
    a = a or world.investor_profile(world.investor)
    t = c.transactions
    t.record(
        m,
        pool,
        tx(type="subscription", investor_id=a, amount="1000000.00", effective_date="2025-01-02"),
        key(),
    )
    t.record(m, pool, tx(type="income", amount="100000.00", effective_date="2025-03-31"), key())
    t.distribute(
        m,
        pool,
        DistributionRequest(
            amount=D(100000), effective_date=date(2025, 3, 31), mode=DistributionMode.PRO_RATA
        ),
        key(),
    )
    return Built(pool, a, 0)


def build_carry(world: World, a: int | None = None, *, distributions: bool = True) -> Built:
    c, m = world.container, world.manager
    pool = c.pools.create_pool(m, closed_pool(management_fee=None)).id
    a = a or world.investor_profile(world.investor)
    world.commit(pool, a, "100.00")
    t = c.transactions
    t.capital_call(
        m,
        pool,
        CapitalCallRequest(amount=D(100), due_date=date(2025, 1, 1), effective_date=date(2025, 1, 1)),
        key(),
    )
    t.record(
        m, pool, tx(type="contribution", investor_id=a, amount="100.00", effective_date="2025-01-01"), key()
    )
    t.record(m, pool, tx(type="purchase", amount="100.00", effective_date="2025-01-01"), key())
    value(world, pool, "2025-12-31", "300.00")
    built = Built(pool, a, 0)
    if distributions:
        distribute_carry(world, built)
    return built


def distribute_carry(world: World, built: Built) -> None:
    """The carry pool's two distributions, 120 on 1 Jan 2026 and 100 on 1 Jul 2026."""
    t, m, pool = world.container.transactions, world.manager, built.pool
    for on, amount in (("2026-01-01", "120.00"), ("2026-07-01", "100.00")):
        t.record(m, pool, tx(type="sale", amount=amount, effective_date=on), key())
        t.distribute(
            m,
            pool,
            DistributionRequest(
                amount=D(amount), effective_date=date.fromisoformat(on), mode=DistributionMode.WATERFALL
            ),
            key(),
        )


def build_exit(world: World, a: int | None = None, b: int | None = None) -> Built:
    c, m = world.container, world.manager
    pool = c.pools.create_pool(m, _fee_free_open_pool()).id
    a = a or world.investor_profile(world.investor)
    b = b or world.investor_profile(world.other_investor, name="Bo Other")
    t = c.transactions
    for investor, amount in ((a, "1000000.00"), (b, "100000.00")):
        t.record(
            m,
            pool,
            tx(type="subscription", investor_id=investor, amount=amount, effective_date="2025-01-02"),
            key(),
        )
    t.record(m, pool, tx(type="purchase", amount="1100000.00", effective_date="2025-01-02"), key())
    value(world, pool, "2025-06-30", "1205000.00")
    t.record(m, pool, tx(type="sale", amount="12000.00", effective_date="2025-06-30"), key())
    t.distribute(
        m,
        pool,
        DistributionRequest(
            amount=D(12000), effective_date=date(2025, 6, 30), mode=DistributionMode.PRO_RATA
        ),
        key(),
    )
    t.record(m, pool, tx(type="sale", amount="1084545.00", effective_date="2025-09-30"), key())
    value(world, pool, "2025-09-30", "1193000.00")  # unchanged: the price A's units are struck at
    t.record(
        m, pool, tx(type="redemption", investor_id=a, units="1000000", effective_date="2025-09-30"), key()
    )
    return Built(pool, a, b)
