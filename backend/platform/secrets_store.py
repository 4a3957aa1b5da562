"""Secrets for the embedded default: generated into var/ on first run, never committed.

Production passes SECRET_KEY and JWT_KEYS_DIR; the generated files exist only so that
`make run` works on a fresh clone without anyone inventing a password.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def _write_private(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting together must not overwrite each other's key.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)


def load_or_create_secret_key(var_dir: Path) -> str:
    path = var_dir / "secret_key"
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            _write_private(path, secrets.token_urlsafe(48).encode())
    return path.read_text().strip()


def load_or_create_webhook_secrets(var_dir: Path) -> list[str]:
    """The payment gateway's webhook signing secrets, one per line (a rotation lists two)."""
    path = var_dir / "payment_webhook_secrets"
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            _write_private(path, ("whsec_" + secrets.token_urlsafe(32)).encode())
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def load_or_create_payment_data_keys(var_dir: Path) -> str:
    """The key ring sealing payment data at rest ("kid:base64key" per line, first active)."""
    path = var_dir / "payment_data_keys"
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            _write_private(path, b"k1:" + base64.b64encode(secrets.token_bytes(32)))
    return path.read_text()


def load_or_create_backup_keys(var_dir: Path) -> str:
    """The key ring sealing database backups ("kid:base64key" per line, first active)."""
    path = var_dir / "backup_keys"
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            _write_private(path, b"b1:" + base64.b64encode(secrets.token_bytes(32)))
    return path.read_text()


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
