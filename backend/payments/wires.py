"""Wires recorded by hand, four eyes: one manager records what the bank account shows, and
another manager of the pool (or an admin) approves it before anything reaches the books.

Both steps are audited. The approval moves the payment to succeeded; the facade then posts
the contribution (ledger_posting.py), as for every other rail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from backend.audit.interface import AuditService
from backend.finance.money import get_currency
from backend.payments import settlement
from backend.payments.access import PaymentAccess
from backend.payments.models import Payment, PaymentRequest
from backend.payments.schemas import PaymentOut, Rail, WireApproval, WireIn
from backend.payments.statements import on_wire_decided
from backend.payments.states import PaymentStatus
from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.platform.unit_of_work import UnitOfWork


class WireDesk:
    def __init__(
        self, db: Database, audit: AuditService, access: PaymentAccess, today: Callable[[], date]
    ) -> None:
        self._db = db
        self._audit = audit
        self._access = access
        self._today = today

    def record(self, actor: Actor, wire: WireIn) -> PaymentOut:
        """A wire a manager saw on the bank account: held until another manager or an admin
        approves it (`decide`); nothing reaches the books before."""
        with UnitOfWork(self._db, actor.reader_key) as unit:
            request = unit.session.get(PaymentRequest, wire.request_id)
            if request is None or not self._access.manages(actor, request.pool_id):
                raise NotFound(f"payment request {wire.request_id} not found", field="request_id")
            currency = get_currency(request.currency)
            if wire.amount <= 0:
                raise ValidationFailed("amount: must be greater than zero", field="amount")
            if wire.amount != wire.amount.quantize(currency.quantum):
                raise ValidationFailed(
                    f"amount: {currency.code} has {currency.exponent} decimal places", field="amount"
                )
            taken = unit.session.scalar(
                select(Payment.id).where(
                    Payment.rail == Rail.BANK_TRANSFER.value,
                    Payment.bank_reference == wire.bank_reference,
                    Payment.pool_id == request.pool_id,
                    Payment.status != PaymentStatus.CANCELED.value,
                )
            )
            if taken is not None:
                raise Conflict(f"bank_reference: already recorded as payment {taken}", field="bank_reference")
            payment = settlement.open_payment(
                unit.session,
                request,
                rail=Rail.BANK_TRANSFER,
                amount=wire.amount,
                attempt_key=str(uuid.uuid4()),
                cause=f"wire:{actor.label}",
                value_date=wire.value_date,
                bank_reference=wire.bank_reference,
                recorded_by_user_id=actor.user_id,
                awaiting_approval=True,
            )
            self._audit.record(
                unit.session,
                actor,
                "payment.wire_recorded",
                "payment",
                payment.id,
                after={
                    "request_id": request.id,
                    "amount": str(wire.amount),
                    "value_date": str(wire.value_date),
                },
            )
            unit.commit()
            return PaymentOut.model_validate(payment)

    def decide(self, actor: Actor, payment_id: int, decision: WireApproval) -> None:
        """The second pair of eyes: approve (the payment succeeds and is posted) or reject."""
        with UnitOfWork(self._db, actor.reader_key) as unit:
            unit.write_first("payments", "status")
            payment = unit.session.get(Payment, payment_id, with_for_update=True)
            if payment is None or not self._access.manages(actor, payment.pool_id):
                raise NotFound(f"payment {payment_id} not found", field="payment_id")
            if not payment.awaiting_approval:
                raise Conflict(f"payment {payment_id} is not awaiting approval", field="payment_id")
            if actor.user_id is not None and actor.user_id == payment.recorded_by_user_id:
                raise PermissionDenied(
                    "approve: the wire must be approved by someone other than who recorded it",
                    field="approve",
                )
            payment.awaiting_approval = False
            payment.approved_by_user_id = actor.user_id
            cause = f"{'approval' if decision.approve else 'rejection'}:{actor.label}"
            if decision.approve:
                settlement.succeed(unit.session, payment, cause, self._today())
            else:
                payment.failure_reason = decision.reason or "rejected"
                settlement.transition(unit.session, payment, PaymentStatus.CANCELED, cause)
            on_wire_decided(unit.session, payment, decision.approve)
            self._audit.record(
                unit.session,
                actor,
                "payment.wire_decided",
                "payment",
                payment.id,
                after={"approve": decision.approve, "reason": decision.reason},
            )
            unit.commit()
