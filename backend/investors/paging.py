"""How many investor profiles or commitments one page of a listing may hold: the same bounds
as a page of pools, so every listing a client pages through behaves alike."""

from __future__ import annotations

from backend.platform.errors import ValidationFailed
from backend.pools.interface import MAX_PAGE_SIZE


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"limit: must be 1..{MAX_PAGE_SIZE}, got {limit}", field="limit")
