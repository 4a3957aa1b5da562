"""The users service as its callers see it: the operations (a Protocol) and the types that go
in and out.

Callers import this module only. The container binds `DatabaseUserService` (service.py); the
gRPC client of a later issue implements the same Protocol."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from backend.platform.actors import Actor, Role
from backend.users.schemas import (
    EMAIL_PATTERN,
    MAX_COLLEAGUES,
    MAX_SEARCH,
    PASSWORD_MAX,
    PASSWORD_MIN,
    ROLE_WORDS,
    ActiveChange,
    Colleague,
    PasswordChange,
    ReportingCurrencyIn,
    RoleChange,
    RoleCount,
    UserCreate,
    UserOut,
)

__all__ = [
    "EMAIL_PATTERN",
    "MAX_COLLEAGUES",
    "MAX_SEARCH",
    "PASSWORD_MAX",
    "PASSWORD_MIN",
    "ROLE_WORDS",
    "ActiveChange",
    "Colleague",
    "PasswordChange",
    "ReportingCurrencyIn",
    "RoleChange",
    "RoleCount",
    "UserCreate",
    "UserOut",
    "UserService",
]


class UserService(Protocol):
    def create_user(self, actor: Actor, request: UserCreate) -> UserOut: ...

    def create_users(self, actor: Actor, requests: Sequence[UserCreate]) -> list[UserOut]:
        """Many accounts in one transaction, all or none (admin only)."""

    def active_users(self, user_ids: Collection[int]) -> dict[int, UserOut]:
        """The active ones among many users, in one read (on the primary)."""

    def list_users(self, actor: Actor) -> list[UserOut]: ...

    def list_users_page(self, actor: Actor, *, limit: int, search: str = "") -> list[UserOut]:
        """The first `limit` accounts by id, optionally those whose email or name contains `search`
        in any case (a grid's page; list_users is every account)."""

    def count_by_role(self, actor: Actor) -> list[RoleCount]:
        """Accounts per role and state, counted by the database (a book has tens of thousands of
        investor accounts; the admin pages need only the counts); a pair nobody holds is left out."""

    def get_user(self, actor: Actor, user_id: int) -> UserOut: ...

    def find_by_email(self, actor: Actor, email: str) -> UserOut: ...

    def set_active(self, actor: Actor, user_id: int, active: bool) -> UserOut:
        """Admin: disable or enable an account (a user never the last active admin's; the CLI's
        operator may); disabling ends its sessions. Audited."""

    def set_role(self, actor: Actor, user_id: int, role: Role) -> UserOut:
        """Admin: give a user another role. The last active admin keeps theirs when a user asks
        (someone must be able to administer; the CLI's operator may). Audited with the old and
        new role; the user's sessions end, so the new role applies from their next sign-in."""

    def set_password(
        self, actor: Actor, user_id: int, new_password: str, *, current_password: str | None = None
    ) -> None:
        """Replace a user's password: an admin for anyone, a user for themselves given their current
        password. Every session of the user ends, this one included: whoever held a session under
        the old password holds nothing now."""

    def reset_password(self, user_id: int, new_password: str) -> None:
        """System (the auth service, once a reset link proved the person holds their mailbox):
        the user's new password, under the same rules as set_password; every session of theirs
        ends. Audited as the person's own act. NotFound for a gone or disabled account."""

    def set_reporting_currency(self, actor: Actor, user_id: int, currency: str | None) -> UserOut:
        """Choose the currency the user's consolidated figures are shown in (None: back to their
        role's default, Settings.reporting_currencies): a user their own, an admin anyone's;
        a code the platform does not know is refused. Audited."""

    def verify_credentials(self, email: str, password: str) -> UserOut | None:
        """The active user these credentials belong to, or None. For the auth service only: it
        decides what a failure means (throttling, audit); this never says why it failed."""

    def find_id_by_email(self, email: str) -> int | None:
        """Internal lookup for throttling and audit; never exposed to callers outside the platform."""

    def active_user(self, user_id: int) -> UserOut | None:
        """The user behind a session or token, or None when gone or disabled (read on the primary)."""

    def contacts(self, user_ids: Collection[int]) -> dict[int, tuple[str, str]]:
        """System (the notification service): {user id: (email, display name)} of the active
        users among `user_ids`; the others are left out (nobody to write to)."""

    def find_colleagues(
        self, actor: Actor, role: Role, text: str, *, limit: int = MAX_COLLEAGUES
    ) -> list[Colleague]:
        """A manager (or an admin) looking for someone to add to a pool's team: active users of
        `role` (manager or analyst) a word of whose name starts with `text`, or whose email
        address is exactly `text`; names and ids only, at most `limit` (<= MAX_COLLEAGUES)."""

    def colleagues(self, user_ids: Collection[int]) -> dict[int, Colleague]:
        """System (the pool service, naming a team it has shown the caller may see): {user id:
        Colleague} of the users among `user_ids`, disabled ones included; no contact details."""

    def count(self) -> int: ...
