"""Fixtures every integration test gets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.payments.sandbox import SandboxGateway
from backend.platform.config import Settings, load_settings
from tests.integration.auth_support import use_cheap_argon2
from tests.integration.mail_support import MailServer
from tests.integration.payments_support import start_sandbox


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """The production argon2 profile costs a quarter of a second per hash on a busy 2-core
    box and these tests create hundreds of users: same code path, cheap parameters. The
    modules that test passwords themselves override this fixture to get the hasher."""
    use_cheap_argon2(monkeypatch)


@pytest.fixture
def sandbox() -> Iterator[SandboxGateway]:
    """A Stripe-compatible gateway sandbox on 127.0.0.1 for this test (webhooks delivered when
    the test says so). Modules marked payment_gateway get settings pointing at it."""
    gateway = start_sandbox()
    yield gateway
    gateway.stop()


@pytest.fixture
def mail() -> Iterator[MailServer]:
    """A real SMTP server on 127.0.0.1 for one test; what it received is `mail.received`."""
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings_with_mail(tmp_path: Path, mail: MailServer) -> Settings:
    """Settings that send email to `mail`: a module returns it from its own `settings` fixture."""
    return load_settings(VAR_DIR=str(tmp_path / "var"), **mail.settings())
