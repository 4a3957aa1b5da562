"""Personal payment data encrypted at rest: AES-256-GCM under a key ring with key ids.

What the payment service must keep of a bank account (the full IBAN a payout is sent to, the
holder's name) is stored only as `v1.<key id>.<base64(nonce + ciphertext)>`. The associated
data binds each value to its row and column, so a ciphertext copied into another row does
not decrypt. New values use the active key; older keys stay in the ring to read what they
wrote until `rotate` has re-encrypted it under the active one, so a key is replaced
without downtime: add the new key, make it active, rotate, then drop the old one.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12


class VaultError(ValueError):
    """A value cannot be read: an unknown key id, a tampered or misplaced ciphertext."""


class Vault:
    def __init__(self, keys: Mapping[str, bytes], active: str) -> None:
        if active not in keys:
            raise VaultError(f"the active key {active!r} is not in the ring")
        self._keys = dict(keys)
        self.active = active

    def seal(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(self._keys[self.active]).encrypt(nonce, plaintext.encode(), context.encode())
        return f"v1.{self.active}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, token: str, context: str) -> str:
        version, kid, body = _split(token)
        if version != "v1" or kid not in self._keys:
            raise VaultError(f"no key {kid!r} in the ring to read this value")
        raw = base64.urlsafe_b64decode(body.encode())
        try:
            plain = AESGCM(self._keys[kid]).decrypt(raw[:_NONCE], raw[_NONCE:], context.encode())
        except InvalidTag:
            raise VaultError("the value was altered or belongs to another row") from None
        return plain.decode()

    def needs_rotation(self, token: str) -> bool:
        return _split(token)[1] != self.active

    def rotate(self, token: str, context: str) -> str:
        """The same value sealed under the active key (unchanged if it already is)."""
        return token if not self.needs_rotation(token) else self.seal(self.open(token, context), context)


def _split(token: str) -> tuple[str, str, str]:
    parts = token.split(".", 2)
    if len(parts) != 3:
        raise VaultError("not a sealed value")
    return parts[0], parts[1], parts[2]
