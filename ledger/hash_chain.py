"""The canonical form of a journal entry and the per-pool hash chain over it.

    hash(entry) = sha256( prev_hash || canonical(entry) ), hex encoded

where `prev_hash` is the previous entry's hash in the same pool as 64 ASCII hex digits
(GENESIS_HASH for seq 1) and canonical(entry) is compact JSON with sorted keys and ASCII
escapes of:

    v               format version (1)
    pool            pool id
    seq             the entry's sequence number in its pool (1, 2, 3, ...)
    type            entry type, e.g. "subscription"
    effective_date  ISO date
    memo            the memo, verbatim
    reverses        id of the entry this one reverses, or null
    created_by      who posted it (actor label)
    created_by_user id of the user who posted it, or null (operator, system)
    created_at      when, UTC to the second, "YYYY-MM-DDTHH:MM:SSZ"
    postings        [[account key, commodity, amount], ...] sorted, with the amount as a
                    fixed-scale string at the storage scale ("-1000.000000")

JSON gives every string one unambiguous encoding (a memo containing quotes or commas cannot
be confused with a field boundary), and sorting the postings makes the hash independent of
the order they were stored or read in. Pure functions: the journal and verify share them.
"""

from __future__ import annotations

import decimal
import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal

from ledger.schemas import AMOUNT_SCALE

CANONICAL_VERSION = 1
GENESIS_HASH = "0" * 64
_FACTOR = 10**AMOUNT_SCALE
# Exact arithmetic whatever the caller's decimal context: any rounding raises instead.
_EXACT = decimal.Context(prec=64, traps=[decimal.Inexact, decimal.Rounded, decimal.InvalidOperation])

CanonicalPosting = tuple[str, str, int]
"""(account key, commodity, amount as an integer count of 10^-6)."""


def to_scaled(amount: Decimal) -> int:
    """The amount as an integer count of 10^-6; refuses anything finer (never rounds).

    Shifted in a private exact context, so the caller's decimal context (and its precision)
    plays no part."""
    if not amount.is_finite():
        raise ValueError(f"{amount} is not a finite amount")
    try:
        scaled = amount.scaleb(AMOUNT_SCALE, _EXACT)
    except ArithmeticError:
        raise ValueError(f"{amount} has too many digits to store") from None
    value = int(scaled)
    if value != scaled:
        raise ValueError(f"{amount} has more than {AMOUNT_SCALE} decimal places")
    return value


def format_scaled(amount: int) -> str:
    """ "-1000.000000" for -1_000_000_000: the fixed-scale text the hash is computed over."""
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), _FACTOR)
    return f"{sign}{whole}.{fraction:06d}"


def format_timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical_entry(
    *,
    pool_id: int,
    seq: int,
    entry_type: str,
    effective_date: date,
    memo: str,
    reverses_entry_id: int | None,
    created_by: str,
    created_by_user_id: int | None,
    created_at: datetime,
    postings: Iterable[CanonicalPosting],
) -> bytes:
    lines = sorted((key, commodity, format_scaled(amount)) for key, commodity, amount in postings)
    document = {
        "v": CANONICAL_VERSION,
        "pool": pool_id,
        "seq": seq,
        "type": entry_type,
        "effective_date": effective_date.isoformat(),
        "memo": memo,
        "reverses": reverses_entry_id,
        "created_by": created_by,
        "created_by_user": created_by_user_id,
        "created_at": format_timestamp(created_at),
        "postings": [list(line) for line in lines],
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    if len(prev_hash) != 64:
        raise ValueError("prev_hash must be 64 hex digits")
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(canonical)
    return digest.hexdigest()
