"""Keeping the books in line with the payments: each payment's contribution posted once,
reversed when the money comes back, and posted again for what still stands.

Runs after the payment's own commit (the ledger is another service, with its own
transactions) and again as a sweep: every ledger write is keyed by the payment and its
round (ledger_posting.py), and the payment records what the books hold for it
(`posted_amount`) only after the ledger answered, so a crash in between is finished by the
next sweep, as a replay, never a second entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy import case, select

from backend.payments import ledger_posting
from backend.payments.models import Payment, PaymentRequest
from backend.payments.schemas import Rail
from backend.payments.settlement import ZERO, get_row
from backend.payments.states import HOLDS_MONEY, PaymentStatus
from backend.platform.db import Database
from backend.platform.errors import DomainError
from backend.platform.unit_of_work import ReadView, UnitOfWork
from ledger.interface import TransactionService

NOT_POSTED = "not posted:"
"""How a payment's note says the books refused it (cleared once they take it)."""


class ContributionPoster:
    def __init__(self, db: Database, transactions: TransactionService, today: Callable[[], date]) -> None:
        self._db = db
        self._transactions = transactions
        self._today = today

    def post_contributions(self, payment_id: int | None = None) -> int:
        """Bring the books in line with every payment whose posted contribution differs from
        what it applies now (or just `payment_id`); returns how many entries it wrote."""
        desired = case((Payment.status.in_([s.value for s in HOLDS_MONEY]), Payment.applied), else_=ZERO)
        # Payments on the books rail are the books' own entries mirrored: never posted here.
        stmt = select(Payment.id).where(Payment.posted_amount != desired, Payment.rail != Rail.BOOKS.value)
        if payment_id is not None:
            stmt = stmt.where(Payment.id == payment_id)
        with ReadView(self._db) as view:
            lagging = list(view.session.scalars(stmt.order_by(Payment.id)))
        written = 0
        for pid in lagging:
            try:
                written += self._post_one(pid)
            except DomainError as exc:
                # The books refused (a closed pool, a later allocation): a person must decide;
                # the difference stays visible on the payment until then.
                self._note_failure(pid, f"{NOT_POSTED} {exc.detail}")
        return written

    def _post_one(self, payment_id: int) -> int:
        """One round: reverse what is posted, if anything, then post what the payment applies."""
        with ReadView(self._db) as view:
            payment = get_row(view.session, Payment, payment_id)
            reference = get_row(view.session, PaymentRequest, payment.request_id).reference
            want = payment.applied if PaymentStatus(payment.status) in HOLDS_MONEY else ZERO
            attempt, posting_round, status = payment.attempt_key, payment.posting_round, payment.status
            entry_id, posted = payment.ledger_entry_id, payment.posted_amount
            pool_id, investor_id = payment.pool_id, payment.investor_id
            on = payment.value_date or self._today()
        if posted == want:
            return 0
        written = 0
        if entry_id is not None:
            why = f"Payment {payment_id} {status}: {posted} back"
            key = f"{attempt}-{posting_round}"
            ledger_posting.reverse_contribution(
                self._transactions, entry_id, max(on, self._today()), why, key
            )
            written += 1
            self._record(payment_id, None, ZERO, next_round=True)
            posting_round += 1
        if want > 0:
            new_entry = ledger_posting.post_contribution(
                self._transactions,
                pool_id=pool_id,
                investor_id=investor_id,
                amount=want,
                on=on,
                reference=reference,
                attempt_key=f"{attempt}-{posting_round}",
            )
            written += 1
            self._record(payment_id, new_entry, want, next_round=False)
        return written

    def _record(self, payment_id: int, entry_id: int | None, amount: Decimal, *, next_round: bool) -> None:
        with UnitOfWork(self._db) as unit:
            row = get_row(unit.session, Payment, payment_id, lock=True)
            row.ledger_entry_id = entry_id
            row.posted_amount = amount
            row.posting_round += 1 if next_round else 0
            if entry_id is not None and (row.failure_reason or "").startswith(NOT_POSTED):
                row.failure_reason = None  # the books caught up; a refund's reason stays
            unit.commit()

    def _note_failure(self, payment_id: int, why: str) -> None:
        with UnitOfWork(self._db) as unit:
            row = unit.session.get(Payment, payment_id, with_for_update=True)
            if row is not None:
                row.failure_reason = why[:500]
                unit.commit()
