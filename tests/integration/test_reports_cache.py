"""Reports come from the aggregate cache until the pool's books change."""

from __future__ import annotations

from datetime import date

import pytest

from backend.container import Container
from tests.integration.pools_support import (  # noqa: F401 (cheap_argon2 is an autouse fixture)
    World,
    cheap_argon2,
    make_world,
)
from tests.integration.reports_support import build_open, key, tx


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def test_a_new_entry_makes_cached_reports_stale(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    c = world.container
    built = build_open(world)
    replays: list[int] = []
    original = c.reports._pool_history

    def counting(*args: object, **kwargs: object) -> object:
        replays.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(c.reports, "_pool_history", counting)
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
