"""The payment service's scheduled work: the sweep every few minutes, the reconciliation of
yesterday every night. Both are safe to repeat: the sweep's writes are keyed by payment, and a
reconciliation only reads the money and records what it found."""

from __future__ import annotations

from datetime import date, timedelta

from backend.payments.interface import LedgerCatchUp, PaymentService

CATCH_UP = timedelta(days=31)
"""How far back the sweep looks for ledger entries whose requests or payouts went missing."""


def sweep_payments(payments: PaymentService, ledger: LedgerCatchUp) -> dict[str, int]:
    """Open what lost ledger events should have opened; ask the gateway about unanswered
    attempts; post contributions the books lack; re-seal bank details under a rotated-out key."""
    return {
        "caught_up": ledger.catch_up(date.today() - CATCH_UP),
        "looked_at": payments.resume_gateway_attempts(),
        "payouts_looked_at": payments.resume_payout_transfers(),
        "written": payments.post_contributions(),
        "resealed": payments.reseal_bank_details(),
    }


def reconcile_day(payments: PaymentService, on: str | None = None) -> int:
    """Reconcile `on` (ISO date; yesterday by default); returns the number of differences."""
    day = date.fromisoformat(on) if on else date.today() - timedelta(days=1)
    return len(payments.reconcile(day).differences)


def send_reminders(payments: PaymentService, on: str | None = None) -> int:
    """The day's payment reminders (today by default); safe to repeat."""
    return payments.send_payment_reminders(date.fromisoformat(on) if on else date.today())


def retry_gateway_attempts(payments: PaymentService) -> int:
    """Attempts whose scheduled retry is due (and answers long overdue), and payout transfers
    left unanswered: asked again."""
    return payments.resume_gateway_attempts() + payments.resume_payout_transfers()
