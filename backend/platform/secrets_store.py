"""Secrets for the embedded default: generated into var/ on first run, never committed.

Production passes SECRET_KEY and JWT_KEYS_DIR; the generated files exist only so that
`make run` works on a fresh clone without anyone inventing a password.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backend.platform.key_ring import new_key_entry


def _write_private(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting together must not overwrite each other's key.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)


def _load_or_create(path: Path, first: bytes) -> str:
    """The file's text, written with `first` when it does not exist yet (by whichever of two
    processes starting together gets there first: the other's `first` is never used)."""
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            _write_private(path, first)
    return path.read_text()


def load_or_create_secret_key(var_dir: Path) -> str:
    return _load_or_create(var_dir / "secret_key", secrets.token_urlsafe(48).encode()).strip()


def load_or_create_internal_token_key(var_dir: Path) -> str:
    """The key gRPC calls' internal tokens are signed with, shared by the processes of one
    machine through var/ (production sets INTERNAL_TOKEN_KEY in every process)."""
    return _load_or_create(var_dir / "internal_token_key", secrets.token_urlsafe(48).encode()).strip()


def load_or_create_webhook_secrets(var_dir: Path) -> list[str]:
    """The payment gateway's webhook signing secrets, one per line (a rotation lists two)."""
    text = _load_or_create(
        var_dir / "payment_webhook_secrets", ("whsec_" + secrets.token_urlsafe(32)).encode()
    )
    return [line.strip() for line in text.splitlines() if line.strip()]


def _key_ring(kid: str) -> bytes:
    """A ring of one new key, `kid` (backend/platform/key_ring.py reads it)."""
    return new_key_entry(kid).encode()


def load_or_create_payment_data_keys(var_dir: Path) -> str:
    """The key ring sealing payment data at rest ("kid:base64key" per line, first active)."""
    return _load_or_create(var_dir / "payment_data_keys", _key_ring("k1"))


def load_or_create_backup_keys(var_dir: Path) -> str:
    """The key ring sealing database backups ("kid:base64key" per line, first active)."""
    return _load_or_create(var_dir / "backup_keys", _key_ring("b1"))


def load_or_create_jwt_keys_dir(var_dir: Path) -> Path:
    """A directory of Ed25519 private keys named `<kid>.pem`; creates the first one."""
    keys_dir = var_dir / "jwt_keys"
    if not any(keys_dir.glob("*.pem")):
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        with contextlib.suppress(FileExistsError):
            _write_private(keys_dir / f"k{secrets.token_hex(4)}.pem", pem)
    return keys_dir
