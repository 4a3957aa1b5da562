"""Collecting through the gateway: an investor's saved methods, "Pay now", and catching up
with attempts whose answer never came back.

A payment row (pending, with its attempt key) is committed before the gateway is called, and
the gateway is called with that key as its idempotency key. Whatever happens next (a timeout,
a crash of this process, the gateway accepting and then failing to answer) the row is there,
and `resume` asks the gateway about the key: it applies what the gateway did, or asks again
with the same key, which the gateway answers with the first attempt, never a second charge.
"""

from __future__ import annotations

import contextlib
import logging
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import and_, or_, select, true
from sqlalchemy.exc import IntegrityError

from backend.finance.money import get_currency
from backend.payments import settlement
from backend.payments.access import PaymentAccess
from backend.payments.gateway import (
    GatewayAttempt,
    GatewayRefused,
    GatewayUnavailable,
    PaymentGateway,
    SavedMethod,
    gateway_key,
)
from backend.payments.gateway_events import PaymentNews
from backend.payments.models import Payment, PaymentCustomer, PaymentRequest
from backend.payments.retry_schedule import next_wait
from backend.payments.saved_methods import forget_method, keep_methods, kept_methods
from backend.payments.schemas import PaymentOut, Rail, RequestStatus
from backend.payments.states import PaymentStatus
from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import (
    Conflict,
    DependencyUnavailable,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork

log = logging.getLogger(__name__)
_T = TypeVar("_T")

RESUME_AFTER = timedelta(seconds=30)
"""How long an attempt may stay unanswered before `resume` asks the gateway about it."""


def attempt_key(user_id: int | None, request_id: int, idempotency_key: str) -> str:
    """The gateway idempotency key of one "Pay now" (gateway_key)."""
    return gateway_key("pay", user_id, request_id, idempotency_key)


class GatewayCollector:
    def __init__(
        self,
        db: Database,
        access: PaymentAccess,
        gateway: Callable[[], PaymentGateway | None],
        today: Callable[[], date],
        *,
        now: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self._db = db
        self._access = access
        self._gateway = gateway
        self._today = today
        self._now = now
        self._rng = rng or random.Random()  # noqa: S311 - spreads retries; not a secret

    def _require_gateway(self) -> PaymentGateway:
        gateway = self._gateway()
        if gateway is None:
            raise Conflict("no payment gateway is configured: pay by wire", field="method")
        return gateway

    def _ask(self, question: Callable[[PaymentGateway], _T]) -> _T:
        """A question to the gateway on the caller's behalf; an outage is the caller's 503."""
        try:
            return question(self._require_gateway())
        except GatewayUnavailable:
            raise DependencyUnavailable(
                "the payment gateway is not answering: nothing was charged; try again shortly"
            ) from None
        except GatewayRefused as exc:
            raise ValidationFailed(f"token: {exc}", field="token") from None

    def _investor(self, actor: Actor) -> int:
        investor = self._access.own_investor(actor)
        if investor is None:
            raise PermissionDenied("only an investor pays, with their own methods", field="method")
        return investor

    # -- saved methods -------------------------------------------------------------------

    def _customer(self, investor_id: int, *, create: bool) -> str | None:
        with ReadView(self._db) as view:
            row = view.session.get(PaymentCustomer, investor_id)
            if row is not None:
                return row.gateway_customer_id
        if not create:
            return None
        customer = self._ask(lambda g: g.create_customer(investor_id))
        with UnitOfWork(self._db) as unit:
            unit.session.add(PaymentCustomer(investor_id=investor_id, gateway_customer_id=customer))
            # Made at the same moment by another request: the gateway gave the same id.
            with contextlib.suppress(IntegrityError):
                unit.commit()
        return customer

    def methods(self, actor: Actor) -> list[SavedMethod]:
        """The investor's methods as the gateway has them; while it is not answering, as they
        were last seen here (labels only: enough to choose one and pay, queued)."""
        return self._methods_of(self._investor(actor))

    def _methods_of(self, investor: int) -> list[SavedMethod]:
        customer = self._customer(investor, create=False)
        if not customer:
            return []
        gateway = self._require_gateway()
        try:
            found = gateway.saved_methods(customer)
        except GatewayUnavailable:
            return kept_methods(self._db, investor)
        keep_methods(self._db, investor, found)
        return found

    def add_method(self, actor: Actor, token: str) -> SavedMethod:
        """A method tokenised by the gateway's hosted fields (the card never reaches us)."""
        investor = self._investor(actor)
        customer = self._customer(investor, create=True) or ""
        saved = self._ask(lambda g: g.save_method(customer, token))
        keep_methods(self._db, investor, [saved], drop_others=False)
        return saved

    def remove_method(self, actor: Actor, token: str) -> None:
        investor = self._investor(actor)
        self._owned(investor, token)
        self._ask(lambda g: g.remove_method(token))
        forget_method(self._db, investor, token)

    def _owned(self, investor: int, token: str) -> SavedMethod:
        kept = next((m for m in kept_methods(self._db, investor) if m.token == token), None)
        # Not kept here (saved before methods were kept): the gateway's word, then kept.
        found = kept or next((m for m in self._methods_of(investor) if m.token == token), None)
        if found is None:
            raise NotFound("method: not one of your saved payment methods", field="method")
        return found

    # -- pay now -------------------------------------------------------------------------

    def pay(self, actor: Actor, request_id: int, method: str, idempotency_key: str) -> int:
        """Pay what is outstanding on the investor's own request with a saved method; returns
        the payment id (pending if the gateway's answer did not come back: `resume` finishes)."""
        investor = self._investor(actor)
        key = attempt_key(actor.user_id, request_id, idempotency_key)
        with ReadView(self._db) as view:
            again = view.session.scalar(select(Payment.id).where(Payment.attempt_key == key))
        if again is not None:
            return again  # the same "Pay now" retried: the same payment
        # The investor's own method, checked here: with the gateway down the payment is still
        # opened, and its attempt queued for the retries (retry_schedule.py).
        self._owned(investor, method)
        customer = self._customer(investor, create=False) or ""
        with UnitOfWork(self._db) as unit:
            unit.write_first("payments", "status")
            request = unit.session.get(PaymentRequest, request_id, with_for_update=True)
            if request is None or request.investor_id != investor:
                raise NotFound(f"payment request {request_id} not found", field="request_id")
            if request.status not in (RequestStatus.OPEN, RequestStatus.PARTIALLY_PAID):
                raise Conflict(f"payment request {request_id} is {request.status}", field="request_id")
            busy = unit.session.scalar(
                select(Payment.id).where(
                    Payment.request_id == request_id,
                    Payment.status.in_([PaymentStatus.PENDING.value, PaymentStatus.PROCESSING.value]),
                )
            )
            if busy is not None:
                raise Conflict(f"payment {busy} of this request is still in progress", field="request_id")
            payment = settlement.open_payment(
                unit.session,
                request,
                rail=Rail.GATEWAY,
                amount=request.amount_due - request.amount_received,
                attempt_key=key,
                cause=f"pay-now:{actor.label}",
                method_token=method,
            )
            unit.commit()
            payment_id = payment.id
        self._collect(payment_id, customer)
        return payment_id

    def _collect(self, payment_id: int, customer: str) -> None:
        with ReadView(self._db) as view:
            payment = settlement.get_row(view.session, Payment, payment_id)
            exponent = get_currency(payment.currency).exponent
            args = (payment.attempt_key, payment.amount, payment.currency, payment.method_token or "")
        key, amount, currency, method = args
        try:
            attempt = self._require_gateway().collect(
                key,
                amount_minor=int(amount.scaleb(exponent)),
                currency=currency,
                customer=customer,
                method=method,
                metadata={"payment_id": str(payment_id)},
            )
        except GatewayUnavailable as exc:
            when = self._schedule_retry(payment_id)
            log.warning("gateway did not take payment %s (%s): asking again at %s", payment_id, exc, when)
            return
        except GatewayRefused as exc:
            self._refused(payment_id, str(exc))
            return
        self.apply_attempt(payment_id, attempt)

    def _refused(self, payment_id: int, why: str) -> None:
        """The gateway refused the charge outright: the payment failed, with its reason, and
        the request stays open for another method or a wire."""
        with UnitOfWork(self._db) as unit:
            unit.write_first("payments", "status")
            payment = settlement.get_row(unit.session, Payment, payment_id, lock=True)
            if payment.status != PaymentStatus.PENDING.value:
                return  # a webhook or a resume got there first
            payment.failure_reason = why[:500]
            payment.next_try_at = None
            settlement.transition(unit.session, payment, PaymentStatus.FAILED, "refused by the gateway")
            unit.commit()

    def _schedule_retry(self, payment_id: int) -> datetime:
        """One more failure: the next try after a backoff with jitter (retry_schedule.py)."""
        with UnitOfWork(self._db) as unit:
            payment = settlement.get_row(unit.session, Payment, payment_id, lock=True)
            payment.gateway_tries += 1
            when = self._now() + next_wait(payment.gateway_tries, self._rng)
            payment.next_try_at = when
            unit.commit()
            return when

    def apply_attempt(self, payment_id: int, attempt: GatewayAttempt) -> str | None:
        """What the gateway says of the attempt, applied like a webhook (the same table of moves)."""
        news = PaymentNews(
            event_id=f"attempt:{attempt.gateway_payment_id}:{attempt.status.value}",
            event_type="collect",
            gateway_payment_id=attempt.gateway_payment_id,
            payment_id=payment_id,
            reported=attempt.status,
            amount_minor=attempt.amount_minor,
            currency=attempt.currency,
            failure=attempt.failure,
        )
        with UnitOfWork(self._db) as unit:
            unit.write_first("payments", "status")
            payment = settlement.payment_for(unit.session, news)
            if payment is None or payment.id != payment_id:
                return "the gateway's attempt is not this payment's"
            payment.next_try_at = None  # the gateway has it: no more scheduled retries
            if attempt.status is PaymentStatus.PENDING:
                unit.commit()  # keep the gateway id; nothing else moved
                return "pending at the gateway"
            ignored = settlement.apply_news(unit.session, payment, news, self._today())
            unit.commit()
            return ignored

    def resume(self, older_than: timedelta = RESUME_AFTER) -> list[int]:
        """Ask the gateway about every attempt left pending or processing for `older_than` (an
        answer lost, a webhook never delivered); returns the ids of payments it looked at."""
        gateway = self._gateway()
        if gateway is None:
            return []
        now = self._now()
        # An attempt the gateway did not take is due at its scheduled try; one it took but whose
        # answer or webhook never came, once it has been quiet for `older_than`. Asked with no
        # delay at all (an operator's "now"), every open attempt is due.
        due = (
            or_(
                Payment.next_try_at <= now,
                and_(Payment.next_try_at.is_(None), Payment.updated_at <= now - older_than),
            )
            if older_than > timedelta(0)
            else true()
        )
        with ReadView(self._db) as view:
            stale = view.session.execute(
                select(Payment.id, Payment.attempt_key, Payment.status, Payment.investor_id).where(
                    Payment.rail == Rail.GATEWAY.value,
                    Payment.status.in_([PaymentStatus.PENDING.value, PaymentStatus.PROCESSING.value]),
                    due,
                )
            ).all()
        for payment_id, key, status, investor in stale:
            try:
                attempt = gateway.find_attempt(key)
            except GatewayUnavailable:
                self._schedule_retry(payment_id)
                continue
            if attempt is not None:
                self.apply_attempt(payment_id, attempt)
            elif status == PaymentStatus.PENDING.value:
                customer = self._customer(investor, create=False)
                if customer is not None:
                    self._collect(payment_id, customer)  # same key: at most one charge
        return [row[0] for row in stale]


def payment_out(db: Database, payment_id: int) -> PaymentOut:
    with ReadView(db) as view:
        return PaymentOut.model_validate(settlement.get_row(view.session, Payment, payment_id))
