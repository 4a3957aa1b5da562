"""Helpers shared by the auth test modules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher, Type

from backend.composition.container import Container
from backend.platform import passwords
from backend.platform.actors import Actor, Role
from backend.users.interface import UserCreate

OPERATOR = Actor.operator("test")
PASSWORD = "correct horse battery staple"


def use_cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """Same code path, far cheaper parameters: the production profile (64 MiB, 4 lanes)
    costs a quarter of a second per call on a busy 2-core box, and these tests make dozens.
    The dummy hash is replaced too, so unknown emails stay as cheap as wrong passwords."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheap.hash("not-a-real-password-used-for-timing-only"))
    return cheap


class Clock:
    """The service's notion of now, moved by the test instead of by sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def create_user(
    container: Container, email: str, role: Role = Role.INVESTOR, password: str = PASSWORD
) -> int:
    return container.users.create_user(OPERATOR, UserCreate(email=email, role=role, password=password)).id
