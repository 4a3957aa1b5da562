"""A notice on its way: the channels it goes by, a delivery's states, the admins' delivery log
and its filter, and a kind's email as previewed.

Apart from the notices themselves because a delivery is the outbox's record (what was sent
where, how it went), read by the administrators, not by the person notified.
"""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from notifications.schemas.notices import NotificationKind


class Channel(enum.StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    SMS = "sms"


class DeliveryStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    """Refused for good (the server rejected the address): not tried again."""
    UNKNOWN = "unknown"
    """A worker died while sending: it may have gone. Not sent again without a person."""
    DELIVERED = "delivered"
    """The provider reported it on the person's phone (an SMS's signed status callback)."""
    BOUNCED = "bounced"
    """The provider reported it undeliverable after taking it: not tried again."""


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: str
    user_id: int
    channel: Channel
    kind: NotificationKind
    pool_id: int | None
    to_address: str
    subject: str
    status: DeliveryStatus
    attempts: int
    next_try_at: datetime | None
    last_error: str
    created_at: datetime
    sent_at: datetime | None


class DeliveryFilter(BaseModel):
    """Which deliveries the log shows (administrators): all of them, newest first, unless narrowed."""

    model_config = ConfigDict(extra="forbid")

    status: DeliveryStatus | None = None
    channel: Channel | None = None
    kind: NotificationKind | None = None
    search: str = Field(default="", max_length=100, description="part of the address, number or subject")
    limit: int = Field(default=200, ge=1, le=1000)


class EmailPreview(BaseModel):
    """A kind's email rendered with sample figures (administrators: notifications/previews.py)."""

    kind: NotificationKind
    subject: str
    text: str = Field(description="the plain-text part, as sent")
    html: str = Field(description="the HTML part, as sent: show it sandboxed, never inline")
