"""Fixtures every integration test gets."""

from __future__ import annotations

import pytest

from tests.integration.auth_support import use_cheap_argon2


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """The production argon2 profile costs a quarter of a second per hash on a busy 2-core
    box and these tests create hundreds of users: same code path, cheap parameters. The
    modules that test passwords themselves override this fixture to get the hasher."""
    use_cheap_argon2(monkeypatch)
