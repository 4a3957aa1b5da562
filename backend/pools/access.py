"""Who may see a pool and who may change it, as the pool service's queries and row locks
apply it (the rules per role are in backend.pools.service's docstring).

A manager's say over a pool comes from being one of its managers, an analyst's sight of it
from a grant, an investor's from participating in it (the investor service knows which).
Someone who may not see a pool is told it is not found, so the ids of other managers'
pools are never confirmed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from sqlalchemy import ColumnElement, false, select
from sqlalchemy.orm import Session

from backend.platform.actors import Actor, Role
from backend.platform.errors import PermissionDenied
from backend.platform.unit_of_work import take_sqlite_writer_lock
from backend.pools.models import Pool, PoolAnalystGrant, PoolManager
from backend.pools.stored_terms import not_found

Participates = Callable[[int, int], bool]
"""(user id, pool id) -> whether that user is an investor in the pool."""
ParticipatingPoolIds = Callable[[int], set[int]]
"""user id -> ids of the pools that user is an investor in."""


class PoolAccess:
    def __init__(self, *, participates: Participates, participating_pool_ids: ParticipatingPoolIds) -> None:
        self._participates = participates
        self._participating_pool_ids = participating_pool_ids

    def visible(self, actor: Actor) -> ColumnElement[bool] | None:
        """A filter on Pool for what the actor may see; None when they may see every pool."""
        if actor.is_admin:
            return None
        user_id = actor.user_id
        if user_id is None:
            return false()
        if actor.role is Role.MANAGER:
            return Pool.id.in_(select(PoolManager.pool_id).where(PoolManager.user_id == user_id))
        if actor.role is Role.ANALYST:
            return Pool.id.in_(select(PoolAnalystGrant.pool_id).where(PoolAnalystGrant.user_id == user_id))
        if actor.role is Role.INVESTOR:
            return Pool.id.in_(sorted(self._participating_pool_ids(user_id)))
        return false()

    def can_see(self, session: Session, actor: Actor, pool_id: int) -> bool:
        if actor.is_admin or self.manages(session, actor, pool_id):
            return True
        user_id = actor.user_id
        if user_id is None:
            return False
        if actor.role is Role.ANALYST:
            return session.get(PoolAnalystGrant, (pool_id, user_id)) is not None
        if actor.role is Role.INVESTOR:
            return self._participates(user_id, pool_id)
        return False

    @staticmethod
    def manages(session: Session, actor: Actor, pool_id: int) -> bool:
        if actor.is_admin:
            return True
        if actor.role is not Role.MANAGER or actor.user_id is None:
            return False
        return session.get(PoolManager, (pool_id, actor.user_id)) is not None

    @staticmethod
    def manages_among(actor: Actor, managers: Collection[int]) -> bool:
        """``manages``, given the pool's manager user ids already read."""
        if actor.is_admin:
            return True
        return actor.role is Role.MANAGER and actor.user_id is not None and actor.user_id in managers

    def pool_to_change(self, session: Session, actor: Actor, pool_id: int) -> Pool:
        """The pool locked for change, after checking the actor may change it."""
        # On SQLite the writer lock first, or two changes racing each other both read the
        # old state and the second fails "database is locked" instead of seeing the first.
        take_sqlite_writer_lock(session, Pool.__tablename__, "status")
        if not self.manages(session, actor, pool_id):
            if session.get(Pool, pool_id) is not None and self.can_see(session, actor, pool_id):
                raise PermissionDenied(f"read-only access to pool {pool_id}")
            raise not_found(pool_id)
        pool = session.get(Pool, pool_id, with_for_update=True)
        if pool is None:
            raise not_found(pool_id)
        return pool
