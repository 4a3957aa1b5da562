"""The one-time code that confirms a change of an investor's payout account (payout_accounts.py).

Six digits, good for CODE_MINUTES and MAX_CODE_TRIES tries: guessing it has a chance of 5 in
a million per request, and each request needs the password again, whose checks the sign-in
path throttles. It is sealed in the vault rather than hashed, because a hash of six digits is
reversed by trying them all: a copy of the database without the key ring reads no code. A
code is not carried over a key rotation (it lives minutes): one sealed under a key dropped
since voids its change, like an expired one.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.payments.models import PayoutAccount
from backend.payments.payout_schemas import PayoutAccountStatus
from backend.payments.vault import Vault, VaultError
from backend.platform.errors import Conflict, ValidationFailed

CODE_MINUTES = 15
MAX_CODE_TRIES = 5
CODE_DIGITS = 6

CodeSender = Callable[[int, int, str, str, datetime], None]
"""(user id, account id, the account masked, code, expires at): email the code to the person's
own sign-in address, and nowhere else (not the app, where a stolen session would read it)."""


def code_context(account_id: int) -> str:
    return f"payment_payout_accounts:{account_id}:code"


def new_code(now: datetime) -> tuple[str, datetime]:
    """A fresh code and when it stops working."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}", now + timedelta(minutes=CODE_MINUTES)


@dataclass(frozen=True)
class CodeRefused:
    """A code refused; the row records it (a try counted, or the change void) before it is raised."""

    error: ValidationFailed | Conflict


def check_code(row: PayoutAccount, code: str, vault: Vault, now: datetime) -> CodeRefused | None:
    """None when `code` is the row's; else the refusal, with the row updated to say so."""
    if row.code_sealed is None or row.code_expires_at is None or now >= row.code_expires_at:
        _void(row)
        return CodeRefused(
            Conflict("code: expired: the change is void; ask for it again for a new code", field="code")
        )
    try:
        expected = vault.open(row.code_sealed, code_context(row.id))
    except VaultError:
        _void(row)
        return CodeRefused(Conflict("code: no longer readable: ask for the change again", field="code"))
    if hmac.compare_digest(expected.encode(), code.encode()):
        return None
    row.code_attempts += 1
    left = MAX_CODE_TRIES - row.code_attempts
    if left > 0:
        return CodeRefused(ValidationFailed(f"code: not the code we sent ({left} tries left)", field="code"))
    _void(row)
    return CodeRefused(
        ValidationFailed("code: not the code we sent: the change is void; ask for it again", field="code")
    )


def _void(row: PayoutAccount) -> None:
    row.status = PayoutAccountStatus.LAPSED.value
    row.code_sealed = None
