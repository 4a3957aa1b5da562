"""What news of a payment does to it and to its request, inside the caller's transaction.

A succeeded payment is applied to its request up to what is still due, and the rest is the
investor's credit; money that comes back takes the credit back first, then what was applied.
Every status change is a row of `payment_transitions` with its cause.
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.finance.money import get_currency
from backend.payments.gateway_events import PaymentNews
from backend.payments.models import Payment, PaymentRequest, PaymentTransition
from backend.payments.schemas import Rail, RequestStatus
from backend.payments.states import PaymentStatus, next_status
from backend.platform.orm import utcnow

log = logging.getLogger(__name__)
ZERO = Decimal(0)
Row = TypeVar("Row", Payment, PaymentRequest)


def get_row(session: Session, model: type[Row], key: int, *, lock: bool = False) -> Row:
    row = session.get(model, key, with_for_update=lock)
    if row is None:  # a foreign key or an id read a moment ago: only a bug gets here
        raise RuntimeError(f"{model.__name__} {key} vanished")
    return row


def request_status(row: PaymentRequest) -> RequestStatus:
    if row.amount_due == 0 and row.credit == 0:  # shares are positive: only a canceled call owes 0
        return RequestStatus.CANCELED
    if row.credit > 0:
        return RequestStatus.OVERPAID
    if row.amount_received >= row.amount_due:
        return RequestStatus.PAID
    return RequestStatus.PARTIALLY_PAID if row.amount_received > 0 else RequestStatus.OPEN


def transition(
    session: Session, payment: Payment, to: PaymentStatus, cause: str, *, new: bool = False
) -> None:
    session.add(
        PaymentTransition(
            payment_id=payment.id,
            from_status=None if new else payment.status,
            to_status=to.value,
            cause=cause[:120],
        )
    )
    payment.status = to.value
    payment.updated_at = utcnow()


def open_payment(
    session: Session,
    request: PaymentRequest,
    *,
    rail: Rail,
    amount: Decimal,
    attempt_key: str,
    cause: str,
    value_date: date | None = None,
    method_token: str | None = None,
    bank_reference: str | None = None,
    recorded_by_user_id: int | None = None,
    awaiting_approval: bool = False,
    ledger_entry_id: int | None = None,
) -> Payment:
    """A new payment against `request`, pending, with its first transition: every rail opens
    its payments here, so each starts with nothing applied, credited or posted."""
    payment = Payment(
        request_id=request.id,
        pool_id=request.pool_id,
        investor_id=request.investor_id,
        rail=rail.value,
        attempt_key=attempt_key,
        amount=amount,
        currency=request.currency,
        status=PaymentStatus.PENDING.value,
        method_token=method_token,
        bank_reference=bank_reference,
        applied=ZERO,
        credit=ZERO,
        ledger_entry_id=ledger_entry_id,
        posted_amount=ZERO,
        posting_round=0,
        recorded_by_user_id=recorded_by_user_id,
        awaiting_approval=awaiting_approval,
        value_date=value_date,
    )
    session.add(payment)
    session.flush()
    transition(session, payment, PaymentStatus.PENDING, cause, new=True)
    return payment


def succeed(session: Session, payment: Payment, cause: str, today: date) -> None:
    request = get_row(session, PaymentRequest, payment.request_id, lock=True)
    outstanding = max(request.amount_due - request.amount_received, ZERO)
    payment.applied = min(payment.amount, outstanding)
    payment.credit = payment.amount - payment.applied
    payment.value_date = payment.value_date or today
    request.amount_received += payment.applied
    request.credit += payment.credit
    request.status = request_status(request).value
    transition(session, payment, PaymentStatus.SUCCEEDED, cause)


def money_back(
    session: Session,
    payment: Payment,
    back: Decimal,
    *,
    target: PaymentStatus,
    cause: str,
    why: str | None,
) -> None:
    """A refund, a return or a dispute of `back` in all: the request is owed again what came
    back (credit first, then what was applied); the books follow (books.py)."""
    request = get_row(session, PaymentRequest, payment.request_id, lock=True)
    already_back = payment.amount - payment.applied - payment.credit
    fresh = max(min(back, payment.amount) - already_back, ZERO)
    from_credit = min(fresh, payment.credit)
    from_applied = min(fresh - from_credit, payment.applied)
    payment.credit -= from_credit
    payment.applied -= from_applied
    request.credit -= from_credit
    request.amount_received -= from_applied
    request.status = request_status(request).value
    payment.failure_reason = why or payment.failure_reason
    transition(session, payment, target, cause)


def payment_for(session: Session, news: PaymentNews) -> Payment | None:
    """The payment the news is about: by the gateway's id, else by our id in its metadata."""
    if news.gateway_payment_id:
        found = session.scalar(
            select(Payment).where(Payment.gateway_payment_id == news.gateway_payment_id).with_for_update()
        )
        if found is not None:
            return found
    if news.payment_id is not None:
        found = session.get(Payment, news.payment_id, with_for_update=True)
        if (
            found is not None
            and found.rail == Rail.GATEWAY.value
            and (found.gateway_payment_id in (None, news.gateway_payment_id))
        ):
            found.gateway_payment_id = found.gateway_payment_id or news.gateway_payment_id
            return found
    return None


def apply_news(session: Session, payment: Payment | None, news: PaymentNews, today: date) -> str | None:
    """Apply the event to the payment; the reason it changed nothing, or None."""
    if news.reported is None:
        return f"{news.event_type}: not an event that moves a payment"
    if payment is None:
        return "no payment of ours has this gateway id"
    minor = get_currency(payment.currency).quantum
    if news.currency is not None and news.currency != payment.currency:
        return f"currency {news.currency} differs from the payment's {payment.currency}"
    if news.amount_minor is not None and Decimal(news.amount_minor) * minor != payment.amount:
        return f"amount {Decimal(news.amount_minor) * minor} differs from the payment's {payment.amount}"
    target = next_status(PaymentStatus(payment.status), news.reported)
    if target is None:
        return f"stale: {news.reported.value} after {payment.status}"
    if target is PaymentStatus.SUCCEEDED:
        succeed(session, payment, news.event_id, today)
    elif target in (PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REVERSED):
        back = payment.amount
        if target is PaymentStatus.PARTIALLY_REFUNDED and news.refunded_minor is not None:
            back = Decimal(news.refunded_minor) * minor
        money_back(session, payment, back, target=target, cause=news.event_id, why=news.failure)
    else:
        payment.failure_reason = news.failure
        transition(session, payment, target, news.event_id)
    return None


def cancel_call_requests(session: Session, entry_id: int, why: str) -> int:
    """The books reversed capital call `entry_id`: its requests with nothing received owe
    nothing any more (a reminder or "Pay now" would ask for money the books no longer call).
    A request already partly paid is left as it is, for a person: the money stands in the
    books as a contribution, and the ledger reverses entries newest first."""
    canceled = 0
    for request in session.scalars(
        select(PaymentRequest).where(PaymentRequest.source_entry_id == entry_id).with_for_update()
    ):
        if request.amount_received == 0 and request.credit == 0:
            request.amount_due = ZERO
            request.status = RequestStatus.CANCELED.value
            canceled += 1
        else:
            log.warning("call %s reversed; request %s was paid in part: %s", entry_id, request.id, why)
    return canceled
