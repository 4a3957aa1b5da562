"""Contributions recorded straight in the books (a manager's entry, an import, the demo's
history) settle payment requests too, so a request never shows as owed what the books say
was paid.

The ledger is the record of money: a contribution it holds that the payment service did not
post is mirrored as a payment on the "books" rail, applied to the investor's open requests in
the pool oldest due first (as the books settle calls), the rest held as credit on the last.
Such payments are already in the books: the sweep never posts or reverses them; a reversal of
the entry in the books takes them back. Idempotent per entry and request.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.payments import settlement
from backend.payments.models import Payment, PaymentRequest
from backend.payments.schemas import Rail, RequestStatus
from backend.payments.settlement import ZERO
from backend.payments.states import HOLDS_MONEY, PaymentStatus
from backend.platform.db import Database
from backend.platform.unit_of_work import UnitOfWork


def mirror_contribution(
    db: Database, *, pool_id: int, investor_id: int, entry_id: int, amount: Decimal, on: date
) -> int:
    """Apply a contribution the books hold to the investor's open requests; returns how many
    payments it made (0 when it was mirrored before, or nothing is open)."""
    try:
        with UnitOfWork(db) as unit:
            unit.write_first("payments", "status")
            session = unit.session
            # Per entry and investor: a distribution may pay several investors' calls at once.
            mirrored = (
                select(Payment.id)
                .join(PaymentRequest, Payment.request_id == PaymentRequest.id)
                .where(
                    Payment.attempt_key.like(f"books-{entry_id}-%"),
                    PaymentRequest.investor_id == investor_id,
                )
            )
            if session.scalar(mirrored):
                return 0
            open_requests = list(
                session.scalars(
                    select(PaymentRequest)
                    .where(
                        PaymentRequest.pool_id == pool_id,
                        PaymentRequest.investor_id == investor_id,
                        PaymentRequest.status.in_(
                            [RequestStatus.OPEN.value, RequestStatus.PARTIALLY_PAID.value]
                        ),
                    )
                    .order_by(PaymentRequest.due_date, PaymentRequest.id)
                    .with_for_update()
                )
            )
            left, made = amount, 0
            for i, request in enumerate(open_requests):
                last = i == len(open_requests) - 1
                part = left if last else min(left, request.amount_due - request.amount_received)
                if part <= 0:
                    continue
                payment = settlement.open_payment(
                    session,
                    request,
                    rail=Rail.BOOKS,
                    amount=part,
                    attempt_key=f"books-{entry_id}-{request.id}",
                    cause=f"books:{entry_id}",
                    value_date=on,
                    ledger_entry_id=entry_id,
                )
                settlement.succeed(session, payment, f"books:{entry_id}", on)
                payment.posted_amount = payment.amount  # the books hold all of it already
                left -= part
                made += 1
                if left <= 0:
                    break
            unit.commit()
            return made
    except IntegrityError:
        return 0  # mirrored at the same moment by another consumer


def unmirror_reversal(db: Database, reversed_entry_id: int, why: str) -> int:
    """The books reversed a contribution: its mirrored payments give the money back."""
    with UnitOfWork(db) as unit:
        unit.write_first("payments", "status")
        session = unit.session
        payments = list(
            session.scalars(
                select(Payment)
                .where(Payment.rail == Rail.BOOKS.value, Payment.ledger_entry_id == reversed_entry_id)
                .with_for_update()
            )
        )
        changed = 0
        for payment in payments:
            if PaymentStatus(payment.status) in HOLDS_MONEY:
                settlement.money_back(
                    session, payment, payment.amount, target=PaymentStatus.REVERSED, cause=why, why=why
                )
                payment.posted_amount = ZERO
                changed += 1
        unit.commit()
        return changed
