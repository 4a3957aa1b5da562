"""Telling the investor what became of a payment: received, failed (or came back), refunded.

Each outcome is an event of its own ("payment:<id>:<status>") in the notification service,
which creates each event's notices once; the payment remembers the status it last told of
(`notified_status`), so the sweep finds the few it has not told yet, after a crash too.
Payments mirrored from the books (a manager's own entry, history) and money settled long
ago are recorded as told without a notice: the investor hears of today's money, not a load.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import or_, select, update

from backend.investors.interface import InvestorService
from backend.payments.models import Payment, PaymentRequest, Payout
from backend.payments.payout_schemas import PayoutStatus
from backend.payments.schemas import Rail
from backend.payments.states import PaymentStatus
from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import NotFound
from backend.platform.unit_of_work import ReadView, UnitOfWork
from backend.pools.interface import PoolService
from notifications.interface import (
    Amount,
    Day,
    NotificationIn,
    NotificationKind,
    NotificationService,
    Words,
    worded,
)

OPERATOR = Actor.operator("payment-notices")
TOLD = {
    PaymentStatus.SUCCEEDED: NotificationKind.PAYMENT_RECEIVED,
    PaymentStatus.FAILED: NotificationKind.PAYMENT_FAILED,
    PaymentStatus.REVERSED: NotificationKind.PAYMENT_FAILED,
    PaymentStatus.REFUNDED: NotificationKind.PAYMENT_REFUNDED,
    PaymentStatus.PARTIALLY_REFUNDED: NotificationKind.PAYMENT_REFUNDED,
}
RECENT = timedelta(days=31)


@dataclass(frozen=True)
class _Outcome:
    id: int
    status: PaymentStatus
    rail: str
    pool_id: int
    investor_id: int
    currency: str
    amount: Decimal
    applied: Decimal
    credit: Decimal
    reference: str
    why: str | None
    day: date | None


@dataclass(frozen=True)
class _Paid:
    id: int
    pool_id: int
    investor_id: int
    currency: str
    amount: Decimal
    end_to_end_id: str
    day: date


def login_of(investors: InvestorService, investor_id: int) -> int | None:
    """The user an investor signs in as, to be told of their money; None: nobody to tell (no
    login, or the investor is gone), and their manager tells them."""
    try:
        return investors.get_investor(OPERATOR, investor_id).user_id
    except NotFound:
        return None


class PaymentNotices:
    def __init__(
        self,
        db: Database,
        investors: InvestorService,
        pools: PoolService,
        notifications: NotificationService,
        today: Callable[[], date],
    ) -> None:
        self._db = db
        self._investors = investors
        self._pools = pools
        self._notifications = notifications
        self._today = today

    def send(self, payment_id: int | None = None) -> int:
        """Tell investors of outcomes not told yet (or just `payment_id`'s); returns how many."""
        told = 0
        for outcome in self._untold(payment_id):
            notice = self._notice(outcome)
            if notice is not None:
                event = f"payment:{outcome.id}:{outcome.status.value}"
                told += self._notifications.create_for_event(event, [notice])
            self._mark(outcome)
        return told

    def _untold(self, payment_id: int | None) -> list[_Outcome]:
        stmt = (
            select(Payment, PaymentRequest.reference)
            .join(PaymentRequest, PaymentRequest.id == Payment.request_id)
            .where(
                Payment.status.in_([s.value for s in TOLD]),
                or_(Payment.notified_status.is_(None), Payment.notified_status != Payment.status),
            )
        )
        if payment_id is not None:
            stmt = stmt.where(Payment.id == payment_id)
        with ReadView(self._db) as view:
            rows = view.session.execute(stmt.order_by(Payment.id).limit(1000))
            return [
                _Outcome(
                    p.id, PaymentStatus(p.status), p.rail, p.pool_id, p.investor_id, p.currency,
                    p.amount, p.applied, p.credit, reference, p.failure_reason, p.value_date,
                )
                for p, reference in rows
            ]  # fmt: skip

    def _notice(self, o: _Outcome) -> NotificationIn | None:
        if o.rail == Rail.BOOKS.value or (o.day is not None and o.day < self._today() - RECENT):
            return None
        user_id = login_of(self._investors, o.investor_id)
        if user_id is None:
            return None
        try:
            pool = self._pools.pool_terms(o.pool_id).name
        except NotFound:
            return None
        amount = Amount(value=o.amount, currency=o.currency)
        kind = TOLD[o.status]
        if kind is NotificationKind.PAYMENT_RECEIVED:
            title = worded("%(pool)s: payment of %(amount)s received", pool=pool, amount=amount)
            body = worded("Applied to %(reference)s.", reference=o.reference)
            if o.credit > 0:
                extra = Amount(value=o.credit, currency=o.currency)
                body = worded(
                    "Applied to %(reference)s. %(extra)s more than was due is held as your credit.",
                    reference=o.reference,
                    extra=extra,
                )
        elif kind is NotificationKind.PAYMENT_FAILED:
            title = worded("%(pool)s: payment of %(amount)s did not go through", pool=pool, amount=amount)
            body = worded(
                "%(why)s. %(reference)s is still owed: pay another way or by wire.",
                why=o.why or worded("The payment failed"),
                reference=o.reference,
            )
        else:
            if o.status is PaymentStatus.PARTIALLY_REFUNDED:
                title = worded("%(pool)s: payment of %(amount)s partly refunded", pool=pool, amount=amount)
            else:
                title = worded("%(pool)s: payment of %(amount)s refunded", pool=pool, amount=amount)
            body = worded(
                "%(why)s; %(reference)s is owed again for what was refunded of it.",
                why=o.why or worded("Refunded"),
                reference=o.reference,
            )
        return NotificationIn(
            user_id=user_id,
            kind=kind,
            pool_id=o.pool_id,
            title_words=title,
            body_words=body,
            link="/investor/payments",
        )

    def send_payouts(self) -> int:
        """Tell investors of redemption proceeds paid and not told yet; returns how many."""
        stmt = (
            select(Payout)
            .where(
                Payout.kind == "redemption",
                Payout.status == PayoutStatus.PAID.value,
                or_(Payout.notified_status.is_(None), Payout.notified_status != Payout.status),
            )
            .order_by(Payout.id)
            .limit(1000)
        )
        with ReadView(self._db) as view:
            paid = [
                _Paid(
                    p.id, p.pool_id, p.investor_id, p.currency, p.amount, p.end_to_end_id,
                    p.updated_at.date(),
                )
                for p in view.session.scalars(stmt)
            ]  # fmt: skip
        told = 0
        for payout in paid:
            payout_id = payout.id
            notice = self._payout_notice(payout)
            if notice is not None:
                told += self._notifications.create_for_event(f"payout:{payout_id}:paid", [notice])
            with UnitOfWork(self._db) as unit:
                unit.write_first("payment_payouts", "status")
                unit.session.execute(
                    update(Payout)
                    .where(Payout.id == payout_id, Payout.status == PayoutStatus.PAID.value)
                    .values(notified_status=PayoutStatus.PAID.value)
                    .execution_options(synchronize_session=False)
                )
                unit.commit()
        return told

    def _payout_notice(self, p: _Paid) -> NotificationIn | None:
        if p.day < self._today() - RECENT:
            return None  # history loaded today is not news
        user_id = login_of(self._investors, p.investor_id)
        if user_id is None:
            return None
        try:
            pool = self._pools.pool_terms(p.pool_id).name
        except NotFound:
            return None
        figure = Amount(value=p.amount, currency=p.currency)
        return NotificationIn(
            user_id=user_id,
            kind=NotificationKind.REDEMPTION_SETTLED,
            pool_id=p.pool_id,
            title_words=worded("%(pool)s: redemption proceeds of %(amount)s paid", pool=pool, amount=figure),
            body_words=worded(
                "Paid on %(day)s to your bank account on file (reference %(reference)s).",
                day=Day(value=p.day),
                reference=p.end_to_end_id,
            ),
            link="/investor/payments",
            effective_date=p.day,
        )

    def bank_details(self, event_id: str, investor_id: int, title: Words, body: Words) -> None:
        """A change of the investor's payout account, told to them (payout_accounts.py)."""
        user_id = login_of(self._investors, investor_id)
        if user_id is not None:
            notice = NotificationIn(
                user_id=user_id,
                kind=NotificationKind.BANK_DETAILS,
                title_words=title,
                body_words=body,
                link="/investor/payments",
            )
            self._notifications.create_for_event(event_id, [notice])

    def _mark(self, o: _Outcome) -> None:
        with UnitOfWork(self._db) as unit:
            unit.write_first("payments", "status")
            unit.session.execute(
                update(Payment)
                .where(Payment.id == o.id, Payment.status == o.status.value)
                .values(notified_status=o.status.value)
                .execution_options(synchronize_session=False)
            )
            unit.commit()
