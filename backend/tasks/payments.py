"""The payment service's scheduled work: the sweep every few minutes, the reconciliation of
yesterday every night. Both are safe to repeat: the sweep's writes are keyed by payment, and a
reconciliation only reads the money and records what it found."""

from __future__ import annotations

from datetime import date, timedelta

from backend.payments.interface import PaymentService


def sweep_payments(payments: PaymentService) -> dict[str, int]:
    """Ask the gateway about unanswered attempts; post contributions the books lack; re-seal
    bank details still under a rotated-out key."""
    return {
        "looked_at": payments.resume_gateway_attempts(),
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
