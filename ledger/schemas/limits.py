"""The limits on what a caller may ask for: a page of entries, and an idempotency key (its
header's name, its length, and the check every write applies to it)."""

from __future__ import annotations

from backend.platform.errors import ValidationFailed

MAX_PAGE = 500


DEFAULT_PAGE = 50


IDEMPOTENCY_KEY_FIELD = "Idempotency-Key"


MAX_IDEMPOTENCY_KEY_LENGTH = 255


def check_key(key: str) -> str:
    if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise ValidationFailed(
            f"must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters (a UUID is a good choice)",
            field=IDEMPOTENCY_KEY_FIELD,
        )
    return key
