from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from backend.platform.actors import Role

_EMAIL_MAX = 254
PASSWORD_MIN, PASSWORD_MAX = 12, 256
"""A password's bounds: the same wherever one is chosen (a new account, a change, a reset)."""
EMAIL_PATTERN = r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$"
"""An address: something, one @, a domain with a dot; no spaces inside (spaces around it are
trimmed). Stated in the OpenAPI document and applied as written, so the two cannot disagree."""
_EMAIL = re.compile(EMAIL_PATTERN)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=_EMAIL_MAX, pattern=EMAIL_PATTERN, examples=["ana@example.com"])
    role: Role
    password: str = Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX, repr=False)
    display_name: str = Field(default="", max_length=120)

    @field_validator("email")
    @classmethod
    def _normalise_email(cls, value: str) -> str:
        if not _EMAIL.fullmatch(value):
            raise ValueError("must be an email address like name@example.com")
        return value.strip().lower()


class PasswordChange(BaseModel):
    """A user's own password change: the current password proves it is them."""

    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=256, repr=False)
    new_password: str = Field(min_length=12, max_length=256, repr=False)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str
    role: Role
    is_active: bool
    created_at: datetime
    reporting_currency: str = Field(
        default="EUR",
        description="the currency consolidated figures are shown in: the user's choice, else their "
        "role's default",
    )
    reporting_currency_chosen: bool = Field(
        default=False, description="whether reporting_currency is the user's own choice (else the default)"
    )


class RoleChange(BaseModel):
    """An admin giving a user another role: their sessions end, so the new role applies at once."""

    model_config = ConfigDict(extra="forbid")

    role: Role


class ActiveChange(BaseModel):
    """An admin disabling (false) or enabling (true) an account; disabling ends its sessions."""

    model_config = ConfigDict(extra="forbid")

    active: StrictBool  # JSON true/false only: 0 or "no" is refused, not guessed


ROLE_WORDS = {
    Role.ADMIN: "Admin",
    Role.MANAGER: "Manager",
    Role.INVESTOR: "Investor",
    Role.ANALYST: "Analyst",
}
"""A role as people read it (the portal, error messages)."""


class ReportingCurrencyIn(BaseModel):
    """A user's choice of reporting currency; null goes back to their role's default."""

    model_config = ConfigDict(extra="forbid")

    currency: str | None = Field(pattern=r"^[A-Z]{3}$", examples=["USD"])


MAX_SEARCH = 100


MAX_COLLEAGUES = 20
"""Matches a colleague search returns at most: enough to pick from, too few to list everyone."""


class RoleCount(BaseModel):
    """How many accounts hold a role, active or disabled."""

    role: Role
    active: bool
    accounts: int


class Colleague(BaseModel):
    """Someone a manager works with on a pool, as the manager may know them: by name, without
    contact details (only an admin reads other users' accounts)."""

    id: int
    display_name: str
    role: Role
    is_active: bool
