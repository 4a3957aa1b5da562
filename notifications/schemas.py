"""The notification service's public types."""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class NotificationKind(enum.StrEnum):
    CAPITAL_CALL = "capital_call.issued"
    DISTRIBUTION = "distribution.made"
    VALUATION = "valuation.recorded"
    PAYMENT_REMINDER = "payment.reminder"


class NotificationIn(BaseModel):
    """One notification to create for one user (the consumer builds these from an event)."""

    model_config = ConfigDict(extra="forbid")

    user_id: int
    kind: NotificationKind
    pool_id: int | None = None
    entry_id: int | None = None
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=500)
    link: str = Field(default="", max_length=200)


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: NotificationKind
    pool_id: int | None
    entry_id: int | None
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class NotificationList(BaseModel):
    items: list[NotificationOut] = Field(description="newest first")
    unread: int = Field(description="how many of the user's notifications are unread (all, not just these)")


MAX_LIST = 100
