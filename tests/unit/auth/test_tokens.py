"""Access tokens without a database: signing, every refusal, and key rotation by files."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from backend.auth.tokens import AccessTokens, InvalidToken, KeyRing, SigningKeyUnavailable
from backend.platform.actors import Role

ISSUER, AUDIENCE, TTL = "test-issuer", "test-audience", 900
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SID = "5" * 32


def write_key(keys_dir: Path, kid: str, *, age_seconds: int = 0) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    path = keys_dir / f"{kid}.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    # Explicit mtimes: "newest file signs" must not depend on the file system's clock resolution.
    stamp = 1_800_000_000 - age_seconds
    os.utime(path, (stamp, stamp))
    return key


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_parts(header: dict[str, Any], payload: dict[str, Any]) -> str:
    return b64(json.dumps(header).encode()) + "." + b64(json.dumps(payload).encode())


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "jwt_keys"
    directory.mkdir()
    return directory


@pytest.fixture
def k1(keys_dir: Path) -> Ed25519PrivateKey:
    return write_key(keys_dir, "k1", age_seconds=100)


@pytest.fixture
def tokens(keys_dir: Path, k1: Ed25519PrivateKey) -> AccessTokens:
    return AccessTokens(KeyRing(keys_dir), issuer=ISSUER, audience=AUDIENCE, ttl_seconds=TTL)


def good_payload(**overrides: Any) -> dict[str, Any]:
    issued = int(NOW.timestamp())
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "7",
        "role": "investor",
        "jti": "a" * 32,
        "sid": SID,
        "iat": issued,
        "nbf": issued,
        "exp": issued + TTL,
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


def sign(key: Ed25519PrivateKey, payload: dict[str, Any], *, kid: str = "k1", typ: str = "at+jwt") -> str:
    return jwt.encode(payload, key, algorithm="EdDSA", headers={"kid": kid, "typ": typ})


def test_issued_token_verifies_with_its_claims(tokens: AccessTokens) -> None:
    issued = tokens.issue(42, Role.MANAGER, NOW, session_id=SID)
    header = jwt.get_unverified_header(issued.token)
    assert header == {"alg": "EdDSA", "kid": "k1", "typ": "at+jwt"}
    claims = tokens.verify(issued.token, NOW + timedelta(seconds=TTL - 1))
    assert (claims.user_id, claims.role, claims.jti) == (42, Role.MANAGER, issued.claims.jti)
    assert claims.session_id == SID
    assert claims.expires_at == NOW + timedelta(seconds=TTL)
    assert tokens.issue(42, Role.MANAGER, NOW, session_id=SID).claims.jti != claims.jti


def test_hand_signed_good_token_is_accepted(tokens: AccessTokens, k1: Ed25519PrivateKey) -> None:
    # The baseline the refusals below vary from one field at a time: if this failed, every
    # "refused" test would pass for the wrong reason.
    assert tokens.verify(sign(k1, good_payload()), NOW).user_id == 7


def test_expired_token_is_refused(tokens: AccessTokens) -> None:
    token = tokens.issue(1, Role.ADMIN, NOW, session_id=SID).token
    with pytest.raises(InvalidToken, match="expired"):
        tokens.verify(token, NOW + timedelta(seconds=TTL))


def test_token_from_the_future_is_refused(tokens: AccessTokens) -> None:
    token = tokens.issue(1, Role.ADMIN, NOW, session_id=SID).token
    with pytest.raises(InvalidToken, match="not yet valid"):
        tokens.verify(token, NOW - timedelta(minutes=1))


def test_alg_none_is_refused(tokens: AccessTokens) -> None:
    token = unsigned_parts({"alg": "none", "typ": "at+jwt", "kid": "k1"}, good_payload()) + "."
    with pytest.raises(InvalidToken):
        tokens.verify(token, NOW)


def test_hs256_signed_with_the_public_key_is_refused(tokens: AccessTokens, k1: Ed25519PrivateKey) -> None:
    # Algorithm confusion: a verifier that let the token pick its algorithm would check this
    # HMAC with the (public) verification key as the secret, and accept it.
    public_pem = k1.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = unsigned_parts({"alg": "HS256", "typ": "at+jwt", "kid": "k1"}, good_payload(role="admin"))
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    forged = signing_input + "." + b64(mac)
    # The same claims properly signed are accepted: only the algorithm is wrong.
    assert tokens.verify(sign(k1, good_payload(role="admin")), NOW).role is Role.ADMIN
    with pytest.raises(InvalidToken):
        tokens.verify(forged, NOW)


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"aud": "another-api"}, "InvalidAudience"),
        ({"aud": [AUDIENCE, "another-api"]}, "InvalidAudience"),
        ({"iss": "someone-else"}, "InvalidIssuer"),
        ({"jti": None}, "MissingRequiredClaim"),
        ({"sub": None}, "MissingRequiredClaim"),
        ({"exp": None}, "MissingRequiredClaim"),
        ({"nbf": None}, "MissingRequiredClaim"),
        ({"iat": None}, "MissingRequiredClaim"),
        # A token naming no session could not be ended by logout: refused.
        ({"sid": None}, "MissingRequiredClaim"),
        ({"sid": "../" + "5" * 29}, "malformed sid"),
        ({"sub": "../7"}, "malformed sub"),
        ({"role": "superuser"}, "unknown role"),
        ({"exp": True}, "malformed exp"),
    ],
)
def test_claims_are_checked(
    tokens: AccessTokens, k1: Ed25519PrivateKey, override: dict[str, Any], reason: str
) -> None:
    with pytest.raises(InvalidToken, match=reason):
        tokens.verify(sign(k1, good_payload(**override)), NOW)


def test_unknown_kid_is_refused(tokens: AccessTokens, keys_dir: Path) -> None:
    stranger = Ed25519PrivateKey.generate()
    with pytest.raises(InvalidToken, match="unknown kid"):
        tokens.verify(sign(stranger, good_payload(), kid="ghost"), NOW)
    with pytest.raises(InvalidToken, match="kid"):
        tokens.verify(sign(stranger, good_payload(), kid="../jwt_keys/k1"), NOW)


def test_known_kid_with_another_keys_signature_is_refused(tokens: AccessTokens) -> None:
    with pytest.raises(InvalidToken):
        tokens.verify(sign(Ed25519PrivateKey.generate(), good_payload(), kid="k1"), NOW)


def test_tampered_signature_or_payload_is_refused(tokens: AccessTokens) -> None:
    token = tokens.issue(7, Role.INVESTOR, NOW, session_id=SID).token
    head, payload, signature = token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    with pytest.raises(InvalidToken):
        tokens.verify(f"{head}.{payload}.{flipped}", NOW)
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    promoted = b64(json.dumps({**claims, "role": "admin"}).encode())
    with pytest.raises(InvalidToken):
        tokens.verify(f"{head}.{promoted}.{signature}", NOW)


def test_other_token_types_and_garbage_are_refused(tokens: AccessTokens, k1: Ed25519PrivateKey) -> None:
    with pytest.raises(InvalidToken, match="not an access token"):
        tokens.verify(sign(k1, good_payload(), typ="JWT"), NOW)
    for garbage in ("", "abc", "a.b.c", "x" * 5000):
        with pytest.raises(InvalidToken):
            tokens.verify(garbage, NOW)


def test_key_rotation_by_files(tokens: AccessTokens, keys_dir: Path) -> None:
    old = tokens.issue(1, Role.ANALYST, NOW, session_id=SID).token
    write_key(keys_dir, "k2", age_seconds=0)  # newer than k1: takes over signing at once
    new = tokens.issue(1, Role.ANALYST, NOW, session_id=SID).token
    assert jwt.get_unverified_header(new)["kid"] == "k2"
    assert tokens.verify(old, NOW).user_id == 1  # k1's file is still there
    (keys_dir / "k1.pem").unlink()
    with pytest.raises(InvalidToken, match="unknown kid"):
        tokens.verify(old, NOW)
    assert tokens.verify(new, NOW).user_id == 1


def test_active_kid_setting_pins_the_signing_key(keys_dir: Path, k1: Ed25519PrivateKey) -> None:
    write_key(keys_dir, "k2", age_seconds=0)
    pinned = AccessTokens(KeyRing(keys_dir, "k1"), issuer=ISSUER, audience=AUDIENCE, ttl_seconds=TTL)
    assert jwt.get_unverified_header(pinned.issue(1, Role.ADMIN, NOW, session_id=SID).token)["kid"] == "k1"
    missing = AccessTokens(KeyRing(keys_dir, "k9"), issuer=ISSUER, audience=AUDIENCE, ttl_seconds=TTL)
    with pytest.raises(SigningKeyUnavailable):
        missing.issue(1, Role.ADMIN, NOW, session_id=SID)


def test_unusable_files_are_ignored_and_reported_once(
    tokens: AccessTokens, keys_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (keys_dir / "zz.pem").write_text("not a key")
    os.utime(keys_dir / "zz.pem", (1_900_000_000, 1_900_000_000))  # newest, yet unusable
    write_key(keys_dir, "bad name", age_seconds=-1000)  # a kid cannot contain a space
    with caplog.at_level(logging.WARNING, logger="backend.auth.tokens"):
        for _ in range(3):
            token = tokens.issue(3, Role.INVESTOR, NOW, session_id=SID).token
            assert jwt.get_unverified_header(token)["kid"] == "k1"
    assert sorted(r.getMessage() for r in caplog.records) == [
        "JWT key file skipped: name is not a valid kid",
        "JWT key file skipped: unreadable",
    ]
