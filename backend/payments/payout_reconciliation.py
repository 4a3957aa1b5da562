"""Reconciliation of payouts sent through the gateway: the day's transfers (money out) and
transfer reversals (money back) against the payouts that name them, and the payouts marked
paid that day against the transfers. Listed for a person, never corrected here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.finance.money import get_currency
from backend.payments.gateway import GatewayBalanceEntry
from backend.payments.models import Payout, ReconciliationDifference
from backend.payments.payout_schemas import PayoutRail, PayoutStatus
from backend.payments.schemas import DifferenceKind as K

TRANSFER_KINDS = frozenset({"transfer", "transfer_refund"})
"""Balance transaction types of money sent to payees and coming back from them."""


def _difference(
    kind: K, payout: Payout | None, source: str, money: tuple[Decimal, str], *, detail: str, action: str
) -> ReconciliationDifference:
    amount, currency = money
    return ReconciliationDifference(
        kind=kind.value,
        pool_id=payout.pool_id if payout else None,
        payment_id=None,
        source=source[:120],
        amount=amount,
        currency=currency,
        detail=detail[:500],
        action=action[:300],
    )


def transfer_differences(
    session: Session, on: date, entries: Iterable[GatewayBalanceEntry]
) -> list[ReconciliationDifference]:
    moves = [e for e in entries if e.kind in TRANSFER_KINDS]
    ids = {e.gateway_transfer_id for e in moves if e.gateway_transfer_id}
    ours = {
        p.gateway_transfer_id: p
        for p in session.scalars(select(Payout).where(Payout.gateway_transfer_id.in_(ids)))
    }
    found: list[ReconciliationDifference] = []
    sent: set[str] = set()
    for entry in moves:
        payout = ours.get(entry.gateway_transfer_id) if entry.gateway_transfer_id else None
        amount = Decimal(abs(entry.amount_minor)) * get_currency(entry.currency).quantum
        if payout is None:
            found.append(
                _difference(
                    K.AT_GATEWAY_NOT_IN_BOOKS, None, entry.id, (amount, entry.currency),
                    detail=f"{entry.kind} of {amount} {entry.currency} ({entry.gateway_transfer_id}); "
                    "no payout of ours has it",
                    action="find out who sent it at the gateway; recover it or record the payout it was",
                )
            )  # fmt: skip
            continue
        if entry.kind == "transfer":
            sent.add(entry.gateway_transfer_id or "")
        if (amount, entry.currency) != (payout.amount, payout.currency):
            found.append(
                _difference(
                    K.AMOUNT_DIFFERS, payout, entry.id, (amount, entry.currency),
                    detail=f"transfer of {amount} {entry.currency}; payout {payout.id} is {payout.amount} "
                    f"{payout.currency}",
                    action="recover the difference from the investor or pay the rest",
                )
            )  # fmt: skip
        elif entry.kind == "transfer_refund" and payout.status != PayoutStatus.RETURNED:
            found.append(
                _difference(
                    K.RETURNED_AT_GATEWAY, payout, entry.id, (amount, entry.currency),
                    detail=f"the gateway took back payout {payout.id}'s transfer; "
                    f"the payout is still {payout.status}",
                    action="its webhook may be late: run payments sweep, then reconcile again",
                )
            )  # fmt: skip
    start = datetime.combine(on, time(0), tzinfo=UTC)
    paid_that_day = session.scalars(
        select(Payout).where(
            Payout.rail == PayoutRail.GATEWAY.value,
            Payout.status == PayoutStatus.PAID.value,
            Payout.updated_at >= start,
            Payout.updated_at < start + timedelta(days=1),
        )
    )
    for payout in paid_that_day:
        if payout.gateway_transfer_id not in sent:
            found.append(
                _difference(
                    K.IN_BOOKS_NOT_AT_GATEWAY, payout, f"payout {payout.id}",
                    (payout.amount, payout.currency),
                    detail=f"payout {payout.id} was paid through the gateway on {on}; "
                    "the gateway has no transfer for it",
                    action="look the transfer up at the gateway and settle it with the investor",
                )
            )  # fmt: skip
    return found
