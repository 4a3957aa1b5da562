"""Reports come from the aggregate cache until the pool's books change."""

from __future__ import annotations

from datetime import date

import pytest

from backend.composition.container import Container
from tests.integration.pools_support import (
    World,
    make_world,
)
from tests.integration.reports_support import build_open, key, tx

# Every test here runs in process and again with the report service behind gRPC (returns and
# ratios as doubles, workbooks as bytes, refusals as the same errors).
pytestmark = pytest.mark.over_grpc("reports")


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def test_a_new_entry_makes_cached_reports_stale(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    c = world.container
    built = build_open(world)
    replays: list[int] = []
    original = c.local_reports._pool_history

    def counting(*args: object, **kwargs: object) -> object:
        replays.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(c.local_reports, "_pool_history", counting)
    as_of = date(2025, 12, 31)
    first = c.reports.pool_performance(world.manager, built.pool, as_of=as_of)
    again = c.reports.pool_performance(world.manager, built.pool, as_of=as_of)
    assert again == first and len(replays) == 1  # served from the cache
    c.reports.nav_history(world.manager, built.pool, end=as_of)
    c.reports.nav_history(world.manager, built.pool, end=as_of)
    assert len(replays) == 2
    c.transactions.record(
        world.manager, built.pool, tx(type="income", amount="10.00", effective_date="2025-12-31"), key()
    )
    after = c.reports.pool_performance(world.manager, built.pool, as_of=as_of)
    assert len(replays) == 3  # the ledger version moved: recomputed, not the stale value
    assert after != first
    # Authorisation is checked before the cache: another manager gets nothing from it.
    with pytest.raises(Exception, match="not found"):
        c.reports.pool_performance(world.other_manager, built.pool, as_of=as_of)


def test_investor_performance_is_cached_per_pool_until_that_pool_moves(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The investor dashboard's figures are worked out from every entry of each pool: they
    come from the cache until the pool's ledger version moves."""
    c = world.container
    built = build_open(world)
    reads: list[int] = []
    original = c.local_reports._entries

    def counting(*args: object, **kwargs: object) -> object:
        reads.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(c.local_reports, "_entries", counting)
    as_of = date(2025, 12, 31)
    first = c.reports.investor_performance(world.investor, built.a, as_of=as_of)
    assert first.pools and len(reads) == 1
    assert c.reports.investor_performance(world.investor, built.a, as_of=as_of) == first
    assert len(reads) == 1  # served from the cache
    c.transactions.record(
        world.manager, built.pool, tx(type="income", amount="10.00", effective_date="2025-12-31"), key()
    )
    after = c.reports.investor_performance(world.investor, built.a, as_of=as_of)
    assert len(reads) == 2 and after != first  # the pool moved: recomputed
    # The other investor's figures are their own, not this investor's cached ones.
    theirs = c.reports.investor_performance(world.other_investor, built.b, as_of=as_of)
    assert theirs.investor_id == built.b and theirs != after
