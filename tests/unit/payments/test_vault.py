"""Bank details sealed at rest: AES-256-GCM bound to their row, keys rotated without downtime."""

from __future__ import annotations

import pytest

from backend.payments.vault import Vault, VaultError
from backend.platform.key_ring import new_key_entry, parse_key_ring

OLD = new_key_entry("k1")
NEW = new_key_entry("k2")


def _vault(text: str) -> Vault:
    keys, active = parse_key_ring(text)
    return Vault(keys, active)


def test_a_sealed_value_opens_only_in_its_own_row_and_unaltered() -> None:
    vault = _vault(OLD)
    sealed = vault.seal("DE89370400440532013000", "accounts:1:iban")
    assert "0532013000" not in sealed and sealed.startswith("v1.k1.")
    assert vault.open(sealed, "accounts:1:iban") == "DE89370400440532013000"
    assert vault.seal("DE89370400440532013000", "accounts:1:iban") != sealed  # a fresh nonce each time
    with pytest.raises(VaultError, match="another row"):
        vault.open(sealed, "accounts:2:iban")
    tampered = sealed[:-2] + ("AA" if sealed[-2:] != "AA" else "BB")
    with pytest.raises(VaultError):
        vault.open(tampered, "accounts:1:iban")


def test_rotation_re_seals_under_the_new_key_and_the_old_key_can_then_go() -> None:
    old_only = _vault(OLD)
    sealed = old_only.seal("GB29NWBK60161331926819", "accounts:7:iban")
    both = _vault(f"{NEW},{OLD}")  # the new key first: active
    assert both.active == "k2" and both.needs_rotation(sealed)
    assert both.open(sealed, "accounts:7:iban") == "GB29NWBK60161331926819"  # no downtime
    rotated = both.rotate(sealed, "accounts:7:iban")
    assert rotated.startswith("v1.k2.") and not both.needs_rotation(rotated)
    assert both.rotate(rotated, "accounts:7:iban") == rotated
    new_only = _vault(NEW)
    assert new_only.open(rotated, "accounts:7:iban") == "GB29NWBK60161331926819"
    with pytest.raises(VaultError, match="no key 'k1'"):
        new_only.open(sealed, "accounts:7:iban")


A_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="  # 32 bytes: a fixed test id, not a secret


def test_a_fixed_key_entry_reads() -> None:
    assert _vault(f"k9:{A_KEY}").active == "k9"


@pytest.mark.parametrize("ring", ["", "k1:short", f"bad id!:{A_KEY}", "k1:not base64!"])
def test_a_bad_key_ring_is_refused(ring: str) -> None:
    with pytest.raises((VaultError, ValueError)):
        parse_key_ring(ring)
