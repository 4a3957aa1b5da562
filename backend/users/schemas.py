from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from backend.platform.actors import Role

_EMAIL_MAX = 254
EMAIL_PATTERN = r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$"
"""An address: something, one @, a domain with a dot; no spaces inside (spaces around it are
trimmed). Stated in the OpenAPI document and applied as written, so the two cannot disagree."""
_EMAIL = re.compile(EMAIL_PATTERN)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=_EMAIL_MAX, pattern=EMAIL_PATTERN, examples=["ana@example.com"])
    role: Role
    password: str = Field(min_length=12, max_length=256, repr=False)
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


MAX_SEARCH = 100
