"""Payments staged as the gateway rail leaves them, for benchmarks and load tests: what "Pay
now" would have written for every request of a pool, without a round trip to the gateway per
payment, so that what is measured is what comes after (webhooks, reconciliation)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select

from backend.payments import settlement
from backend.payments.models import Payment, PaymentRequest
from backend.payments.schemas import Rail
from backend.payments.states import PaymentStatus
from backend.platform.db import Database
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import UnitOfWork


def stage_processing_payments(db: Database, pool_id: int) -> dict[int, str]:
    """{payment id: gateway payment id}: one payment per request of the pool, processing at
    the gateway (a bank debit accepted and not yet settled)."""
    staged: dict[int, str] = {}
    with UnitOfWork(db) as unit:
        for request in unit.session.scalars(select(PaymentRequest).where(PaymentRequest.pool_id == pool_id)):
            payment = settlement.open_payment(
                unit.session,
                request,
                rail=Rail.GATEWAY,
                amount=request.amount_due,
                attempt_key=f"staged-{request.id}-{uuid.uuid4().hex[:8]}",
                cause="pay-now:staged",
                method_token="pm_sepaDebit_success",  # noqa: S106 - the gateway's test token
            )
            payment.gateway_payment_id = f"pi_{uuid.uuid4().hex[:24]}"
            settlement.transition(unit.session, payment, PaymentStatus.PROCESSING, "gateway accepted")
            payment.status = PaymentStatus.PROCESSING.value
            staged[payment.id] = payment.gateway_payment_id
        unit.commit()
    return staged


def stage_settled_payments(db: Database, pool_id: int, count: int, amount: Decimal, on: date) -> list[str]:
    """`count` gateway payments of the pool that succeeded on `on` and are in the books,
    bulk-inserted against one of its requests; returns their gateway ids in order."""
    with UnitOfWork(db) as unit:
        request = unit.session.scalars(
            select(PaymentRequest).where(PaymentRequest.pool_id == pool_id)
        ).first()
        if request is None:
            raise ValueError(f"pool {pool_id} has no payment request to stage payments against")
        request_id, investor_id, currency = request.id, request.investor_id, request.currency
        unit.commit()
    now = utcnow()
    ids = [f"pi_settled_{uuid.uuid4().hex[:12]}_{i}" for i in range(count)]
    rows = [
        {
            "request_id": request_id,
            "pool_id": pool_id,
            "investor_id": investor_id,
            "rail": Rail.GATEWAY.value,
            "attempt_key": f"settled-{gateway_id}",
            "amount": amount,
            "currency": currency,
            "status": PaymentStatus.SUCCEEDED.value,
            "gateway_payment_id": gateway_id,
            "applied": amount,
            "credit": Decimal(0),
            "posted_amount": amount,
            "posting_round": 0,
            "awaiting_approval": False,
            "gateway_tries": 0,
            "value_date": on,
            "created_at": now,
            "updated_at": now,
        }
        for gateway_id in ids
    ]
    with db.writer_session() as session:
        for start in range(0, len(rows), 5000):
            session.execute(insert(Payment), rows[start : start + 5000])
        session.commit()
    return ids
