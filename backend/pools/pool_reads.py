"""The read side of the pool service: a pool and the pools an actor may see, a pool's terms
for a service acting as the system, and the questions other services ask before they act on
a pool (may this actor see it, change it, which of these pools does it manage).

Kept apart from backend.pools.service, which holds the transactions that create a pool, change
its settings, move it through its lifecycle and delete it, with their audit records. A read
changes nothing; who may see or change a pool is decided by the same PoolAccess the writes
use, and the reads that gate a write elsewhere (`require_manage`, `pool_terms`) read the
primary, so a change just made counts at once.

`PoolReads` is a base of DatabasePoolService, whose constructor sets what it reads with.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select

from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import NotFound, PermissionDenied, ValidationFailed
from backend.platform.in_lists import in_slices
from backend.platform.unit_of_work import ReadView, UnitOfWork
from backend.pools.access import PoolAccess
from backend.pools.models import Pool, PoolManager
from backend.pools.schemas import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PoolKind, PoolOut, PoolPage, PoolStatus
from backend.pools.stored_terms import not_found, pool_out
from backend.pools.team import manager_ids


@cache
def _pool_and_managers() -> Select[Pool, int]:
    """The pool and its managers, one row a manager; built once, as it is on every write's
    path (building and keying it afresh cost about as much Python as reading it)."""
    return (
        select(Pool, PoolManager.user_id)
        .outerjoin(PoolManager, PoolManager.pool_id == Pool.id)
        .where(Pool.id == bindparam("managed_pool_id"))
        .order_by(PoolManager.user_id)
    )


@cache
def _pools_and_managers() -> Select[Pool, int]:
    """_pool_and_managers for the pools of an expanding IN list, in pool order."""
    return (
        select(Pool, PoolManager.user_id)
        .outerjoin(PoolManager, PoolManager.pool_id == Pool.id)
        .where(Pool.id.in_(bindparam("managed_pool_ids", expanding=True)))
        .order_by(Pool.id, PoolManager.user_id)
    )


def _with_managers(rows: Iterable[Any]) -> dict[int, tuple[Pool, list[int]]]:
    """{pool id: (pool, its managers' user ids)} from rows of (pool, a manager or None)."""
    found: dict[int, tuple[Pool, list[int]]] = {}
    for pool, user_id in rows:
        managers = found.setdefault(pool.id, (pool, []))[1]
        if user_id is not None:  # the outer join's row of a pool with no manager
            managers.append(user_id)
    return found


class PoolReads:
    """The pool service's reads of pools and of who may see or change them."""

    # Set by DatabasePoolService's constructor.
    _db: Database
    _access: PoolAccess

    def get_pool(self, actor: Actor, pool_id: int) -> PoolOut:
        with ReadView(self._db, actor.reader_key) as view:
            pool = view.session.get(Pool, pool_id)
            if pool is None:
                raise not_found(pool_id)
            managers = manager_ids(view.session, [pool_id])[pool_id]
            # The managers are read for the answer anyway: one of them needs no access query.
            if not (
                self._access.manages_among(actor, managers)
                or self._access.can_see(view.session, actor, pool_id)
            ):
                raise not_found(pool_id)
            return pool_out(pool, managers)

    def list_pools(
        self,
        actor: Actor,
        *,
        status: PoolStatus | None = None,
        kind: PoolKind | None = None,
        cursor: int | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
    ) -> PoolPage:
        """The pools this actor may see, in id order, `limit` at a time after the id `cursor`."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValidationFailed(f"limit: must be 1..{MAX_PAGE_SIZE}, got {limit}", field="limit")
        with ReadView(self._db, actor.reader_key) as view:
            stmt = select(Pool).order_by(Pool.id).limit(limit + 1)
            visible = self._access.visible(actor)
            if visible is not None:
                stmt = stmt.where(visible)
            if status is not None:
                stmt = stmt.where(Pool.status == status.value)
            if kind is not None:
                stmt = stmt.where(Pool.kind == kind.value)
            if cursor is not None:
                stmt = stmt.where(Pool.id > cursor)
            pools = list(view.session.scalars(stmt).all())
            more = len(pools) > limit
            pools = pools[:limit]
            managers = manager_ids(view.session, [p.id for p in pools])
            return PoolPage(
                items=[pool_out(p, managers[p.id]) for p in pools],
                next_cursor=pools[-1].id if more else None,
            )

    def pool_names(self, actor: Actor, pool_ids: Collection[int]) -> dict[int, str]:
        """{pool id: name} for the ids the actor may see, in one read (a list's names): a list
        that names a few pools need not read every pool whole."""
        if not pool_ids:
            return {}
        found: dict[int, str] = {}
        with ReadView(self._db, actor.reader_key) as view:
            visible = self._access.visible(actor)
            for chunk in in_slices(sorted(set(pool_ids))):
                stmt = select(Pool.id, Pool.name).where(Pool.id.in_(chunk))
                if visible is not None:
                    stmt = stmt.where(visible)
                found.update({int(pool_id): str(name) for pool_id, name in view.session.execute(stmt)})
        return found

    def pool_terms(self, pool_id: int) -> PoolOut:
        """The pool and all its terms, for a service acting as the system (no actor, no
        authorisation: the caller has already decided the request may go ahead).
        Read on the primary, so terms just changed are seen at once."""
        with UnitOfWork(self._db) as uow:
            pool = uow.session.get(Pool, pool_id)
            if pool is None:
                raise NotFound(f"pool {pool_id} not found", field="pool_id")
            return pool_out(pool, manager_ids(uow.session, [pool_id])[pool_id])

    def terms_of_pools(self, pool_ids: Collection[int]) -> dict[int, PoolOut]:
        """pool_terms for each of the pools, each with its managers in one statement however
        many are asked (an investor's holdings and performance name every pool they are in: a
        read each cost two statements and a transaction a pool), read on the primary as
        require_manage reads. NotFound for an id that is no pool."""
        wanted = sorted(set(pool_ids))
        if not wanted:
            return {}
        with ReadView(self._db, primary=True) as view:
            found: dict[int, tuple[Pool, list[int]]] = {}
            for chunk in in_slices(wanted):
                rows = view.session.execute(_pools_and_managers(), {"managed_pool_ids": list(chunk)})
                found.update(_with_managers(rows))
            missing = [pool_id for pool_id in wanted if pool_id not in found]
            if missing:
                raise NotFound(f"pool {missing[0]} not found", field="pool_ids")
            return {pool_id: pool_out(*found[pool_id]) for pool_id in wanted}

    def all_pool_ids(self) -> list[int]:
        """Every pool's id, for jobs acting as the system (the nightly snapshots)."""
        with ReadView(self._db) as view:
            return list(view.session.scalars(select(Pool.id).order_by(Pool.id)).all())

    def can_read(self, actor: Actor, pool_id: int) -> bool:
        """Whether the pool exists and the actor may see it (get_pool would answer)."""
        with ReadView(self._db, actor.reader_key) as view:
            session = view.session
            return session.get(Pool, pool_id) is not None and self._access.can_see(session, actor, pool_id)

    def can_manage(self, actor: Actor, pool_id: int) -> bool:
        """Whether the pool exists and the actor may change it: one of its managers, or an admin
        (for services acting on a pool's behalf)."""
        with ReadView(self._db, actor.reader_key) as view:
            session = view.session
            return session.get(Pool, pool_id) is not None and self._access.manages(session, actor, pool_id)

    def managed_among(self, actor: Actor, pool_ids: Collection[int]) -> set[int]:
        wanted = sorted(set(pool_ids))
        if not wanted or not (actor.is_admin or (actor.role is Role.MANAGER and actor.user_id is not None)):
            return set()
        found: set[int] = set()
        with ReadView(self._db, actor.reader_key) as view:
            for chunk in in_slices(wanted):
                # A manager's row names an existing pool (deleting a pool deletes its managers).
                stmt = (
                    select(Pool.id).where(Pool.id.in_(chunk))
                    if actor.is_admin
                    else select(PoolManager.pool_id).where(
                        PoolManager.user_id == actor.user_id, PoolManager.pool_id.in_(chunk)
                    )
                )
                found.update(int(i) for i in view.session.scalars(stmt))
        return found

    def require_manage(self, actor: Actor, pool_id: int) -> PoolOut:
        """The pool, if the actor may change it; else NotFound (cannot see it) or
        PermissionDenied (may see it, read-only) -- the same answers the pool's own changes give.
        For gating a write elsewhere, so it reads the primary: a manager removed a moment ago is refused."""
        with ReadView(self._db, primary=True) as view:
            session = view.session
            # The pool and its managers in one read: it is on every write's path, and the
            # managers answer both questions below.
            rows = session.execute(_pool_and_managers(), {"managed_pool_id": pool_id})
            found = _with_managers(rows).get(pool_id)
            if found is None:
                raise not_found(pool_id)
            pool, managers = found
            if self._access.manages_among(actor, managers):
                return pool_out(pool, managers)
            if not self._access.can_see(session, actor, pool_id):
                raise not_found(pool_id)
            raise PermissionDenied(f"read-only access to pool {pool_id}")
