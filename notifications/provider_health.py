"""How each delivery provider is doing, read from the deliveries themselves: what an operator
looks at first when a person says they never got a notice.

Per channel (email, SMS): which provider is configured and at what rate, what happened to the
messages recorded in the window (by state), how many wait now and since when, when one last
went, and the last error the provider gave. The verdict is in words, worst first: a message
waiting longer than BEHIND means the provider is down or the senders are not running.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, Field
from sqlalchemy import case, func, or_, select

from backend.platform.db import Database
from backend.platform.unit_of_work import ReadView
from notifications.models import Delivery
from notifications.schemas import Channel, DeliveryStatus

BEHIND = timedelta(minutes=15)
"""The senders run every 30 s: a message due this long ago is an outage, not a queue."""


class ProviderHealthOut(BaseModel):
    channel: Channel
    provider: str = Field(description="what is configured: an SMTP relay, Twilio, or the embedded folder")
    # A decimal, not a float: no float has a faithful form on the wire (the service over gRPC).
    rate_per_second: Decimal = Field(description="the provider's rate the senders keep to")
    window_hours: int
    by_status: dict[str, int] = Field(description="messages recorded in the window, by their state now")
    waiting: int = Field(description="queued now, all of them (retries included)")
    oldest_waiting_since: datetime | None
    retrying: int = Field(description="of those waiting, how many failed at least once")
    last_sent_at: datetime | None
    last_error: str | None = Field(description="the newest error any message of the window recorded")
    verdict: str = Field(description="in words: working, idle, behind, failing")


ProviderDescriptions = Mapping[Channel, tuple[str, float]]
"""{channel: (what the provider is, its rate per second)} as configured (the container)."""


def _verdict(waiting: int, oldest: datetime | None, retrying: int, sent: int, now: datetime) -> str:
    if oldest is not None and now - oldest > BEHIND:
        minutes = int((now - oldest).total_seconds() // 60)
        cause = "the provider keeps failing" if retrying else "are the senders (beat, worker) running?"
        return f"behind: {waiting:,} waiting, the oldest for {minutes:,} minutes ({cause})"
    if retrying:
        return f"failing: {retrying:,} messages wait for a retry after an error"
    if waiting:
        return f"working: {waiting:,} waiting to go"
    return "working" if sent else "idle: nothing sent in the window"


def provider_health(
    db: Database,
    providers: ProviderDescriptions,
    now: datetime,
    *,
    window: timedelta = timedelta(hours=24),
    reader_key: str | None = None,
) -> list[ProviderHealthOut]:
    since = now - window
    found: list[ProviderHealthOut] = []
    with ReadView(db, reader_key) as view:
        s = view.session
        for channel in (Channel.EMAIL, Channel.SMS):
            mine = Delivery.channel == channel.value
            by_status = {
                str(status): int(count)
                for status, count in s.execute(
                    select(Delivery.status, func.count())
                    .where(mine, Delivery.created_at >= since)
                    .group_by(Delivery.status)
                )
            }
            queued = (mine, Delivery.status == DeliveryStatus.QUEUED.value)
            waiting, retrying = s.execute(
                select(func.count(), func.sum(case((Delivery.attempts > 0, 1), else_=0))).where(*queued)
            ).one()
            # Due now and not gone: a retry scheduled for later is waiting by design.
            oldest = s.scalar(
                select(func.min(Delivery.created_at)).where(
                    *queued, or_(Delivery.next_try_at.is_(None), Delivery.next_try_at <= now)
                )
            )
            last_sent = s.scalar(select(func.max(Delivery.sent_at)).where(mine))
            last_error = s.scalar(
                select(Delivery.last_error)
                .where(mine, Delivery.created_at >= since, Delivery.last_error != "")
                .where(~Delivery.last_error.startswith("resent by"))
                .order_by(Delivery.id.desc())
                .limit(1)
            )
            provider, rate = providers.get(channel, ("not configured", 0.0))
            sent = by_status.get(DeliveryStatus.SENT.value, 0) + by_status.get(
                DeliveryStatus.DELIVERED.value, 0
            )
            found.append(
                ProviderHealthOut(
                    channel=channel,
                    provider=provider,
                    rate_per_second=Decimal(str(rate)),  # the setting as written: 0.5, not 0.5000000001
                    window_hours=int(window.total_seconds() // 3600),
                    by_status=by_status,
                    waiting=int(waiting),
                    oldest_waiting_since=oldest,
                    retrying=int(retrying or 0),
                    last_sent_at=last_sent,
                    last_error=last_error,
                    verdict=_verdict(int(waiting), oldest, int(retrying or 0), sent, now),
                )
            )
    return found
