"""A gateway webhook event, read into what the payment service needs from it.

Only the event types that move a payment are read; everything else is acknowledged and
ignored. Amounts stay integers in the currency's minor unit, as the gateway sends them, and
are turned into Decimal by the service with the currency's exponent: never a float.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from backend.payments.states import PaymentStatus
from backend.platform.errors import ValidationFailed

_INTENT_EVENTS = {
    "payment_intent.processing": PaymentStatus.PROCESSING,
    "payment_intent.succeeded": PaymentStatus.SUCCEEDED,
    "payment_intent.payment_failed": PaymentStatus.FAILED,
    "payment_intent.canceled": PaymentStatus.CANCELED,
}


class EventUnreadable(ValidationFailed, ValueError):
    """The body is not a gateway event (after a valid signature: a bug on one side). A domain
    error, so it comes back as itself from the payment service over gRPC."""


@dataclass(frozen=True)
class PaymentNews:
    event_id: str
    event_type: str
    gateway_payment_id: str | None
    """The payment intent (pi_...) the event is about."""
    payment_id: int | None
    """Our payment id, from the intent's metadata (set when we created the intent)."""
    reported: PaymentStatus | None
    """What the event says the payment now is; None: an event that moves no payment."""
    amount_minor: int | None
    currency: str | None
    refunded_minor: int | None = None
    failure: str | None = None
    transfer_id: str | None = None
    """A payout's transfer (tr_...) the gateway reversed: news about a payout, not a payment."""


def _metadata_payment_id(obj: dict[str, Any]) -> int | None:
    raw = (obj.get("metadata") or {}).get("payment_id")
    return int(raw) if isinstance(raw, str) and raw.isdigit() else None


def read_event(body: bytes) -> PaymentNews:
    try:
        event = json.loads(body)
        event_id = str(event["id"])
        event_type = str(event["type"])
        obj = event["data"]["object"]
        if not isinstance(obj, dict):
            raise TypeError("data.object is not an object")
    except (ValueError, KeyError, TypeError) as exc:
        raise EventUnreadable(f"not a gateway event: {exc}") from None
    if not event_id or len(event_id) > 64:
        raise EventUnreadable("id: must be 1-64 characters")
    currency = str(obj["currency"]).upper() if obj.get("currency") else None
    if event_type in _INTENT_EVENTS:
        error = obj.get("last_payment_error") or {}
        return PaymentNews(
            event_id,
            event_type,
            str(obj.get("id") or "") or None,
            _metadata_payment_id(obj),
            _INTENT_EVENTS[event_type],
            obj.get("amount") if isinstance(obj.get("amount"), int) else None,
            currency,
            failure=str(error.get("decline_code") or error.get("code") or error.get("message") or "") or None,
        )
    if event_type == "charge.refunded":
        amount, refunded = obj.get("amount"), obj.get("amount_refunded")
        full = isinstance(amount, int) and isinstance(refunded, int) and refunded >= amount
        return PaymentNews(
            event_id,
            event_type,
            str(obj.get("payment_intent") or "") or None,
            _metadata_payment_id(obj),
            PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED,
            amount if isinstance(amount, int) else None,
            currency,
            refunded_minor=refunded if isinstance(refunded, int) else None,
        )
    if event_type == "charge.dispute.created":
        return PaymentNews(
            event_id,
            event_type,
            str(obj.get("payment_intent") or "") or None,
            _metadata_payment_id(obj),
            PaymentStatus.REVERSED,
            obj.get("amount") if isinstance(obj.get("amount"), int) else None,
            currency,
            failure=f"disputed: {obj.get('reason') or 'no reason given'}",
        )
    if event_type == "transfer.reversed":
        amount = obj.get("amount")
        return PaymentNews(
            event_id,
            event_type,
            None,
            None,
            None,
            amount if isinstance(amount, int) else None,
            currency,
            transfer_id=str(obj.get("id") or "") or None,
        )
    return PaymentNews(event_id, event_type, None, None, None, None, currency)
