"""Who a signed-in party is: what authentication asks of the user service, the Actor a user
acts as, and the generic answers a client gets.

Every answer to a client is one of three generic messages, whatever actually went wrong;
the real reason goes to the audit log and the server log, never back over the wire.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from backend.platform.actors import Actor, Role
from backend.users.interface import UserOut

GENERIC_FAILURE = "invalid email or password"
INVALID_TOKEN = "invalid or expired token"  # noqa: S105 - a message, not a secret
BACKING_OFF = "too many failed login attempts; try again after the Retry-After delay"

# Every module of the service logs under the service's name, as it did when it was one
# module: log routing and alerts select this logger.
LOGGER_NAME = "backend.auth.service"

Clock = Callable[[], datetime]


class UserDirectory(Protocol):
    """What authentication needs from the user service (UserService provides it)."""

    def verify_credentials(self, email: str, password: str) -> UserOut | None: ...

    def find_id_by_email(self, email: str) -> int | None: ...

    def active_user(self, user_id: int) -> UserOut | None: ...

    def reset_password(self, user_id: int, new_password: str) -> None: ...


def actor_of(user: UserOut) -> Actor:
    return Actor(user_id=user.id, role=Role(user.role), label=f"user:{user.email}")
