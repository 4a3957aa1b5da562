"""The report side of the shard-by-pool simulation: pools whose books are on two shard
databases (private mariadbd processes), written and reported on through per-shard services
(backend/composition/shard_router.py), give the report service's figures exactly as the same
books do on one database; a cross-shard list is assembled from each shard's answers; and a
pool moved to the other shard reports the same figures there as on its source."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from backend.composition.container import Container
from backend.composition.shard_router import ShardRouter
from backend.platform.cache import InProcessCache
from backend.platform.config import Settings
from ledger.interface import (
    CapitalCallRequest,
    DistributionMode,
    DistributionRequest,
    TransactionRequest,
    TransactionService,
    ValuationRequest,
)
from ledger.shards import move_pool
from tests.integration.pools_support import World, closed_pool, make_world, open_pool
from tests.integration.shards_support import Cluster, shard_cluster

pytestmark = [pytest.mark.replication, pytest.mark.xdist_group("replication")]

AS_OF = date(2025, 12, 31)
D = Decimal

Transactions = Callable[[int], TransactionService]
Place = Callable[[int, str], object]


@dataclass(frozen=True)
class Books:
    """Where a scenario writes: one world (its services, users, two investors), how a pool's
    transaction service is reached, and how a new pool is placed on a shard."""

    world: World
    a: int
    b: int
    transactions: Transactions
    place: Place


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with shard_cluster() as built:
        yield built


def _key() -> str:
    return str(uuid.uuid4())


def _tx(**fields: Any) -> TransactionRequest:
    return TransactionRequest.model_validate(fields)


def _value(world: World, t: TransactionService, pool: int, on: str, nav: str) -> None:
    request = ValuationRequest(as_of=date.fromisoformat(on), net_asset_value=D(nav))
    t.record_valuation(world.manager, pool, request, _key())


def _open_ended(books: Books, shard: str) -> int:
    """docs/business-logic.md's open-ended history (tests/integration/reports_support.py):
    subscriptions at 1.00 and 1.05, a redemption at 1.05, month-end valuations."""
    world, a, b, m = books.world, books.a, books.b, books.world.manager
    pool = world.container.pools.create_pool(
        m, open_pool(minimum_subscription="0.00", performance_fee=None)
    ).id
    books.place(pool, shard)
    t = books.transactions(pool)
    t.record(
        m,
        pool,
        _tx(type="subscription", investor_id=a, amount="1000000.00", effective_date="2025-01-02"),
        _key(),
    )
    t.record(m, pool, _tx(type="purchase", amount="1000000.00", effective_date="2025-01-02"), _key())
    _value(world, t, pool, "2025-01-31", "1020000.00")
    _value(world, t, pool, "2025-03-15", "1050000.00")
    t.record(
        m,
        pool,
        _tx(type="subscription", investor_id=b, amount="210000.00", effective_date="2025-03-15"),
        _key(),
    )
    _value(world, t, pool, "2025-03-31", "1197000.00")
    _value(world, t, pool, "2025-05-15", "1260000.00")
    t.record(
        m, pool, _tx(type="redemption", investor_id=a, units="100000", effective_date="2025-05-15"), _key()
    )
    _value(world, t, pool, "2025-06-30", "1210000.00")
    return pool


def _closed_ended(books: Books, shard: str) -> int:
    """A call, an investment, valuations and a waterfall distribution (EUR)."""
    world, a, b, m = books.world, books.a, books.b, books.world.manager
    pool = world.container.pools.create_pool(m, closed_pool()).id
    world.commit(pool, a, "100000.00")  # commitments: the investors service, global
    world.commit(pool, b, "50000.00")
    books.place(pool, shard)
    t = books.transactions(pool)
    call = CapitalCallRequest(amount=D(30000), due_date=date(2025, 1, 20), effective_date=date(2025, 1, 15))
    t.capital_call(m, pool, call, _key())
    t.record(
        m,
        pool,
        _tx(type="contribution", investor_id=a, amount="20000.00", effective_date="2025-01-20"),
        _key(),
    )
    t.record(
        m,
        pool,
        _tx(type="contribution", investor_id=b, amount="10000.00", effective_date="2025-01-20"),
        _key(),
    )
    t.record(m, pool, _tx(type="purchase", amount="30000.00", effective_date="2025-01-20"), _key())
    _value(world, t, pool, "2025-06-30", "36000.00")
    t.record(m, pool, _tx(type="sale", amount="12000.00", effective_date="2025-09-30"), _key())
    waterfall = DistributionRequest(
        amount=D(12000), effective_date=date(2025, 9, 30), mode=DistributionMode.WATERFALL
    )
    t.distribute(m, pool, waterfall, _key())
    _value(world, t, pool, "2025-12-31", "27000.00")
    return pool


def _distributing(books: Books, shard: str) -> int:
    """Income distributed pro rata out of an open-ended pool."""
    world, a, m = books.world, books.a, books.world.manager
    pool = world.container.pools.create_pool(
        m, open_pool(minimum_subscription="0.00", performance_fee=None)
    ).id
    books.place(pool, shard)
    t = books.transactions(pool)
    t.record(
        m,
        pool,
        _tx(type="subscription", investor_id=a, amount="1000000.00", effective_date="2025-01-02"),
        _key(),
    )
    t.record(m, pool, _tx(type="income", amount="100000.00", effective_date="2025-03-31"), _key())
    pro_rata = DistributionRequest(
        amount=D(100000), effective_date=date(2025, 3, 31), mode=DistributionMode.PRO_RATA
    )
    t.distribute(m, pool, pro_rata, _key())
    return pool


SCENARIOS = ((_open_ended, "a"), (_closed_ended, "b"), (_distributing, "a"))


def _build(world: World, transactions: Transactions, place: Place) -> list[int]:
    a = world.investor_profile(world.investor)
    b = world.investor_profile(world.other_investor, name="Bo Other")
    books = Books(world, a, b, transactions, place)
    return [scenario(books, shard) for scenario, shard in SCENARIOS]


def test_reports_on_two_shards_equal_one_database_and_follow_a_moved_pool(
    cluster: Cluster, settings: Settings
) -> None:
    # One database, as the platform runs today: everything in it, books included. On shard
    # a's server, so its ids come out as the global keyspace's do.
    single = Container(settings, db=cluster.migrated_database("single_database"), cache=InProcessCache())
    # The sharded platform: users, investors, pools and report tables in the global keyspace,
    # each pool's books on its shard through the router's per-shard services.
    platform = Container(settings, db=cluster.databases["global"], cache=InProcessCache())
    router = ShardRouter(platform, cluster.directory)
    alone, sharded = make_world(single), make_world(platform)

    pools = _build(alone, lambda _pool: single.transactions, lambda _pool, _shard: None)
    assert (
        _build(sharded, lambda pool: router.for_write(pool).transactions, cluster.directory.assign) == pools
    )
    assert [cluster.directory.placement(p).shard for p in pools] == ["a", "b", "a"]
    assert platform.ledger.ledger_version(pools[0]) == 0  # the global keyspace holds no books

    # Each pool's figures, computed from the books on its shard, equal one database's.
    compared = 0
    for pool in pools:
        on_shard = router.compute_pool_performance(pool, as_of=AS_OF)
        assert on_shard == single.reports.compute_pool_performance(pool, as_of=AS_OF, fresh=True)
        assert on_shard.entries > 0 and on_shard.net_asset_value > 0
        # The report service's own answer to the manager (authorised, snapshot or computed).
        mine = router.pool_performance(sharded.manager, pool, as_of=AS_OF)
        assert mine == single.reports.pool_performance(alone.manager, pool, as_of=AS_OF)
        compared += len(type(on_shard).model_fields)
    open_ended, closed_ended, distributing = pools
    growth = router.compute_pool_performance(open_ended, as_of=AS_OF)
    assert growth.nav_per_unit == D("1.10") and growth.units_outstanding == D("1100000")

    # Every pool's NAV across shards: each shard answers for its own pools, merged by pool.
    navs = router.net_asset_values(sharded.manager, as_of=AS_OF)
    assert [(n.pool_id, n.shard) for n in navs] == [
        (open_ended, "a"),
        (closed_ended, "b"),
        (distributing, "a"),
    ]
    for nav in navs:
        alone_figures = single.reports.compute_pool_performance(nav.pool_id, as_of=AS_OF, fresh=True)
        assert (nav.net_asset_value, nav.nav_per_unit, nav.units_outstanding, nav.entries) == (
            alone_figures.net_asset_value,
            alone_figures.nav_per_unit,
            alone_figures.units_outstanding,
            alone_figures.entries,
        )
    assert router.net_asset_values(sharded.other_manager, as_of=AS_OF) == []  # none of theirs

    # A snapshot of the open-ended pool, computed on shard a and stored in the global keyspace.
    assert router.refresh_snapshot(open_ended, AS_OF).computed
    assert router.stored_snapshot(open_ended, AS_OF) == growth

    # The pool moves to b: its figures there equal those on a before the move, and the
    # snapshot stays current (the move keeps the ledger version it is stamped with).
    moved = move_pool(cluster.directory, open_ended, "b")
    assert router.for_read(open_ended).shard == "b" and cluster.left_behind("a", open_ended) == {}
    assert router.compute_pool_performance(open_ended, as_of=AS_OF) == growth
    assert router.stored_snapshot(open_ended, AS_OF) == growth
    after = {n.pool_id: n for n in router.net_asset_values(sharded.manager, as_of=AS_OF)}
    assert after[open_ended].shard == "b" and after[open_ended].net_asset_value == growth.net_asset_value

    # The moved pool keeps its books on b: a new valuation there moves its figures as the
    # same valuation moves them on one database, and the old snapshot is no longer served.
    _value(sharded, router.for_write(open_ended).transactions, open_ended, "2025-12-31", "1331000.00")
    _value(alone, single.transactions, open_ended, "2025-12-31", "1331000.00")
    revalued = router.compute_pool_performance(open_ended, as_of=AS_OF)
    assert revalued == single.reports.compute_pool_performance(open_ended, as_of=AS_OF, fresh=True)
    assert revalued.nav_per_unit == D("1.21") and revalued != growth
    assert router.stored_snapshot(open_ended, AS_OF) is None
    assert cluster.pool_rows("b", open_ended)["ledger_journal_entries"] == growth.entries + 1
    print(
        f"\nreports across shards: {len(pools)} pools (a: 2, b: 1), {compared} PoolPerformance fields "
        f"equal to one database's; pool {open_ended} moved a->b as {moved.total_rows} rows in "
        f"{moved.seconds:.3f}s ({moved.entries} entries verified), figures equal after the move"
    )
