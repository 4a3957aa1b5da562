"""Reminders of what an investor owes: 7, 3 and 1 days before a capital call is due, on the
day, and once a week while it is overdue (for eight weeks; after that the manager chases it by hand,
seeing it overdue on the payments page). Sent through the notification service, which
delivers in-app today and by email or SMS once it gains those channels.

Each reminder is an event of its own ("payment-reminder:<request>:<stage>"), and the
notification service creates each event's notifications once, so the daily task may run any
number of times, or miss a day, without reminding twice or skipping a stage for good.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from backend.investors.interface import InvestorService
from backend.payments.models import PaymentRequest
from backend.payments.notices import login_of
from backend.payments.schemas import RequestStatus
from backend.platform.db import Database
from backend.platform.unit_of_work import ReadView
from backend.pools.interface import PoolService
from notifications.interface import Amount, Day, NotificationIn, NotificationKind, NotificationService, worded

REMIND_BEFORE = timedelta(days=7)
DAYS_BEFORE = (1, 3, 7)
"""The reminders before the due date; each covers the days up to the next (a day the task
did not run is caught up by the next run, never reminded twice)."""
OVERDUE_WEEKS = 8


def reminder_stage(due: date, today: date) -> str | None:
    """Which reminder `today` owes for a request due on `due`, or None."""
    late = (today - due).days
    if late < 0:
        return next((f"due-in-{days}" for days in DAYS_BEFORE if -late <= days), None)
    if late == 0:
        return "due-today"
    if 0 < late <= OVERDUE_WEEKS * 7:
        return f"overdue-week-{(late - 1) // 7 + 1}"
    return None


@dataclass(frozen=True)
class _Due:
    """What a reminder says of a request, read while the view is open."""

    id: int
    pool_id: int
    investor_id: int
    source_entry_id: int
    reference: str
    currency: str
    owed: Decimal
    due_date: date

    @classmethod
    def of(cls, row: PaymentRequest) -> _Due:
        return cls(
            row.id, row.pool_id, row.investor_id, row.source_entry_id, row.reference, row.currency,
            row.amount_due - row.amount_received, row.due_date,
        )  # fmt: skip


class PaymentReminders:
    def __init__(
        self, db: Database, investors: InvestorService, pools: PoolService, notifications: NotificationService
    ) -> None:
        self._db = db
        self._investors = investors
        self._pools = pools
        self._notifications = notifications

    def send(self, today: date) -> int:
        """Reminders owed today; returns how many notifications were created."""
        horizon = today + REMIND_BEFORE
        with ReadView(self._db) as view:
            requests = [
                _Due.of(r)
                for r in view.session.scalars(
                    select(PaymentRequest).where(
                        PaymentRequest.status.in_(
                            [RequestStatus.OPEN.value, RequestStatus.PARTIALLY_PAID.value]
                        ),
                        PaymentRequest.due_date <= horizon,
                        PaymentRequest.due_date >= today - timedelta(weeks=OVERDUE_WEEKS),
                    )
                )
            ]
        sent = 0
        for request in requests:
            stage = reminder_stage(request.due_date, today)
            if stage is None:
                continue
            user_id = login_of(self._investors, request.investor_id)
            if user_id is None:
                continue  # an investor without a login is reminded by the manager
            pool = self._pools.pool_terms(request.pool_id)
            sent += self._notifications.create_for_event(
                f"payment-reminder:{request.id}:{stage}", [_notice(request, pool.name, user_id, stage)]
            )
        return sent


def _notice(request: _Due, pool_name: str, user_id: int, stage: str) -> NotificationIn:
    amount = Amount(value=request.owed, currency=request.currency)
    due = Day(value=request.due_date)
    if stage.startswith("due-in-"):
        title = worded("%(pool)s: %(amount)s is due on %(due)s", pool=pool_name, amount=amount, due=due)
    elif stage == "due-today":
        title = worded("%(pool)s: %(amount)s is due today", pool=pool_name, amount=amount)
    else:
        title = worded(
            "%(pool)s: %(amount)s was due on %(due)s and is overdue",
            pool=pool_name,
            amount=amount,
            due=due,
        )
    return NotificationIn(
        user_id=user_id,
        kind=NotificationKind.PAYMENT_REMINDER,
        pool_id=request.pool_id,
        entry_id=request.source_entry_id,
        title_words=title,
        body_words=worded(
            "Quote reference %(reference)s on a wire, or pay now with a saved method.",
            reference=request.reference,
        ),
        link="/investor/payments",
    )
