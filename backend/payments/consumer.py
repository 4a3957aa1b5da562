"""Ledger events -> payment requests: each capital call asks each investor for their share.

Subscribed to the ledger's event stream like the notifications consumer; idempotent by
(capital call entry, investor), so a redelivered event opens nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation

from backend.payments.interface import PaymentService
from backend.pools.interface import PoolService
from ledger.interface import LedgerEvent

log = logging.getLogger(__name__)

EVENT_TYPES = ("capital_call.issued",)


class CapitalCallConsumer:
    def __init__(self, payments: Callable[[], PaymentService], pools: Callable[[], PoolService]) -> None:
        # Late-bound: the container builds services on first use, after subscribing us.
        self._payments = payments
        self._pools = pools

    def __call__(self, event: LedgerEvent) -> None:
        if event.event_type not in EVENT_TYPES or event.entry_id is None:
            return
        payload = event.payload
        try:
            due = date.fromisoformat(str(payload["due_date"]))
            allocation = {int(k): Decimal(str(v)) for k, v in (payload.get("allocation") or {}).items()}
        except (KeyError, ValueError, InvalidOperation):
            log.error("capital call event %s has no readable due date or allocation", event.event_id)
            return
        currency = self._pools().pool_terms(event.pool_id).base_currency
        created = self._payments().open_requests_for_call(
            event.pool_id, event.entry_id, due, allocation, currency
        )
        log.info("capital call %s: %d payment requests opened", event.entry_id, created)
