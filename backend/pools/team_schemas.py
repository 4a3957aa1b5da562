"""The pool service's public types for a pool's team: a user named in a request (a manager to
add, an analyst to grant), the team as its managers see it, and an analyst's grant. Apart from
the pool's terms (schemas.py): they change with who may work on a pool, not with what a pool is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backend.platform.fields import RecordId
from backend.users.interface import EMAIL_PATTERN


def _one_of_schema(schema: dict[str, Any]) -> None:
    """UserRef as the OpenAPI document states it, and as its validator applies it: exactly one of
    user_id and email, neither of them null (the None defaults are only "not sent")."""
    for prop in schema["properties"].values():
        kinds = prop.pop("anyOf")
        prop.update(next(k for k in kinds if k.get("type") != "null"))
        prop.pop("default", None)
    schema["oneOf"] = [{"required": ["user_id"]}, {"required": ["email"]}]


class UserRef(BaseModel):
    """A user named in a request body: a manager to add, an analyst to grant. Either their id
    or their email address, not both."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_one_of_schema)

    user_id: RecordId | None = Field(default=None, description="The user's id.")
    email: str | None = Field(
        default=None,
        max_length=254,
        pattern=EMAIL_PATTERN,
        description="The user's email address, whole (the account's sign-in address).",
    )

    @model_validator(mode="after")
    def _one_of(self) -> UserRef:
        sent = [name for name in ("user_id", "email") if name in self.model_fields_set]
        if len(sent) != 1 or getattr(self, sent[0]) is None:
            raise ValueError("name the user by user_id or by email, not both, and not as null")
        return self

    @property
    def user(self) -> int | str:
        """The id, or the email address trimmed and in lower case (as accounts store it)."""
        return self.user_id if self.user_id is not None else (self.email or "").strip().lower()


class TeamMember(BaseModel):
    """One person on a pool's team, as the pool's managers may know them."""

    user_id: int
    name: str = Field(description="Their display name; empty when the account has none.")
    email: str | None = Field(
        description="Shown to admins only, who read every account; a manager knows colleagues by name."
    )
    active: bool = Field(description="False for a disabled account: it stays on the team until removed.")
    since: datetime = Field(description="When they joined the team.")


class PoolTeamOut(BaseModel):
    """A pool's team: the managers who run it and the analysts granted to read it, each in the
    order they joined."""

    pool_id: int
    pool_name: str
    managers: list[TeamMember]
    analysts: list[TeamMember]


class AnalystGrantOut(BaseModel):
    pool_id: int
    user_id: int
    granted_at: datetime
