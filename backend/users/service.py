from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Protocol

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from backend.audit.interface import AuditService
from backend.finance.errors import LedgerInputError
from backend.finance.money import get_currency
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.platform.in_lists import in_slices
from backend.platform.orm import utcnow
from backend.platform.passwords import hash_password, needs_rehash, verify_password
from backend.platform.unit_of_work import ReadView, UnitOfWork
from backend.users.models import User
from backend.users.schemas import (
    MAX_COLLEAGUES,
    MAX_SEARCH,
    PASSWORD_MAX,
    PASSWORD_MIN,
    ROLE_WORDS,
    Colleague,
    RoleCount,
    UserCreate,
    UserOut,
)

BASE_REPORTING_CURRENCY = "EUR"
"""The reporting currency of a role no setting names (the FX rates' own base)."""


log = logging.getLogger(__name__)


class SessionRevoker(Protocol):
    """What the user service needs from authentication (AuthService provides it)."""

    def revoke_user_sessions(self, user_id: int, reason: str, actor: Actor | None = None) -> int: ...


class DatabaseUserService:
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        *,
        sessions: Callable[[], SessionRevoker] | None = None,
        reporting_currencies: Mapping[Role, str] | None = None,
    ) -> None:
        self._db = db
        self._audit = audit
        # Each role's default reporting currency (Settings.reporting_currencies), checked now:
        # a misspelt setting stops the process at start, not a user's page later.
        defaults = dict.fromkeys(Role, BASE_REPORTING_CURRENCY) | dict(reporting_currencies or {})
        for role, code in defaults.items():
            try:
                get_currency(code)
            except LedgerInputError:
                setting = f"REPORTING_CURRENCY_{role.value.upper()}"
                raise ValueError(f"{setting}: {code!r} is not a known currency") from None
        self._reporting = defaults
        # Reached late, through a callable: the auth service is built on this one (it checks
        # credentials here), so it cannot be handed over already built.
        self._sessions = sessions

    def create_user(self, actor: Actor, request: UserCreate) -> UserOut:
        return self.create_users(actor, [request])[0]

    def create_users(self, actor: Actor, requests: Sequence[UserCreate]) -> list[UserOut]:
        """Many accounts in one transaction, all or none (a book of investors taken over):
        every email checked against the others and the stored ones first."""
        if not actor.is_admin:
            raise PermissionDenied("only an admin may create users")
        emails = [r.email for r in requests]
        if len(set(emails)) != len(emails):
            twice = sorted({e for e in emails if emails.count(e) > 1})[0]
            raise ValidationFailed(f"email: {twice} is given twice", field="email")
        with UnitOfWork(self._db, actor.reader_key) as uow:
            for chunk in in_slices(emails):
                taken = uow.session.scalar(select(User.email).where(User.email.in_(chunk)))
                if taken is not None:
                    raise Conflict(f"a user with email {taken} already exists", field="email")
            users = [
                User(
                    email=r.email,
                    display_name=r.display_name,
                    role=r.role.value,
                    password_hash=hash_password(r.password),
                    is_active=True,
                )
                for r in requests
            ]
            uow.session.add_all(users)
            try:
                uow.session.flush()
            except IntegrityError as exc:  # a concurrent create won the race
                which = emails[0] if len(emails) == 1 else "one of these emails"
                raise Conflict(f"a user with email {which} already exists", field="email") from exc
            out = [self._out(user) for user in users]
            for user in users:
                after = {"email": user.email, "role": user.role}
                self._audit.record(uow.session, actor, "user.created", "user", user.id, after=after)
            uow.commit()
            return out

    def list_users(self, actor: Actor) -> list[UserOut]:
        if not actor.is_admin:
            raise PermissionDenied("only an admin may list users")
        with ReadView(self._db, actor.reader_key) as view:
            users = view.session.scalars(select(User).order_by(User.id)).all()
            return [self._out(u) for u in users]

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
            return [self._out(u) for u in users]

    def count_by_role(self, actor: Actor) -> list[RoleCount]:
        if not actor.is_admin:
            raise PermissionDenied("only an admin may count users")
        with ReadView(self._db, actor.reader_key) as view:
            rows = view.session.execute(
                select(User.role, User.is_active, func.count()).group_by(User.role, User.is_active)
            ).all()
            return [
                RoleCount(role=Role(role), active=bool(active), accounts=int(count))
                for role, active, count in rows
            ]

    def get_user(self, actor: Actor, user_id: int) -> UserOut:
        if not actor.is_admin and actor.user_id != user_id:
            # Same answer as a missing user: ids of other people are not confirmed to exist.
            raise NotFound(f"user {user_id} not found")
        with ReadView(self._db, actor.reader_key) as view:
            user = view.session.get(User, user_id)
            if user is None:
                raise NotFound(f"user {user_id} not found")
            return self._out(user)

    def find_by_email(self, actor: Actor, email: str) -> UserOut:
        if not actor.is_admin:
            raise PermissionDenied("only an admin may look users up by email")
        with ReadView(self._db, actor.reader_key) as view:
            user = view.session.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None:
                raise NotFound(f"no user with email {email}", field="email")
            return self._out(user)

    def set_active(self, actor: Actor, user_id: int, active: bool) -> UserOut:
        if not actor.is_admin:
            raise PermissionDenied("only an admin may enable or disable users")
        with UnitOfWork(self._db, actor.reader_key) as uow:
            user = uow.session.get(User, user_id, with_for_update=True)
            if user is None:
                raise NotFound(f"user {user_id} not found")
            before = {"is_active": user.is_active}
            if not active and actor.user_id is not None:
                self._keep_an_admin(uow, user, "disabled", field="active")
            user.is_active = active
            uow.session.flush()
            out = self._out(user)
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

    def set_role(self, actor: Actor, user_id: int, role: Role) -> UserOut:
        """Admin: give a user another role. The last active admin keeps theirs (someone must be
        able to administer). Audited with the old and new role; the user's sessions end (a
        session's actor carries the role it was opened with), also when the role was already
        this one, so a retry after a failed revocation still revokes."""
        if not actor.is_admin:
            raise PermissionDenied("only an admin may change a user's role")
        with UnitOfWork(self._db, actor.reader_key) as uow:
            user = uow.session.get(User, user_id, with_for_update=True)
            if user is None:
                raise NotFound(f"user {user_id} not found")
            before = Role(user.role)
            if role is not Role.ADMIN and actor.user_id is not None:
                self._keep_an_admin(uow, user, f"made {ROLE_WORDS[role].lower()}", field="role")
            user.role = role.value
            uow.session.flush()
            out = self._out(user)
            if before is not role:
                self._audit.record(
                    uow.session,
                    actor,
                    "user.role_changed",
                    "user",
                    user.id,
                    before={"role": before.value},
                    after={"role": role.value},
                )
            uow.commit()
        self._end_sessions(user_id, "role_changed", actor)
        return out

    def _keep_an_admin(self, uow: UnitOfWork, user: User, becoming: str, *, field: str) -> None:
        """Refuse a user the removal of the last active admin: nobody could then manage users
        in the portal or the API. (The CLI's operator may: shell access is the way back in,
        `app.py users create --role admin`.) The active admins' rows are locked, so two admins
        demoting each other at once cannot both succeed."""
        if user.role != Role.ADMIN.value or not user.is_active:
            return
        admins = uow.session.scalars(
            select(User.id)
            .where(User.role == Role.ADMIN.value, User.is_active.is_(True))
            .with_for_update()
        ).all()
        if len(set(admins) - {user.id}) == 0:
            raise Conflict(
                f"{field}: {user.email} is the only active admin and cannot be {becoming}; "
                "make someone else an admin first",
                field=field,
            )

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

    def reset_password(self, user_id: int, new_password: str) -> None:
        """System (the auth service, once a reset link proved the person holds their mailbox):
        the user's new password, under the same rules as set_password; every session of theirs
        ends. Audited as the person's own act."""
        if not PASSWORD_MIN <= len(new_password) <= PASSWORD_MAX:
            raise ValidationFailed(f"password: {PASSWORD_MIN} to {PASSWORD_MAX} characters", field="password")
        new_hash = hash_password(new_password)  # with no transaction open
        with UnitOfWork(self._db, f"user:{user_id}") as uow:
            user = uow.session.get(User, user_id, with_for_update=True)
            if user is None or not user.is_active:
                raise NotFound(f"user {user_id} not found")
            user.password_hash = new_hash
            user.updated_at = utcnow()
            itself = Actor(user_id=user.id, role=Role(user.role), label=f"user:{user.email}")
            self._audit.record(uow.session, itself, "user.password_reset", "user", user_id)
            uow.commit()
        self._end_sessions(user_id, "password_reset", itself)

    def set_reporting_currency(self, actor: Actor, user_id: int, currency: str | None) -> UserOut:
        """Choose the currency the user's consolidated figures are shown in (None: back to their
        role's default): a user their own, an admin anyone's."""
        if not actor.is_admin and actor.user_id != user_id:
            raise NotFound(f"user {user_id} not found")
        code = None
        if currency is not None:
            code = currency.strip().upper()
            try:
                get_currency(code)
            except LedgerInputError:
                raise ValidationFailed(
                    f"currency: {currency!r} is not a currency the platform knows", field="currency"
                ) from None
        with UnitOfWork(self._db, actor.reader_key) as uow:
            user = uow.session.get(User, user_id, with_for_update=True)
            if user is None:
                raise NotFound(f"user {user_id} not found")
            before = user.chosen_reporting_currency
            user.chosen_reporting_currency = code
            uow.session.flush()
            out = self._out(user)
            if before != code:
                self._audit.record(
                    uow.session,
                    actor,
                    "user.reporting_currency_changed",
                    "user",
                    user.id,
                    before={"reporting_currency": before},
                    after={"reporting_currency": code},
                )
            uow.commit()
            return out

    def _out(self, user: User) -> UserOut:
        """The user as callers see them: the *effective* reporting currency (their choice, else
        their role's default), and whether it is their choice."""
        chosen = user.chosen_reporting_currency
        return UserOut(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            role=Role(user.role),
            is_active=user.is_active,
            created_at=user.created_at,
            reporting_currency=chosen or self._reporting[Role(user.role)],
            reporting_currency_chosen=chosen is not None,
        )

    def _end_sessions(self, user_id: int, reason: str, actor: Actor) -> None:
        if self._sessions is None:
            log.warning(
                "sessions not revoked: none wired", extra={"subject_user_id": user_id, "reason": reason}
            )
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
            return self._out(user)

    def find_id_by_email(self, email: str) -> int | None:
        """Internal lookup for throttling and audit; never exposed to callers outside the platform."""
        with UnitOfWork(self._db) as uow:
            return uow.session.scalar(select(User.id).where(User.email == email.strip().lower()))

    def active_users(self, user_ids: Collection[int]) -> dict[int, UserOut]:
        """The active ones among many users, in one read (on the primary)."""
        wanted = sorted(set(user_ids))
        found: dict[int, UserOut] = {}
        with ReadView(self._db, primary=True) as view:
            for chunk in in_slices(wanted):
                users = view.session.scalars(select(User).where(User.id.in_(chunk), User.is_active.is_(True)))
                found |= {user.id: self._out(user) for user in users}
        return found

    def active_user(self, user_id: int) -> UserOut | None:
        """The user behind a session or token, or None when gone or disabled (read on the primary)."""
        with ReadView(self._db, primary=True) as view:
            user = view.session.get(User, user_id)
            return self._out(user) if user is not None and user.is_active else None

    def contacts(self, user_ids: Collection[int]) -> dict[int, tuple[str, str]]:
        wanted = sorted(set(user_ids))
        found: dict[int, tuple[str, str]] = {}
        with ReadView(self._db) as view:
            for chunk in in_slices(wanted):
                rows = view.session.execute(
                    select(User.id, User.email, User.display_name).where(
                        User.id.in_(chunk), User.is_active.is_(True)
                    )
                )
                found.update({uid: (email, name) for uid, email, name in rows})
        return found

    def find_colleagues(
        self, actor: Actor, role: Role, text: str, *, limit: int = MAX_COLLEAGUES
    ) -> list[Colleague]:
        """A manager (or an admin) looking for someone to add to a pool's team: active users of
        `role` (manager or analyst) a word of whose name starts with `text`, or whose email
        address is exactly `text`; names and ids only, at most `limit` (<= MAX_COLLEAGUES)."""
        if not (actor.is_admin or actor.role is Role.MANAGER):
            raise PermissionDenied("only managers and admins look for colleagues to add to a pool")
        if role not in (Role.MANAGER, Role.ANALYST):
            raise ValidationFailed("role: a pool's team has managers and analysts only", field="role")
        if not 1 <= limit <= MAX_COLLEAGUES:
            raise ValidationFailed(f"limit: must be 1..{MAX_COLLEAGUES}, got {limit}", field="limit")
        if len(text) > MAX_SEARCH:
            raise ValidationFailed(f"search: at most {MAX_SEARCH} characters", field="search")
        wanted = text.strip().lower()
        if len(wanted) < 2:  # one letter would list a page of everyone
            raise ValidationFailed(
                "search: type at least two letters of a name, or a whole email address", field="search"
            )
        escaped = "".join(f"/{c}" if c in "%_/" else c for c in wanted)
        name = func.lower(User.display_name)
        # A word's start, not anywhere: "lim" finds "Ana Lima". An email address only whole, so
        # the search never spells out someone's address a letter at a time.
        stmt = (
            select(User.id, User.display_name, User.role, User.is_active)
            .where(
                User.role == role.value,
                User.is_active.is_(True),
                or_(
                    name.like(f"{escaped}%", escape="/"),
                    name.like(f"% {escaped}%", escape="/"),
                    User.email == wanted,
                ),
            )
            .order_by(User.display_name, User.id)
            .limit(limit)
        )
        with ReadView(self._db, actor.reader_key) as view:
            return [
                Colleague(id=uid, display_name=shown, role=Role(kind), is_active=bool(active))
                for uid, shown, kind, active in view.session.execute(stmt)
            ]

    def colleagues(self, user_ids: Collection[int]) -> dict[int, Colleague]:
        """System (the pool service, naming a team it has shown the caller may see): {user id:
        Colleague} of the users among `user_ids`, disabled ones included; no contact details."""
        wanted = sorted(set(user_ids))
        found: dict[int, Colleague] = {}
        with ReadView(self._db) as view:
            for chunk in in_slices(wanted):
                rows = view.session.execute(
                    select(User.id, User.display_name, User.role, User.is_active).where(User.id.in_(chunk))
                )
                found.update(
                    {
                        uid: Colleague(id=uid, display_name=shown, role=Role(kind), is_active=bool(active))
                        for uid, shown, kind, active in rows
                    }
                )
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
