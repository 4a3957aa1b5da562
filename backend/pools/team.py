"""A pool's team: the managers who run it and the analysts granted to read it.

A pool always keeps at least one manager (a manager may leave only while another stays);
only active users of the right role join a team. Each change is checked against the pool
first, so someone without rights on the pool learns nothing about the user named, and each
is recorded in the audit log.

People are named as a manager may know them: by name, from the users service, with email
addresses for admins only (only an admin reads other users' accounts). An error names the
person only when they are someone a manager could find anyway (an active manager or analyst,
or already on the team); anyone else is "no active manager/analyst", whatever the reason, so
the pool's endpoints never tell who else has an account.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.audit.interface import AuditService
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.platform.unit_of_work import ReadView, UnitOfWork
from backend.pools.access import PoolAccess
from backend.pools.models import Pool, PoolAnalystGrant, PoolManager
from backend.pools.schemas import PoolOut
from backend.pools.stored_terms import not_found, pool_out
from backend.pools.team_schemas import AnalystGrantOut, PoolTeamOut, TeamMember
from backend.users.interface import UserOut, UserService


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


VERB = {Role.MANAGER: "co-manage a pool", Role.ANALYST: "be granted read access to a pool"}


def _a(role: Role) -> str:
    return f"an {role}" if role.value[0] in "aeiou" else f"a {role}"


def _called(name: str, user_id: int) -> str:
    """How an error names someone: by name when they have one, else by id."""
    return name or f"user {user_id}"


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
            self._user_with_role(named, Role.MANAGER, "manager_user_id")
            return named
        if actor.role is not Role.MANAGER or actor.user_id is None:
            raise PermissionDenied("only a manager or an admin may create pools")
        if named is not None and named != actor.user_id:
            raise PermissionDenied(
                "a manager creates pools for themselves; an admin may name another manager",
                field="manager_user_id",
            )
        return actor.user_id

    def team(self, actor: Actor, pool_id: int) -> PoolTeamOut:
        with ReadView(self._db, actor.reader_key) as view:
            session = view.session
            pool = session.get(Pool, pool_id)
            if pool is None or not self._access.can_see(session, actor, pool_id):
                raise not_found(pool_id)
            if not self._access.manages(session, actor, pool_id):
                # An investor or a granted analyst sees the pool, not who else works on it.
                raise PermissionDenied(f"only the managers of pool {pool_id} see its team")
            pool_name = pool.name
            managers = list(
                session.execute(
                    select(PoolManager.user_id, PoolManager.added_at)
                    .where(PoolManager.pool_id == pool_id)
                    .order_by(PoolManager.added_at, PoolManager.user_id)
                ).all()
            )
            analysts = list(
                session.execute(
                    select(PoolAnalystGrant.user_id, PoolAnalystGrant.granted_at)
                    .where(PoolAnalystGrant.pool_id == pool_id)
                    .order_by(PoolAnalystGrant.granted_at, PoolAnalystGrant.user_id)
                ).all()
            )
        ids = [user_id for user_id, _ in managers + analysts]
        people = self._users.colleagues(ids)
        # Only an admin reads other users' accounts; contacts() leaves disabled ones out.
        contacts = self._users.contacts(ids) if actor.is_admin else {}
        emails = {uid: email for uid, (email, _) in contacts.items()}

        def member(user_id: int, since: datetime) -> TeamMember:
            person = people.get(user_id)
            return TeamMember(
                user_id=user_id,
                name=person.display_name if person else "",
                email=emails.get(user_id),
                active=bool(person and person.is_active),
                since=since,
            )

        return PoolTeamOut(
            pool_id=pool_id,
            pool_name=pool_name,
            managers=[member(u, t) for u, t in managers],
            analysts=[member(u, t) for u, t in analysts],
        )

    def add_manager(self, actor: Actor, pool_id: int, user: int | str) -> PoolOut:
        with UnitOfWork(self._db, actor.reader_key) as uow:
            # Authorised first: someone without rights on the pool learns nothing about the user.
            pool = self._access.pool_to_change(uow.session, actor, pool_id)
            person = self._user_with_role(user, Role.MANAGER, _field(user))
            user_id, who = person.id, _called(person.display_name, person.id)
            already = Conflict(f"{who} already manages {pool.name}", field=_field(user))
            if uow.session.get(PoolManager, (pool_id, user_id)) is not None:
                raise already
            uow.session.add(PoolManager(pool_id=pool_id, user_id=user_id))
            try:
                uow.session.flush()
            except IntegrityError as exc:  # a concurrent add won the race
                raise already from exc
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
                raise NotFound(f"user {user_id} does not manage {pool.name}", field="user_id")
            count = uow.session.scalar(
                select(func.count()).select_from(PoolManager).where(PoolManager.pool_id == pool_id)
            )
            if (count or 0) <= 1:
                if user_id == actor.user_id:
                    raise Conflict(
                        f"you are the last manager of {pool.name}; add another manager before you leave",
                        field="user_id",
                    )
                who = self._name_of(user_id)
                raise Conflict(
                    f"{who} is the last manager of {pool.name}; add another manager first", field="user_id"
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

    def grant_analyst(self, actor: Actor, pool_id: int, user: int | str) -> AnalystGrantOut:
        with UnitOfWork(self._db, actor.reader_key) as uow:
            pool = self._access.pool_to_change(uow.session, actor, pool_id)
            person = self._user_with_role(user, Role.ANALYST, _field(user))
            user_id, who = person.id, _called(person.display_name, person.id)
            already = Conflict(f"{who} already has read access to {pool.name}", field=_field(user))
            if uow.session.get(PoolAnalystGrant, (pool_id, user_id)) is not None:
                raise already
            grant = PoolAnalystGrant(pool_id=pool_id, user_id=user_id, granted_by_user_id=actor.user_id)
            uow.session.add(grant)
            try:
                uow.session.flush()
            except IntegrityError as exc:
                raise already from exc
            uow.session.refresh(grant)
            out = AnalystGrantOut(pool_id=pool_id, user_id=user_id, granted_at=grant.granted_at)
            self._audit.record(
                uow.session, actor, "pool.analyst_granted", "pool", pool_id, after={"user_id": user_id}
            )
            uow.commit()
            return out

    def revoke_analyst(self, actor: Actor, pool_id: int, user_id: int) -> None:
        with UnitOfWork(self._db, actor.reader_key) as uow:
            pool = self._access.pool_to_change(uow.session, actor, pool_id)
            grant = uow.session.get(PoolAnalystGrant, (pool_id, user_id))
            if grant is None:
                raise NotFound(f"user {user_id} has no read access to {pool.name}", field="user_id")
            uow.session.delete(grant)
            self._audit.record(
                uow.session, actor, "pool.analyst_revoked", "pool", pool_id, before={"user_id": user_id}
            )
            uow.commit()

    def _name_of(self, user_id: int) -> str:
        person = self._users.colleagues([user_id]).get(user_id)
        return _called(person.display_name if person else "", user_id)

    def _user_with_role(self, user: int | str, role: Role, field: str) -> UserOut:
        """The active user of `role` named by id or email address, or a ValidationFailed in words."""
        user_id = user if isinstance(user, int) else self._users.find_id_by_email(user)
        named = f"user {user} is not" if isinstance(user, int) else f"nobody with the address {user} is"
        nobody = ValidationFailed(f"{field}: {named} {_a(role)} with an active account", field=field)
        found = self._users.active_user(user_id) if user_id is not None else None
        if found is None:
            raise nobody
        if found.role is not role:
            if found.role not in VERB:
                raise nobody  # an investor's or an admin's account is not confirmed to anyone
            who = _called(found.display_name, found.id) if isinstance(user, int) else user
            raise ValidationFailed(
                f"{field}: {who} is {_a(found.role)}, not {_a(role)}; only {role}s can {VERB[role]}",
                field=field,
            )
        return found


def _field(user: int | str) -> str:
    return "user_id" if isinstance(user, int) else "email"
