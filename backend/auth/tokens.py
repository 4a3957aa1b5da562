"""Signed access tokens: Ed25519 keys from a directory, and JWTs issued and checked with them.

Keys rotate by files: drop `<kid>.pem` into the directory and new tokens are signed with it
(when it is the newest, or named by JWT_ACTIVE_KID); remove the old file once the tokens it
signed have expired. The directory is rescanned on every use (a stat per file, microseconds)
so every app server sees a rotation at once, with no restart and no cache to expire.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from backend.platform.actors import Role

log = logging.getLogger(__name__)

ALGORITHM = "EdDSA"
# RFC 9068's media type for JWT access tokens: a JWT minted for another purpose with the
# same keys (a service token, say) is not accepted as a user's access token.
TOKEN_TYPE = "at+jwt"  # noqa: S105 - a media type, not a secret
# `sid` (OpenID Connect's session id claim) names the server-side session the token was
# minted for: a token of a revoked session is refused before its expiry.
_REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "nbf", "jti", "sid"]
# Kids are file names; anything else in a header is refused before it gets near the disk.
_KID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SID = re.compile(r"^[0-9a-f]{32}$")
# App servers' clocks drift a little: a token minted by one may reach another "early".
_CLOCK_SKEW_SECONDS = 5
# Far above any token we issue; refuses oversized input before any parsing.
_MAX_TOKEN_CHARS = 4096


class InvalidToken(Exception):
    """Why a token was refused, for the server log only; callers answer one generic message."""


class SigningKeyUnavailable(RuntimeError):
    """No usable signing key: a configuration error, not a client's fault."""


@dataclass(frozen=True)
class _Key:
    private: Ed25519PrivateKey
    public: Ed25519PublicKey


_FileStamp = tuple[int, int]  # (mtime_ns, size): a rewritten file is parsed again


class KeyRing:
    """Ed25519 keys from `<kid>.pem` files. Every key present verifies; one signs."""

    def __init__(self, keys_dir: Path, active_kid: str | None = None) -> None:
        self._dir = keys_dir
        self._active_kid = active_kid
        self._lock = threading.Lock()
        self._files: dict[str, tuple[_FileStamp, _Key | None]] = {}

    def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        keys, newest = self._scan()
        kid = self._active_kid or newest
        if kid is None or kid not in keys:
            raise SigningKeyUnavailable(f"no Ed25519 signing key {kid or '(any)'} in {self._dir}")
        return kid, keys[kid].private

    def verifying_key(self, kid: str) -> Ed25519PublicKey | None:
        key = self._scan()[0].get(kid)
        return key.public if key else None

    def _scan(self) -> tuple[dict[str, _Key], str | None]:
        """The keys the directory holds right now, by kid, and the kid of the newest file."""
        try:
            entries = [e for e in os.scandir(self._dir) if e.name.endswith(".pem") and e.is_file()]
        except FileNotFoundError:
            entries = []
        keys: dict[str, _Key] = {}
        mtimes: dict[str, int] = {}
        with self._lock:
            files: dict[str, tuple[_FileStamp, _Key | None]] = {}
            for entry in entries:
                st = entry.stat()
                stamp = (st.st_mtime_ns, st.st_size)
                known = self._files.get(entry.name)
                # Parsed, and complained about, once per version of a file, not per request.
                files[entry.name] = known if known and known[0] == stamp else (stamp, _load(Path(entry.path)))
                key = files[entry.name][1]
                if key is not None:
                    kid = entry.name.removesuffix(".pem")
                    keys[kid], mtimes[kid] = key, st.st_mtime_ns
            self._files = files  # a removed file is forgotten, so it stops verifying at once
        return keys, max(keys, key=lambda k: (mtimes[k], k), default=None)


def _load(path: Path) -> _Key | None:
    if not _KID.match(path.stem):
        log.warning("JWT key file skipped: name is not a valid kid", extra={"key_file": path.name})
        return None
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        log.warning(
            "JWT key file skipped: unreadable", extra={"key_file": path.name, "error": type(exc).__name__}
        )
        return None
    if not isinstance(key, Ed25519PrivateKey):
        log.warning("JWT key file skipped: not an Ed25519 key", extra={"key_file": path.name})
        return None
    return _Key(key, key.public_key())


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    role: Role
    jti: str
    expires_at: datetime
    session_id: str


@dataclass(frozen=True)
class IssuedAccessToken:
    token: str
    claims: AccessClaims


class AccessTokens:
    """Issues and verifies access JWTs. Time is passed in, so the caller owns the clock."""

    def __init__(self, keys: KeyRing, *, issuer: str, audience: str, ttl_seconds: int) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl_seconds

    @property
    def ttl_seconds(self) -> int:
        return self._ttl

    def issue(self, user_id: int, role: Role, now: datetime, *, session_id: str) -> IssuedAccessToken:
        if not _SID.match(session_id):
            raise ValueError("a session id is 32 lowercase hex digits")
        kid, private = self._keys.signing_key()
        issued = int(now.timestamp())
        expires = datetime.fromtimestamp(issued + self._ttl, UTC)
        claims = AccessClaims(user_id, role, uuid.uuid4().hex, expires, session_id)
        payload = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(user_id),
            "role": role.value,
            "jti": claims.jti,
            "sid": session_id,
            "iat": issued,
            "nbf": issued,
            "exp": issued + self._ttl,
        }
        token = jwt.encode(payload, private, algorithm=ALGORITHM, headers={"kid": kid, "typ": TOKEN_TYPE})
        return IssuedAccessToken(token, claims)

    def verify(self, token: str, now: datetime) -> AccessClaims:
        """The token's claims, or InvalidToken. Signature, algorithm, kid, typ, iss, aud,
        exp, nbf, iat, sub, jti and sid are all checked; whether the session is still live
        is the caller's business."""
        if len(token) > _MAX_TOKEN_CHARS:
            raise InvalidToken("token too long")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"malformed header: {type(exc).__name__}") from exc
        # PyJWT enforces the algorithm list below as well; refusing here first means a
        # token with another alg never even selects a key.
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("algorithm not allowed")
        if header.get("typ") != TOKEN_TYPE:
            raise InvalidToken("not an access token")
        kid = header.get("kid")
        if not isinstance(kid, str) or not _KID.match(kid):
            raise InvalidToken("missing or malformed kid")
        key = self._keys.verifying_key(kid)
        if key is None:
            raise InvalidToken("unknown kid")
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={
                    "require": _REQUIRED_CLAIMS,
                    "strict_aud": True,
                    # Checked below against the caller's clock rather than PyJWT's own.
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"rejected by PyJWT: {type(exc).__name__}") from exc
        return self._claims(payload, now)

    def _claims(self, payload: dict[str, Any], now: datetime) -> AccessClaims:
        exp, nbf, iat = (_int_claim(payload, name) for name in ("exp", "nbf", "iat"))
        at = now.timestamp()
        if at >= exp:
            raise InvalidToken("expired")
        if nbf > at + _CLOCK_SKEW_SECONDS or iat > at + _CLOCK_SKEW_SECONDS:
            raise InvalidToken("not yet valid")
        sub, jti, role, sid = (payload.get(name) for name in ("sub", "jti", "role", "sid"))
        if not isinstance(sub, str) or not sub.isdigit() or not sub.isascii():
            raise InvalidToken("malformed sub")
        if not isinstance(jti, str) or not 0 < len(jti) <= 64:
            raise InvalidToken("malformed jti")
        if role not in {r.value for r in Role}:
            raise InvalidToken("unknown role")
        if not isinstance(sid, str) or not _SID.match(sid):
            raise InvalidToken("malformed sid")
        return AccessClaims(int(sub), Role(role), jti, datetime.fromtimestamp(exp, UTC), sid)


def _int_claim(payload: dict[str, Any], name: str) -> int:
    value = payload.get(name)
    # bool is an int in Python; `true` is not a timestamp.
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidToken(f"malformed {name}")
    return value

