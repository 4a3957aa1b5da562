"""Every login attempt costs the configured argon2 profile, whichever account it names.

Counted by the work of the hashes verified (time_cost x memory_cost), not by a stopwatch,
so the tests say the same on a loaded CI box. `bench/login_timing.py` prints the times.
"""

from __future__ import annotations

from typing import Literal

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from backend.platform import passwords

# Stands in for the production profile: far cheaper, yet dearer than the seed's.
CONFIGURED = PasswordHasher(time_cost=2, memory_cost=16 * 1024, parallelism=1, type=Type.ID)
# What seeding uses for accounts that never log in (backend/seed/world.py).
SEEDED = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1, type=Type.ID)
PASSWORD = "the-right-password"


class RecordingHasher(PasswordHasher):
    """The configured profile, noting the work of every hash it verifies."""

    def __init__(self) -> None:
        super().__init__(time_cost=2, memory_cost=16 * 1024, parallelism=1, type=Type.ID)
        self.work: list[int] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        params = extract_parameters(hash if isinstance(hash, str) else hash.decode())
        self.work.append(params.time_cost * params.memory_cost)
        return super().verify(hash, password)


@pytest.fixture
def verified_work(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The configured profile in force; the work of every hash verified is recorded."""
    hasher = RecordingHasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    return hasher.work


CONFIGURED_WORK = CONFIGURED.time_cost * CONFIGURED.memory_cost


def test_an_unknown_email_costs_the_configured_profile(verified_work: list[int]) -> None:
    assert passwords.verify_password(None, "guess") is False
    assert verified_work == [CONFIGURED_WORK]


def test_a_wrong_password_on_a_seeded_hash_is_topped_up_to_the_configured_profile(
    verified_work: list[int],
) -> None:
    seeded = SEEDED.hash(PASSWORD)
    assert passwords.verify_password(seeded, "guess") is False
    assert max(verified_work) == CONFIGURED_WORK


def test_a_wrong_password_on_a_current_hash_costs_one_verification(verified_work: list[int]) -> None:
    assert passwords.verify_password(CONFIGURED.hash(PASSWORD), "guess") is False
    assert verified_work == [CONFIGURED_WORK]


def test_the_right_password_on_a_seeded_hash_is_accepted_and_flagged_for_rehash(
    verified_work: list[int],
) -> None:
    seeded = SEEDED.hash(PASSWORD)
    assert passwords.verify_password(seeded, PASSWORD) is True
    assert passwords.needs_rehash(seeded)


def test_a_garbled_stored_hash_still_costs_the_configured_profile(verified_work: list[int]) -> None:
    assert passwords.verify_password("$argon2id$garbage", "guess") is False
    assert verified_work == [CONFIGURED_WORK]


def test_the_decoy_follows_the_profile_in_force(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", SEEDED)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", passwords._DUMMY_HASH)  # restored afterwards
    assert extract_parameters(passwords._decoy_hash()).memory_cost == SEEDED.memory_cost
    monkeypatch.setattr(passwords, "_hasher", CONFIGURED)
    assert extract_parameters(passwords._decoy_hash()).memory_cost == CONFIGURED.memory_cost

