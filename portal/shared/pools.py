"""The pools the signed-in user may see, read whole: the investor dashboard and the analyst
explorer both start from them."""

from __future__ import annotations

from backend.platform.actors import Actor
from backend.pools.interface import PoolOut
from portal.context import services


def visible_pools(actor: Actor) -> dict[int, PoolOut]:
    found: dict[int, PoolOut] = {}
    cursor: int | None = None
    while True:
        page = services().pools.list_pools(actor, cursor=cursor, limit=200)
        found.update({p.id: p for p in page.items})
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor
