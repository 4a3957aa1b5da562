"""A pool's team: the managers who run it and the analysts granted to read it.

A pool always keeps at least one manager; only active users of the right role join a team.
Each change is checked against the pool first, so someone without rights on the pool learns
nothing about the user named, and each is recorded in the audit log.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.audit.interface import AuditService
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.platform.unit_of_work import UnitOfWork
from backend.pools.access import PoolAccess
from backend.pools.models import PoolAnalystGrant, PoolManager
from backend.pools.schemas import AnalystGrantOut, PoolOut
from backend.pools.stored_terms import pool_out
from backend.users.interface import UserService


def manager_ids(session: Session, pool_ids: list[int]) -> dict[int, list[int]]:
    """{pool id: its managers' user ids, ascending} for each pool asked about."""
    managers: dict[int, list[int]] = {pool_id: [] for pool_id in pool_ids}
    if pool_ids:
        rows = session.execute(
            select(PoolManager.pool_id, PoolManager.user_id)
            .where(PoolManager.pool_id.in_(pool_ids))
            .order_by(PoolManager.pool_id, PoolManager.user_id)
        )
        for pool_id, user_id in rows:
            managers[pool_id].append(user_id)
    return managers


class PoolTeam:
    def __init__(self, db: Database, audit: AuditService, users: UserService, access: PoolAccess) -> None:
        self._db = db
        self._audit = audit
        self._users = users
        self._access = access

    def first_manager(self, actor: Actor, named: int | None) -> int:
        """Who manages a pool about to be created: the admin names them, a manager is it."""
        if actor.is_admin:
            if named is None:
                raise ValidationFailed(
                    "manager_user_id: an admin creating a pool names its manager", field="manager_user_id"
                )
            self._require_user_with_role(named, Role.MANAGER, "manager_user_id")
            return named
        if actor.role is not Role.MANAGER or actor.user_id is None:
            raise PermissionDenied("only a manager or an admin may create pools")
        if named is not None and named != actor.user_id:
            raise PermissionDenied(
                "a manager creates pools for themselves; an admin may name another manager",
                field="manager_user_id",
            )
        return actor.user_id

    def add_manager(self, actor: Actor, pool_id: int, user_id: int) -> PoolOut:
        with UnitOfWork(self._db, actor.reader_key) as uow:
            # Authorised first: someone without rights on the pool learns nothing about the user.
            pool = self._access.pool_to_change(uow.session, actor, pool_id)
            self._require_user_with_role(user_id, Role.MANAGER, "user_id")
            if uow.session.get(PoolManager, (pool_id, user_id)) is not None:
                raise Conflict(f"user {user_id} already manages pool {pool_id}", field="user_id")
            uow.session.add(PoolManager(pool_id=pool_id, user_id=user_id))
            try:
                uow.session.flush()
            except IntegrityError as exc:  # a concurrent add won the race
                raise Conflict(f"user {user_id} already manages pool {pool_id}", field="user_id") from exc
            managers = manager_ids(uow.session, [pool_id])[pool_id]
            self._audit.record(
                uow.session, actor, "pool.manager_added", "pool", pool_id, after={"user_id": user_id}
            )
            out = pool_out(pool, managers)
            uow.commit()
            return out

    def remove_manager(self, actor: Actor, pool_id: int, user_id: int) -> PoolOut:
        with UnitOfWork(self._db, actor.reader_key) as uow:
            # The pool row lock serialises removals, so two managers removing each other
            # at once cannot leave the pool with none.
            pool = self._access.pool_to_change(uow.session, actor, pool_id)
            link = uow.session.get(PoolManager, (pool_id, user_id))
            if link is None:
                raise NotFound(f"user {user_id} does not manage pool {pool_id}", field="user_id")
            count = uow.session.scalar(
                select(func.count()).select_from(PoolManager).where(PoolManager.pool_id == pool_id)
            )
            if (count or 0) <= 1:
                raise Conflict(
                    f"user {user_id} is the last manager of pool {pool_id}; add another first",
                    field="user_id",
                )
            uow.session.delete(link)
            uow.session.flush()
            managers = manager_ids(uow.session, [pool_id])[pool_id]
            self._audit.record(
                uow.session, actor, "pool.manager_removed", "pool", pool_id, before={"user_id": user_id}
            )
            out = pool_out(pool, managers)
            uow.commit()
            return out

    def grant_analyst(self, actor: Actor, pool_id: int, user_id: int) -> AnalystGrantOut:
        with UnitOfWork(self._db, actor.reader_key) as uow:
            self._access.pool_to_change(uow.session, actor, pool_id)
            self._require_user_with_role(user_id, Role.ANALYST, "user_id")
            if uow.session.get(PoolAnalystGrant, (pool_id, user_id)) is not None:
                raise Conflict(f"analyst {user_id} already has access to pool {pool_id}", field="user_id")
            grant = PoolAnalystGrant(pool_id=pool_id, user_id=user_id, granted_by_user_id=actor.user_id)
            uow.session.add(grant)
            try:
                uow.session.flush()
            except IntegrityError as exc:
                raise Conflict(
                    f"analyst {user_id} already has access to pool {pool_id}", field="user_id"
                ) from exc
            uow.session.refresh(grant)
            out = AnalystGrantOut(pool_id=pool_id, user_id=user_id, granted_at=grant.granted_at)
            self._audit.record(
                uow.session, actor, "pool.analyst_granted", "pool", pool_id, after={"user_id": user_id}
            )
            uow.commit()
            return out

    def revoke_analyst(self, actor: Actor, pool_id: int, user_id: int) -> None:
        with UnitOfWork(self._db, actor.reader_key) as uow:
            self._access.pool_to_change(uow.session, actor, pool_id)
            grant = uow.session.get(PoolAnalystGrant, (pool_id, user_id))
            if grant is None:
                raise NotFound(f"analyst {user_id} has no access to pool {pool_id}", field="user_id")
            uow.session.delete(grant)
            self._audit.record(
                uow.session, actor, "pool.analyst_revoked", "pool", pool_id, before={"user_id": user_id}
            )
            uow.commit()

    def _require_user_with_role(self, user_id: int, role: Role, field: str) -> None:
        user = self._users.active_user(user_id)
        if user is None or user.role is not role:
            raise ValidationFailed(f"{field}: user {user_id} is not an active {role} user", field=field)
