"""Who is acting: the identity every service method receives and authorises against."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    INVESTOR = "investor"
    ANALYST = "analyst"


@dataclass(frozen=True)
class Actor:
    """A user, or the operator/system acting outside a user session (CLI, workers)."""

    user_id: int | None
    role: Role
    label: str

    @classmethod
    def operator(cls, label: str) -> Actor:
        # The CLI runs with shell access to the database already; it acts as admin and
        # says so in the audit log under its own label.
        return cls(user_id=None, role=Role.ADMIN, label=f"operator:{label}")

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def reader_key(self) -> str:
        """Key under which read-your-writes positions are kept for this actor."""
        # Operators (CLI, workers) read their own writes too: a script that creates a user
        # and then looks it up must not be fooled by a lagging replica.
        return f"user:{self.user_id}" if self.user_id is not None else self.label
