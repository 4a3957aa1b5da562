"""Refunds of gateway collections, asked by a manager of the pool (or an admin): an
overpayment's credit given back, or a payment returned in part or whole.

The gateway is asked with a key derived from the caller's own idempotency key, so a retry
after a timeout is the same refund, never a second one. Its answer is applied as the gateway's
own news would be (the same table of moves; recorded under the refund's id, so the
charge.refunded webhook that follows adds nothing): the credit goes back first, then what was
applied, which the books then reverse (books.py). Each refund is audited with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from backend.audit.interface import AuditService
from backend.finance.money import get_currency
from backend.payments.access import PaymentAccess
from backend.payments.gateway import (
    GatewayRefund,
    GatewayRefused,
    GatewayUnavailable,
    PaymentGateway,
    gateway_key,
)
from backend.payments.gateway_events import PaymentNews
from backend.payments.models import Payment
from backend.payments.schemas import Rail, RefundIn
from backend.payments.states import HOLDS_MONEY, PaymentStatus
from backend.payments.webhooks import apply_gateway_event
from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import Conflict, DependencyUnavailable, NotFound, ValidationFailed
from backend.platform.unit_of_work import ReadView, UnitOfWork


class RefundDesk:
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        access: PaymentAccess,
        gateway: Callable[[], PaymentGateway | None],
        today: Callable[[], date],
    ) -> None:
        self._db = db
        self._audit = audit
        self._access = access
        self._gateway = gateway
        self._today = today

    def refund(self, actor: Actor, payment_id: int, asked: RefundIn, idempotency_key: str) -> None:
        """Refund `asked.amount` (by default the payment's credit, else all that stands)."""
        gateway = self._gateway()
        with ReadView(self._db, actor.reader_key) as view:
            payment = view.session.get(Payment, payment_id)
            if payment is None or not self._access.manages(actor, payment.pool_id):
                raise NotFound(f"payment {payment_id} not found", field="payment_id")
            if payment.rail != Rail.GATEWAY.value or not payment.gateway_payment_id:
                raise Conflict(
                    "payment_id: only a card or bank debit payment is refunded through the gateway; "
                    "return a wire from the bank",
                    field="payment_id",
                )
            if PaymentStatus(payment.status) not in HOLDS_MONEY:
                raise Conflict(f"payment_id: payment {payment_id} is {payment.status}", field="payment_id")
            standing = payment.applied + payment.credit
            amount = asked.amount if asked.amount is not None else (payment.credit or standing)
            currency = get_currency(payment.currency)
            if amount != amount.quantize(currency.quantum):
                raise ValidationFailed(
                    f"amount: {currency.code} has {currency.exponent} decimal places", field="amount"
                )
            if not Decimal(0) < amount <= standing:
                raise ValidationFailed(
                    f"amount: between 0.01 and what the payment still holds ({standing} {currency.code})",
                    field="amount",
                )
            pool_id, intent = payment.pool_id, payment.gateway_payment_id
        if gateway is None:
            raise Conflict("no payment gateway is configured", field="payment_id")
        key = gateway_key("refund", actor.user_id, payment_id, idempotency_key)
        try:
            made = gateway.refund(
                key, gateway_payment_id=intent, amount_minor=int(amount.scaleb(currency.exponent))
            )
        except GatewayUnavailable:
            raise DependencyUnavailable(
                "the payment gateway did not answer: ask again with the same Idempotency-Key "
                "(it refunds once at most)"
            ) from None
        except GatewayRefused as exc:
            raise ValidationFailed(f"amount: {exc}", field="amount") from None
        if not self._apply(payment_id, intent, made, asked.reason):
            return  # the same refund asked again: applied and audited the first time
        with UnitOfWork(self._db, actor.reader_key) as unit:
            self._audit.record(
                unit.session, actor, "payment.refunded", "pool", pool_id,
                after={"payment_id": payment_id, "amount": str(amount), "refund": made.refund_id,
                       "reason": asked.reason},
            )  # fmt: skip
            unit.commit()

    def _apply(self, payment_id: int, intent: str, made: GatewayRefund, reason: str) -> bool:
        full = made.refunded_minor >= made.charged_minor
        news = PaymentNews(
            event_id=f"refund:{made.refund_id}",
            event_type="refund",
            gateway_payment_id=intent,
            payment_id=payment_id,
            reported=PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED,
            amount_minor=made.charged_minor,
            currency=made.currency,
            refunded_minor=made.refunded_minor,
            failure=reason,  # shown after the status: "partially refunded: side letter"
        )
        return not apply_gateway_event(self._db, news, self._today()).duplicate
