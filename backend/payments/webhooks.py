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
from backend.payments.payout_transfers import reverse_transfer
from backend.payments.schemas import WebhookOutcome
from backend.payments.states import PaymentStatus
from backend.platform.db import Database
from backend.platform.unit_of_work import UnitOfWork


def _payout_news(unit: UnitOfWork, news: PaymentNews) -> WebhookOutcome:
    """A reversed transfer: the payout it paid is returned, once (the event id, as above)."""
    did = reverse_transfer(unit.session, news.transfer_id)
    unit.session.add(
        GatewayEvent(
            event_id=news.event_id, event_type=news.event_type[:64], payment_id=None, outcome=did[:200]
        )
    )
    try:
        unit.commit()
    except IntegrityError:
        return WebhookOutcome(event_id=news.event_id, duplicate=True)
    returned = did.endswith("-> returned")
    return WebhookOutcome(event_id=news.event_id, duplicate=False, ignored=None if returned else did)


def apply_gateway_event(db: Database, news: PaymentNews, today: date) -> WebhookOutcome:
    with UnitOfWork(db) as unit:
        unit.write_first("payments", "status")
        if unit.session.get(GatewayEvent, news.event_id) is not None:
            return WebhookOutcome(event_id=news.event_id, duplicate=True)
        if news.transfer_id is not None:
            return _payout_news(unit, news)
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
