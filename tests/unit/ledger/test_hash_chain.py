"""The canonical form and the chain hash: deterministic, order-free, sensitive to every field."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from ledger.hash_chain import GENESIS_HASH, canonical_entry, chain_hash, format_scaled, to_scaled

BASE: dict[str, Any] = {
    "pool_id": 3,
    "seq": 7,
    "entry_type": "subscription",
    "effective_date": date(2026, 1, 31),
    "memo": 'quote " and, comma',
    "reverses_entry_id": None,
    "created_by": "operator:ops",
    "created_by_user_id": None,
    "created_at": datetime(2026, 2, 1, 9, 30, 5, tzinfo=UTC),
    "postings": [("cash", "USD", 100_500_000), ("capital/7", "USD", -100_500_000)],
}


def _hash(**changes: Any) -> str:
    return chain_hash(GENESIS_HASH, canonical_entry(**{**BASE, **changes}))


def test_hash_is_sha256_of_prev_hash_then_canonical_json() -> None:
    canonical = canonical_entry(**BASE)
    assert (
        canonical.startswith(b"{")
        and b'"seq":7' in canonical
        and b'"capital/7","USD","-100.500000"' in canonical
    )
    assert (
        chain_hash(GENESIS_HASH, canonical) == hashlib.sha256(GENESIS_HASH.encode() + canonical).hexdigest()
    )


def test_posting_order_does_not_matter() -> None:
    assert _hash(postings=list(reversed(BASE["postings"]))) == _hash()


@pytest.mark.parametrize(
    "changes",
    [
        {"pool_id": 4},
        {"seq": 8},
        {"entry_type": "redemption"},
        {"effective_date": date(2026, 2, 1)},
        {"memo": 'quote " and; comma'},
        {"reverses_entry_id": 1},
        {"created_by": "operator:other"},
        {"created_by_user_id": 5},
        {"created_at": datetime(2026, 2, 1, 9, 30, 6, tzinfo=UTC)},
        {"postings": [("cash", "USD", 100_500_001), ("capital/7", "USD", -100_500_000)]},
        {"postings": [("cash", "USD", 100_500_000), ("capital/8", "USD", -100_500_000)]},
    ],
)
def test_every_field_changes_the_hash(changes: dict[str, Any]) -> None:
    assert _hash(**changes) != _hash()


def test_prev_hash_is_chained_and_checked() -> None:
    canonical = canonical_entry(**BASE)
    assert chain_hash("a" * 64, canonical) != chain_hash(GENESIS_HASH, canonical)
    with pytest.raises(ValueError, match="64 hex"):
        chain_hash("abc", canonical)


def test_created_at_must_be_aware_and_counts_whole_seconds() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _hash(created_at=datetime(2026, 2, 1, 9, 30, 5))
    assert _hash(created_at=datetime(2026, 2, 1, 9, 30, 5, 999, tzinfo=UTC)) == _hash()


def test_scaled_amounts_are_exact_and_never_rounded() -> None:
    assert to_scaled(Decimal("-1000")) == -1_000_000_000
    assert to_scaled(Decimal("0.000001")) == 1
    assert to_scaled(Decimal("12345678901234.5")) == 12_345_678_901_234_500_000
    assert format_scaled(-1_000_000_000) == "-1000.000000" and format_scaled(5) == "0.000005"
    with pytest.raises(ValueError, match="more than 6 decimal places"):
        to_scaled(Decimal("0.0000001"))
    with pytest.raises(ValueError, match="not a finite"):
        to_scaled(Decimal("NaN"))
