from __future__ import annotations

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from backend.actors import Actor
from backend.audit.service import AuditService
from backend.auth.passwords import hash_password, needs_rehash, verify_password
from backend.db import Database
from backend.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.orm import utcnow
from backend.unit_of_work import ReadView, UnitOfWork
from backend.users.models import User
from backend.users.schemas import UserCreate, UserOut

MAX_SEARCH = 100


class UserService:
    def __init__(self, db: Database, audit: AuditService) -> None:
        self._db = db
        self._audit = audit

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
            return out

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
