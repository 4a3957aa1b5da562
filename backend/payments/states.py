"""A payment's life as a state machine: which moves are allowed, and which news is stale.

Gateway events arrive late, twice and out of order: a "processing" that arrives after
"succeeded" is old news, not a step back. So every status has a rank along the one road a
payment travels, and a move is taken only if the table allows it; anything else is ignored
(and recorded as ignored), never applied. Pure: no database, no gateway.
"""

from __future__ import annotations

from enum import StrEnum


class PaymentStatus(StrEnum):
    PENDING = "pending"
    """Created here; the gateway or the bank has not answered yet."""
    PROCESSING = "processing"
    """Accepted by the gateway; a bank debit takes days to settle."""
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    REVERSED = "reversed"
    """Succeeded, then came back: a bank debit returned, a card disputed, a wire recalled."""


ALLOWED: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    PaymentStatus.PENDING: frozenset(
        {PaymentStatus.PROCESSING, PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CANCELED}
    ),
    PaymentStatus.PROCESSING: frozenset(
        {PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CANCELED}
    ),
    PaymentStatus.SUCCEEDED: frozenset(
        {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED, PaymentStatus.REVERSED}
    ),
    PaymentStatus.PARTIALLY_REFUNDED: frozenset(
        {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED, PaymentStatus.REVERSED}
    ),
    PaymentStatus.FAILED: frozenset(),
    PaymentStatus.CANCELED: frozenset(),
    PaymentStatus.REFUNDED: frozenset(),
    PaymentStatus.REVERSED: frozenset(),
}
"""From each status, where it may go. Terminal statuses go nowhere; a partial refund may be
followed by another."""

HOLDS_MONEY = frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED})
"""Statuses in which the money is ours: the contribution stands in the books."""


def next_status(current: PaymentStatus, reported: PaymentStatus) -> PaymentStatus | None:
    """The status after the gateway or the bank reported `reported`; None when the report is
    stale or impossible from here (it changes nothing)."""
    if reported is current and reported is not PaymentStatus.PARTIALLY_REFUNDED:
        return None
    return reported if reported in ALLOWED[current] else None
