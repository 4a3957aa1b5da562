"""The operator alerts: what the platform cannot put right by itself, told to every active
administrator (in the app and by email), at most once a day per alert.

- The ledger's events are not reaching the broker: the oldest unpublished event is older than
  RELAY_STUCK (the relay is down, or the broker is). Until it recovers, nobody is told of
  capital calls and no payment request is opened from them.
- The last reconciliation found differences between the money (gateway, bank statements)
  and the books: each is money a person must look at.

Run by beat every few minutes; cheap when all is well (one count, one read of the last run).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol

from backend.payments.interface import PaymentService
from backend.platform.actors import Actor, Role
from backend.platform.errors import NotFound
from backend.users.interface import UserService
from ledger.interface import Backlog
from notifications.interface import NotificationIn, NotificationKind, NotificationService, Words, worded

RELAY_STUCK = timedelta(minutes=10)
"""The relay publishes within seconds; ten minutes behind is an outage, not a busy moment."""
_OPERATOR = Actor.operator("operator-alerts")


class BacklogSource(Protocol):
    """What the alert reads of the relay: its backlog (ledger.interface.OutboxRelay)."""

    def backlog(self) -> Backlog: ...


def _admins(users: UserService) -> list[int]:
    return sorted(u.id for u in users.list_users(_OPERATOR) if u.role is Role.ADMIN and u.is_active)


def _tell(
    notifications: NotificationService,
    admins: list[int],
    event_id: str,
    *,
    title: Words,
    body: Words,
    on: date,
) -> int:
    items = [
        NotificationIn(
            user_id=user_id,
            kind=NotificationKind.OPERATOR_ALERT,
            title_words=title,
            body_words=body,
            link="/admin/system",
            effective_date=on,
        )
        for user_id in admins
    ]
    return notifications.create_for_event(event_id, items) if items else 0


def relay_backlog_alert(
    relay: BacklogSource, users: UserService, notifications: NotificationService, now: datetime
) -> int:
    backlog = relay.backlog()
    oldest = backlog.oldest_created_at
    if oldest is None or now - oldest < RELAY_STUCK:
        return 0
    minutes = int((now - oldest).total_seconds() // 60)
    count, since, waited = backlog.counted(), f"{oldest:%Y-%m-%d %H:%M}", f"{minutes:,}"
    return _tell(
        notifications,
        _admins(users),
        # One alert a day per outage: a backlog that lasts all night wakes nobody twice.
        f"operator:relay-backlog:{now:%Y-%m-%d}",
        title=worded("Operator alert: ledger events are not reaching the broker"),
        body=worded(
            "%(count)s events wait to be published; the oldest since %(since)s UTC (%(minutes)s minutes). "
            "Capital call notices and payment requests wait for them: check the relay and RabbitMQ.",
            count=count,
            since=since,
            minutes=waited,
        ),
        on=now.date(),
    )


def reconciliation_alert(
    payments: PaymentService, users: UserService, notifications: NotificationService, on: date
) -> int:
    """The reconciliation of `on` (yesterday, reconciled at night) found differences."""
    try:
        run = payments.reconciliation(_OPERATOR, on)
    except NotFound:
        return 0
    if not run.differences and run.gateway_error is None:
        return 0
    kinds = ", ".join(sorted({d.kind.value.replace("_", " ") for d in run.differences}))
    count = f"{len(run.differences):,}"
    if kinds:
        found = worded(
            "%(count)s differences between the money and the books (%(kinds)s).", count=count, kinds=kinds
        )
    else:
        found = worded("%(count)s differences between the money and the books.", count=count)
    if run.gateway_error:
        found = worded(
            "%(found)s The gateway could not be read: %(error)s.", found=found, error=run.gateway_error
        )
    return _tell(
        notifications,
        _admins(users),
        f"operator:reconciliation:{on.isoformat()}",
        title=worded("Operator alert: the reconciliation of %(day)s needs a person", day=on.isoformat()),
        body=worded("%(found)s Each says what to do on the payments page.", found=found),
        on=on,
    )


def operator_alerts(
    relay: BacklogSource,
    payments: PaymentService,
    users: UserService,
    notifications: NotificationService,
    now: datetime,
) -> dict[str, int]:
    return {
        "relay_backlog": relay_backlog_alert(relay, users, notifications, now),
        "reconciliation": reconciliation_alert(
            payments, users, notifications, now.date() - timedelta(days=1)
        ),
    }
