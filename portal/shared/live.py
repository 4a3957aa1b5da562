"""Live dashboards: a cheap poll of the pools' ledger versions, re-fetching only on a change.

A page holds the version key it last rendered in a dcc.Store and a dcc.Interval ticking every
second. Each tick asks the ledger service for the versions of the pools the signed-in user
may see (one small read per pool, no report computed); only when the key differs does the
Store change, and only that change re-runs the page's data callback. A committed entry shows
within about a second, and an idle page costs one tiny query per pool per second.

The pool ids always come from the services as the session's actor, never from the browser.
"""

from __future__ import annotations

from collections.abc import Iterable

from dash import dcc

from backend.platform.actors import Actor
from portal.context import services

POLL_MS = 1000


def version_key(actor: Actor, pool_ids: Iterable[int]) -> str:
    """ "pool:version" pairs of these pools, e.g. "3:41,7:2": changes with every entry."""
    ledger = services().ledger
    return ",".join(f"{pid}:{ledger.ledger_version(pid, actor=actor)}" for pid in sorted(set(pool_ids)))


def visible_pool_ids(actor: Actor) -> list[int]:
    """Every pool the actor may see (the pool service decides), in id order."""
    ids: list[int] = []
    cursor: int | None = None
    while True:
        page = services().pools.list_pools(actor, cursor=cursor, limit=200)
        ids += [p.id for p in page.items]
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def poller(prefix: str, initial_key: str | None) -> list[dcc.Store | dcc.Interval]:
    """The Store holding the rendered version key and the Interval that polls it."""
    return [
        dcc.Store(id=f"{prefix}-version", data=initial_key),
        dcc.Interval(id=f"{prefix}-poll", interval=POLL_MS, n_intervals=0),
    ]


def changed(current: str | None, latest: str) -> bool:
    return current != latest
