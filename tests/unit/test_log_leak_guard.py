"""The suite's log leak guard (tests/conftest.py) sees what it looks for, and only that."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.conftest import LOG_LEAK_GUARD, secrets_in

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJlLXBhcnQ"


@pytest.fixture
def noted() -> Iterator[list[str]]:
    """What the guard noted during the test, taken away so that the test itself passes."""
    taken: list[str] = []
    yield taken
    taken += LOG_LEAK_GUARD.leaks
    LOG_LEAK_GUARD.leaks.clear()


def _logged(noted: list[str]) -> list[str]:
    noted += LOG_LEAK_GUARD.leaks
    LOG_LEAK_GUARD.leaks.clear()
    return noted


def test_the_guard_is_on_the_root_logger_at_info() -> None:
    root = logging.getLogger()
    assert LOG_LEAK_GUARD in root.handlers and root.getEffectiveLevel() <= logging.INFO


def test_a_test_password_in_a_message_is_caught_masked_with_its_logger(noted: list[str]) -> None:
    logging.getLogger("tests.leaky").info("signed in with %s", "correct horse battery staple")
    [leak] = _logged(noted)
    assert leak.startswith("logger 'tests.leaky': a test password or secret written to the log")
    assert "correct horse battery" not in leak and '"logger": "tests.leaky"' in leak


def test_what_the_formatter_masks_is_still_caught_at_the_call(noted: list[str]) -> None:
    log = logging.getLogger("tests.leaky")
    log.warning("refused %s", JWT)
    log.info("payout", extra={"to": "DE89 3704 0044 0532 0130 00"})
    log.info("header", extra={"authorization": f"Bearer {JWT}"})
    leaks = _logged(noted)
    assert len(leaks) == 3
    assert all("handed to the logger (the formatter masked it)" in leak for leak in leaks)
    assert "a JWT" in leaks[0] and "an IBAN" in leaks[1] and "a bearer credential" in leaks[2]
    assert not any(JWT in leak or "0130 00" in leak for leak in leaks)


def test_below_info_and_ordinary_lines_are_not_leaks(noted: list[str]) -> None:
    log = logging.getLogger("tests.leaky")
    log.debug("debug is not written in production: %s", "correct horse battery staple")
    log.info(
        "Subscription of USD 1,000.00 to Pool Alpha on 2025-01-02, GTID 0-1-23, ref RF18539007547034",
        extra={"amount": "1000.00", "request": "4bf92f3577b34da6a3ce929d0e0e4736"},
    )
    log.info("authentication required: send a Bearer access token")  # see below
    leaks = _logged(noted)
    # The guard's "Bearer " is literal: prose naming the scheme is reported too (none is logged).
    assert len(leaks) == 1 and "a bearer credential" in leaks[0]


def test_the_patterns() -> None:
    assert secrets_in("whsec_platform_tests") == [("a webhook secret", "whsec_platform_tests")]
    assert secrets_in("webhook secrets look like whsec_...") == []
    assert [what for what, _ in secrets_in("NL91ABNA0417164300 and NL91 ABNA 0417 1643 00")] == [
        "an IBAN"
    ] * 2
    assert secrets_in("ISIN US0378331005, hash 4bf92f3577b34da6a3ce929d0e0e4736") == []
