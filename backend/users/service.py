from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Protocol

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from backend.audit.interface import AuditService
from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.platform.orm import utcnow
from backend.platform.passwords import hash_password, needs_rehash, verify_password
from backend.platform.unit_of_work import ReadView, UnitOfWork
from backend.users.models import User
from backend.users.schemas import MAX_SEARCH, UserCreate, UserOut

# The same bounds as UserCreate.password.
PASSWORD_MIN, PASSWORD_MAX = 12, 256

log = logging.getLogger(__name__)


class SessionRevoker(Protocol):
    """What the user service needs from authentication (AuthService provides it)."""

    def revoke_user_sessions(self, user_id: int, reason: str, actor: Actor | None = None) -> int: ...


class DatabaseUserService:
    def __init__(
        self, db: Database, audit: AuditService, *, sessions: Callable[[], SessionRevoker] | None = None
    ) -> None:
        self._db = db
        self._audit = audit
        # Reached late, through a callable: the auth service is built on this one (it checks
        # credentials here), so it cannot be handed over already built.
        self._sessions = sessions

    def create_user(self, actor: Actor, request: UserCreate) -> UserOut:
        if not actor.is_admin:
            raise PermissionDenied("only an admin may create users")
        with UnitOfWork(self._db, actor.reader_key) as uow:
            if uow.session.scalar(select(User.id).where(User.email == request.email)) is not None:
                raise Conflict(f"a user with email {request.email} already exists", field="email")
            user = User(
                email=request.email,
                display_name=request.display_name,
                role=request.role.value,
                password_hash=hash_password(request.password),
                is_active=True,
            )
            uow.session.add(user)
            try:
                uow.session.flush()
            except IntegrityError as exc:  # a concurrent create won the race
                raise Conflict(f"a user with email {request.email} already exists", field="email") from exc
            out = UserOut.model_validate(user)
            self._audit.record(
                uow.session,
                actor,
                "user.created",
                "user",
                user.id,
                after={"email": user.email, "role": user.role},
            )
            uow.commit()
            return out

    def list_users(self, actor: Actor) -> list[UserOut]:
        if not actor.is_admin:
            raise PermissionDenied("only an admin may list users")
        with ReadView(self._db, actor.reader_key) as view:
            users = view.session.scalars(select(User).order_by(User.id)).all()
            return [UserOut.model_validate(u) for u in users]

    def list_users_page(self, actor: Actor, *, limit: int, search: str = "") -> list[UserOut]:
        """The first `limit` accounts by id, optionally those whose email or name contains
        `search` in any case (a grid's page; list_users is every account)."""
        if not actor.is_admin:
            raise PermissionDenied("only an admin may list users")
        if len(search) > MAX_SEARCH:
            raise ValidationFailed(f"search: at most {MAX_SEARCH} characters", field="search")
        stmt = select(User).order_by(User.id).limit(limit)
        text = search.strip().lower()
        if text:
            escaped = "".join(f"/{c}" if c in "%_/" else c for c in text)
            pattern = f"%{escaped}%"
            stmt = stmt.where(
                or_(
                    func.lower(User.email).like(pattern, escape="/"),
                    func.lower(User.display_name).like(pattern, escape="/"),
                )
            )
        with ReadView(self._db, actor.reader_key) as view:
            users = view.session.scalars(stmt).all()
            return [UserOut.model_validate(u) for u in users]

    def count_by_role(self, actor: Actor) -> dict[tuple[str, bool], int]:
        """{(role, active): accounts}, counted by the database (a book has tens of thousands
        of investor accounts; the admin pages need only the counts)."""
        if not actor.is_admin:
            raise PermissionDenied("only an admin may count users")
        with ReadView(self._db, actor.reader_key) as view:
            rows = view.session.execute(
                select(User.role, User.is_active, func.count()).group_by(User.role, User.is_active)
            ).all()
            return {(str(role), bool(active)): int(count) for role, active, count in rows}

    def get_user(self, actor: Actor, user_id: int) -> UserOut:
        if not actor.is_admin and actor.user_id != user_id:
            # Same answer as a missing user: ids of other people are not confirmed to exist.
            raise NotFound(f"user {user_id} not found")
        with ReadView(self._db, actor.reader_key) as view:
            user = view.session.get(User, user_id)
            if user is None:
                raise NotFound(f"user {user_id} not found")
            return UserOut.model_validate(user)

    def find_by_email(self, actor: Actor, email: str) -> UserOut:
        if not actor.is_admin:
            raise PermissionDenied("only an admin may look users up by email")
        with ReadView(self._db, actor.reader_key) as view:
            user = view.session.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None:
                raise NotFound(f"no user with email {email}", field="email")
            return UserOut.model_validate(user)

    def set_active(self, actor: Actor, user_id: int, active: bool) -> UserOut:
        if not actor.is_admin:
            raise PermissionDenied("only an admin may enable or disable users")
        with UnitOfWork(self._db, actor.reader_key) as uow:
            user = uow.session.get(User, user_id, with_for_update=True)
            if user is None:
                raise NotFound(f"user {user_id} not found")
            before = {"is_active": user.is_active}
            user.is_active = active
            uow.session.flush()
            out = UserOut.model_validate(user)
            self._audit.record(
                uow.session,
                actor,
                "user.enabled" if active else "user.disabled",
                "user",
                user.id,
                before=before,
                after={"is_active": active},
            )
            uow.commit()
        if not active:
            # After the commit, with no transaction open while another service is called.
            # Also when the account was disabled already: a retry after a failed revocation
            # must revoke, and re-enabling must never bring an old session back.
            self._end_sessions(user_id, "user_disabled", actor)
        return out

    def set_password(
        self, actor: Actor, user_id: int, new_password: str, *, current_password: str | None = None
    ) -> None:
        """Replace a user's password: an admin for anyone, a user for themselves given their
        current password. Every session of the user ends, this one included: whoever held a
        session under the old password holds nothing now."""
        if not actor.is_admin and actor.user_id != user_id:
            raise NotFound(f"user {user_id} not found")
        if not PASSWORD_MIN <= len(new_password) <= PASSWORD_MAX:
            raise ValidationFailed(f"password: {PASSWORD_MIN} to {PASSWORD_MAX} characters", field="password")
        with UnitOfWork(self._db, actor.reader_key) as uow:
            user = uow.session.get(User, user_id)
            if user is None:
                raise NotFound(f"user {user_id} not found")
            old_hash = user.password_hash
        # argon2 runs with no transaction open (a quarter of a second); the update below
        # then applies only if nobody changed the password meanwhile.
        if not actor.is_admin and not verify_password(old_hash, current_password or ""):
            raise ValidationFailed("current password: wrong", field="current_password")
        new_hash = hash_password(new_password)
        with UnitOfWork(self._db, actor.reader_key) as uow:
            changed = uow.session.execute(
                update(User)
                .where(User.id == user_id, User.password_hash == old_hash)
                .values(password_hash=new_hash, updated_at=utcnow())
            )
            if getattr(changed, "rowcount", 0) != 1:
                raise Conflict("the password was changed meanwhile; try again", field="password")
            self._audit.record(uow.session, actor, "user.password_changed", "user", user_id)
            uow.commit()
        self._end_sessions(user_id, "password_changed", actor)

    def _end_sessions(self, user_id: int, reason: str, actor: Actor) -> None:
        if self._sessions is None:
            log.warning("sessions not revoked: none wired", extra={"user_id": user_id, "reason": reason})
            return
        self._sessions().revoke_user_sessions(user_id, reason, actor)

    def verify_credentials(self, email: str, password: str) -> UserOut | None:
        """The active user these credentials belong to, or None. For the auth service only:
        it decides what a failure means (throttling, audit); this never says why it failed.

        Reads the primary, not a replica: a just-disabled account or a just-changed password
        must take effect at once, not after the replica catches up."""
        with UnitOfWork(self._db) as uow:
            user = uow.session.scalar(select(User).where(User.email == email.strip().lower()))
            # Hash verification runs even for unknown emails, so timing does not reveal them.
            if not verify_password(user.password_hash if user else None, password) or user is None:
                return None
            if not user.is_active:
                return None
            if needs_rehash(user.password_hash):
                self._rehash(uow, user, password)
            return UserOut.model_validate(user)

    def find_id_by_email(self, email: str) -> int | None:
        """Internal lookup for throttling and audit; never exposed to callers outside the platform."""
        with UnitOfWork(self._db) as uow:
            return uow.session.scalar(select(User.id).where(User.email == email.strip().lower()))

    def active_user(self, user_id: int) -> UserOut | None:
        """The user behind a session or token, or None when gone or disabled (read on the primary)."""
        with UnitOfWork(self._db) as uow:
            user = uow.session.get(User, user_id)
            return UserOut.model_validate(user) if user is not None and user.is_active else None

    def contacts(self, user_ids: Collection[int]) -> dict[int, tuple[str, str]]:
        wanted = sorted(set(user_ids))
        found: dict[int, tuple[str, str]] = {}
        with ReadView(self._db) as view:
            for start in range(0, len(wanted), 1000):  # IN lists stay a sane size
                rows = view.session.execute(
                    select(User.id, User.email, User.display_name).where(
                        User.id.in_(wanted[start : start + 1000]), User.is_active.is_(True)
                    )
                )
                found.update({uid: (email, name) for uid, email, name in rows})
        return found

    def _rehash(self, uow: UnitOfWork, user: User, password: str) -> None:
        """Upgrade the stored hash to current parameters, unless the password changed meanwhile."""
        old_hash = user.password_hash
        changed = uow.session.execute(
            update(User)
            .where(User.id == user.id, User.password_hash == old_hash)
            .values(password_hash=hash_password(password), updated_at=utcnow())
        )
        if getattr(changed, "rowcount", 0) == 1:
            self._audit.record(uow.session, None, "user.password_rehashed", "user", user.id)
            uow.commit()

    def count(self) -> int:
        with ReadView(self._db) as view:
            return int(view.session.scalar(select(func.count()).select_from(User)) or 0)
