"""The users service: what changes an account (creating it, its role, its active flag, its
password, its reporting currency), each change audited and the user's sessions ended where the
change must reach them, and the check of a user's credentials at sign-in.

Its reads (an admin's listings, the look-ups other services make of people) are the base class
UserDirectory in backend.users.directory.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from sqlalchemy import select, update
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
from backend.platform.unit_of_work import UnitOfWork
from backend.users.directory import UserDirectory
from backend.users.models import User
from backend.users.schemas import PASSWORD_MAX, PASSWORD_MIN, ROLE_WORDS, UserCreate, UserOut

BASE_REPORTING_CURRENCY = "EUR"
"""The reporting currency of a role no setting names (the FX rates' own base)."""

ACCOUNT_ROWS: tuple[type, ...] = (User,)
"""The rows whose change can alter who a user is to an access check (role, address, active):
app servers stop reusing their checks when a commit changes one (backend.auth.checked_sessions)."""


log = logging.getLogger(__name__)


class SessionRevoker(Protocol):
    """What the user service needs from authentication (AuthService provides it)."""

    def revoke_user_sessions(self, user_id: int, reason: str, actor: Actor | None = None) -> int: ...


class DatabaseUserService(UserDirectory):
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
            self._audit.record_many(
                uow.session,
                actor,
                "user.created",
                "user",
                [(user.id, {"email": user.email, "role": user.role}) for user in users],
            )
            uow.commit()
            return out

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
