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
from notifications.interface import NotificationIn, NotificationKind, NotificationService

RELAY_STUCK = timedelta(minutes=10)
"""The relay publishes within seconds; ten minutes behind is an outage, not a busy moment."""
_OPERATOR = Actor.operator("operator-alerts")


class BacklogSource(Protocol):
    """What the alert reads of the relay: its backlog (ledger.interface.OutboxRelay)."""

    def backlog(self) -> Backlog: ...


def _admins(users: UserService) -> list[int]:
    return sorted(u.id for u in users.list_users(_OPERATOR) if u.role is Role.ADMIN and u.is_active)


def _tell(
    notifications: NotificationService, admins: list[int], event_id: str, *, title: str, body: str, on: date
) -> int:
    items = [
        NotificationIn(
            user_id=user_id,
            kind=NotificationKind.OPERATOR_ALERT,
            title=title[:200],
            body=body[:500],
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
    return _tell(
        notifications,
        _admins(users),
        # One alert a day per outage: a backlog that lasts all night wakes nobody twice.
        f"operator:relay-backlog:{now:%Y-%m-%d}",
        title="Operator alert: ledger events are not reaching the broker",
        body=f"{backlog.unpublished:,} events wait to be published; the oldest since "
        f"{oldest:%Y-%m-%d %H:%M} UTC ({minutes:,} minutes). Capital call notices and payment "
        "requests wait for them: check the relay and RabbitMQ.",
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
    kinds = sorted({d.kind.value.replace("_", " ") for d in run.differences})
    body = f"{len(run.differences):,} differences between the money and the books"
    body += f" ({', '.join(kinds)})." if kinds else "."
    if run.gateway_error:
        body += f" The gateway could not be read: {run.gateway_error}."
    return _tell(
        notifications,
        _admins(users),
        f"operator:reconciliation:{on.isoformat()}",
        title=f"Operator alert: the reconciliation of {on.isoformat()} needs a person",
        body=body + " Each says what to do on the payments page.",
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
