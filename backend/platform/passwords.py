"""argon2id password hashing (RFC 9106 second recommended profile, argon2-cffi defaults).

Every login attempt costs the configured profile's time, whoever it names: an unknown email
is verified against a decoy hash of that profile, and a wrong password against a cheaper
stored hash (a seeded account, a hash from before the profile was raised) is topped up with
the decoy too. Otherwise response time would tell which emails have accounts. A right
password against a cheaper hash is rehashed to the profile on the spot (needs_rehash).
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher(type=Type.ID)

_DECOY_PASSWORD = "not-a-real-password-used-for-timing-only"  # noqa: S105 - a decoy, matches no account
_DUMMY_HASH = _hasher.hash(_DECOY_PASSWORD)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        _matches(_decoy_hash(), password)
        return False
    if _matches(password_hash, password):
        return True
    if _cheaper_than_configured(password_hash):
        _matches(_decoy_hash(), password)
    return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _decoy_hash() -> str:
    """The decoy, of the profile in force now: rebuilt when `_hasher` was swapped (seeding
    and the tests use a cheap one), so it never costs less than a real account's hash."""
    global _DUMMY_HASH  # noqa: PLW0603 - one cached value, replaced only when the profile changes
    if _hasher.check_needs_rehash(_DUMMY_HASH):
        _DUMMY_HASH = _hasher.hash(_DECOY_PASSWORD)
    return _DUMMY_HASH


def _cheaper_than_configured(password_hash: str) -> bool:
    # argon2's work is time_cost passes over memory_cost KiB; lanes only split it.
    try:
        stored = extract_parameters(password_hash)
    except InvalidHashError:
        return True  # verifying it failed at once: nothing was spent
    return stored.time_cost * stored.memory_cost < _hasher.time_cost * _hasher.memory_cost
