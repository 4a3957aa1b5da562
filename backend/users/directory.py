"""The read side of the users service: an admin's listings and look-ups of accounts, and the
look-ups other services make of people (the active user behind a session, contacts to address,
colleagues to name or add to a pool's team).

Kept apart from backend.users.service, which holds what changes an account (creating it, its
role, its active flag, its password, its reporting currency) and the credentials check, with
the audit records and the session revocations those changes bring. A read here changes
nothing; those for other services run on the primary where a just-disabled account must
count at once, and carry no actor since the platform's own services ask them.

`UserDirectory` is a base of DatabaseUserService, whose constructor sets what it reads with.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import func, or_, select

from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import NotFound, PermissionDenied, ValidationFailed
from backend.platform.in_lists import in_slices
from backend.platform.unit_of_work import ReadView, UnitOfWork
from backend.users.models import User
from backend.users.schemas import MAX_COLLEAGUES, MAX_SEARCH, Colleague, RoleCount, UserOut


class UserDirectory:
    """The users service's reads of accounts."""

    # Set by DatabaseUserService's constructor.
    _db: Database
    _reporting: Mapping[Role, str]

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

    def count(self) -> int:
        with ReadView(self._db) as view:
            return int(view.session.scalar(select(func.count()).select_from(User)) or 0)
