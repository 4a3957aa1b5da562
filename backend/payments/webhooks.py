"""A verified gateway event applied to the payment it names, once.

The event id is stored with the change it caused, in the same transaction, so a redelivery
(or two deliveries racing) finds it and does nothing; news that is stale or impossible for the
payment's state is recorded as ignored and changes nothing (states.py). The caller verifies the
signature first and posts the contribution after this commit.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError

from backend.payments import settlement
from backend.payments.gateway_events import PaymentNews
from backend.payments.models import GatewayEvent
from backend.payments.schemas import WebhookOutcome
from backend.payments.states import PaymentStatus
from backend.platform.db import Database
from backend.platform.unit_of_work import UnitOfWork


def apply_gateway_event(db: Database, news: PaymentNews, today: date) -> WebhookOutcome:
    with UnitOfWork(db) as unit:
        unit.write_first("payments", "status")
        if unit.session.get(GatewayEvent, news.event_id) is not None:
            return WebhookOutcome(event_id=news.event_id, duplicate=True)
        payment = settlement.payment_for(unit.session, news)
        ignored = settlement.apply_news(unit.session, payment, news, today)
        unit.session.add(
            GatewayEvent(
                event_id=news.event_id,
                event_type=news.event_type[:64],
                payment_id=payment.id if payment else None,
                outcome=(ignored or f"-> {payment.status if payment else ''}")[:200],
            )
        )
        try:
            unit.commit()
        except IntegrityError:
            return WebhookOutcome(event_id=news.event_id, duplicate=True)
        return WebhookOutcome(
            event_id=news.event_id,
            duplicate=False,
            payment_id=payment.id if payment else None,
            status=PaymentStatus(payment.status) if payment else None,
            ignored=ignored,
        )
