"""Hourly purges of what has outlived its retention. Each is idempotent: it deletes what is
expired, so a rerun after a crash deletes nothing more."""

from __future__ import annotations

from backend.auth.interface import AuthService
from ledger.interface import LedgerService


def purge_expired_idempotency_keys(ledger: LedgerService) -> int:
    """Forget Idempotency-Keys past their 24 h retention."""
    return ledger.purge_expired_keys()


def purge_expired_auth_state(auth: AuthService) -> int:
    """Expired refresh tokens and revocations, idle throttle rows."""
    return auth.purge_expired()
