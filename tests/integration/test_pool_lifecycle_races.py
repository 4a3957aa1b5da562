"""Pool lifecycle changes racing each other, on databases of their own: the usual test
container runs every service in one connection's savepoints, which threads cannot share."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from backend.composition.container import Container
from backend.platform.cache import InProcessCache
from backend.platform.config import Settings
from backend.platform.db import Database
from backend.platform.errors import Conflict
from backend.pools.interface import PoolStatus
from sql.migrate import upgrade
from tests.conftest import mariadb_database_url
from tests.integration.pools_support import (
    World,
    make_world,
    open_pool,
)

CLIENTS = 4


@pytest.fixture(params=["sqlite", "mariadb"])
def own_world(request: pytest.FixtureRequest, tmp_path: Path, settings: Settings) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'races.db'}" if request.param == "sqlite" else mariadb_database_url("races")
    upgrade(url)
    db = Database(url, positions=InProcessCache())
    yield make_world(Container(settings, db=db, cache=InProcessCache()))
    db.dispose()


@pytest.mark.parametrize("action", ["close", "liquidate"])
def test_racing_lifecycle_changes_one_wins_the_others_get_a_conflict(own_world: World, action: str) -> None:
    """Issue 11: close or liquidate from 4 clients at once answered "database is locked" on
    SQLite. Whatever the interleaving, exactly one change wins and the others are conflicts
    naming the status."""
    world = own_world
    pools = world.container.pools
    pool = pools.create_pool(world.manager, open_pool()).id
    change = pools.close_pool if action == "close" else pools.liquidate_pool
    start = threading.Barrier(CLIENTS)

    def attempt(_: int) -> str:
        start.wait()
        try:
            change(world.manager, pool)
        except Conflict as exc:
            assert exc.field == "status", exc
            return "conflict"
        return "changed"

    with ThreadPoolExecutor(max_workers=CLIENTS) as clients:
        outcomes = sorted(clients.map(attempt, range(CLIENTS)))
    assert outcomes == ["changed"] + ["conflict"] * (CLIENTS - 1)
    expected = PoolStatus.CLOSED if action == "close" else PoolStatus.LIQUIDATING
    assert pools.get_pool(world.manager, pool).status is expected
