"""Key rings for data encrypted at rest: "kid:base64(32 bytes)" entries, the first active.

A ring rather than one key so a key is replaced without downtime: add the new key first
(it becomes the one that writes), keep the old one to read what it wrote, drop it once
nothing needs it. The payment vault and the database backups both keep their keys this way.
"""

from __future__ import annotations

import base64
import os
import re

_KID = re.compile(r"[A-Za-z0-9_-]{1,32}")


class KeyRingError(ValueError):
    """The ring's text is malformed: a bad key id, a key that is not 32 bytes, no key."""


def parse_key_ring(text: str) -> tuple[dict[str, bytes], str]:
    """Keys from "kid:base64key" entries (comma or newline separated); the first is active."""
    keys: dict[str, bytes] = {}
    active = ""
    for raw in re.split(r"[,\n]", text):
        entry = raw.strip()
        if not entry:
            continue
        kid, _, encoded = entry.partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError:
            key = b""
        if not _KID.fullmatch(kid) or len(key) != 32:
            raise KeyRingError(f"key {kid!r}: need an id of letters, digits, - or _ and a 32-byte key")
        keys[kid] = key
        active = active or kid
    if not keys:
        raise KeyRingError("the key ring is empty")
    return keys, active


def new_key_entry(kid: str) -> str:
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"
