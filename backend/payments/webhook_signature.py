"""Verifying a gateway webhook the way Stripe signs it.

Header `Stripe-Signature: t=<unix seconds>,v1=<hex>,v1=<hex>...`, where each v1 is
HMAC-SHA256 over "<t>.<raw body>" under one of the endpoint's signing secrets. Any v1 may match
any of our secrets, so a secret is rotated by configuring the new one beside the old, and
compared in constant time so the comparison leaks nothing. A `t` more than the tolerance
away from now is refused: a captured request replayed later is worthless.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from backend.platform.errors import ValidationFailed

DEFAULT_TOLERANCE_SECONDS = 300


class SignatureInvalid(ValidationFailed, ValueError):
    """The webhook is unsigned, wrongly signed or too old; it changes nothing. A domain error, so
    it comes back as itself from the payment service over gRPC (the route answers 400)."""


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """The v1 signature of `payload` at `timestamp` (for the sandbox and the tests)."""
    message = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(payload: bytes, secrets: Sequence[str], timestamp: int) -> str:
    return ",".join([f"t={timestamp}", *(f"v1={sign(payload, s, timestamp)}" for s in secrets)])


def verify(
    payload: bytes,
    header: str | None,
    secrets: Sequence[str],
    now: float,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> int:
    """The header's timestamp when one of its v1 signatures matches one of `secrets` and it is
    fresh; SignatureInvalid naming the problem otherwise."""
    if not secrets:
        raise SignatureInvalid("no webhook signing secret is configured")
    if not header:
        raise SignatureInvalid("Stripe-Signature: missing")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None:
        raise SignatureInvalid("Stripe-Signature: no timestamp")
    if not candidates:
        raise SignatureInvalid("Stripe-Signature: no v1 signature")
    if abs(now - timestamp) > tolerance:
        raise SignatureInvalid("Stripe-Signature: timestamp outside the tolerance (a replay?)")
    expected = [sign(payload, secret, timestamp) for secret in secrets]
    # Compare every pair: no early exit on the first match, so timing says nothing either.
    matched = False
    for candidate in candidates:
        for wanted in expected:
            matched |= hmac.compare_digest(candidate.encode(), wanted.encode())
    if not matched:
        raise SignatureInvalid("Stripe-Signature: no signature matches")
    return timestamp
