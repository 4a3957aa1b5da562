"""Payments into the books: a succeeded payment becomes the investor's contribution, exactly
once; money that came back (a return, a dispute, a refund) reverses it.

Each call carries a key derived from the payment (`payment-<attempt key>`), so the ledger's
idempotency turns a repeat (a redelivered webhook, a sweep after a crash between the ledger's
commit and ours) into a replay of the same entry. The payment row records the entry id last:
until then the sweep (`PaymentService.post_contributions`) retries, well inside the ledger's
24-hour key retention.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from backend.platform.actors import Actor
from ledger.interface import ReversalRequest, TransactionRequest, TransactionService

PAYMENTS = Actor.operator("payments")
PAYMENTS_LABEL = PAYMENTS.label
"""How the books name what this service posted (`created_by` of its entries)."""


def contribution_key(attempt_key: str) -> str:
    return f"payment-{attempt_key}"


def reversal_key(attempt_key: str) -> str:
    return f"payment-{attempt_key}-reversal"


def post_contribution(
    transactions: TransactionService,
    *,
    pool_id: int,
    investor_id: int,
    amount: Decimal,
    on: date,
    reference: str,
    attempt_key: str,
) -> int:
    request = TransactionRequest.model_validate(
        {
            "type": "contribution",
            "investor_id": investor_id,
            "amount": amount,
            "effective_date": on,
            "memo": f"Paid against {reference}",
        }
    )
    entry = transactions.record(PAYMENTS, pool_id, request, contribution_key(attempt_key))
    return entry.id


def reverse_contribution(
    transactions: TransactionService, entry_id: int, on: date, reason: str, attempt_key: str
) -> int:
    request = ReversalRequest(effective_date=on, memo=reason[:500])
    return transactions.reverse(PAYMENTS, entry_id, request, reversal_key(attempt_key)).id
