"""Fixtures for the browser tests: one live portal and one Chromium for the session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.live_portal import Chromium, LivePortal, serve_portal

SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def live_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePortal]:
    with serve_portal(tmp_path_factory.mktemp("e2e-var")) as portal:
        yield portal


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    browser = Chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(autouse=True)
def signed_out_browser(chromium: Chromium) -> Iterator[None]:
    """Each browser test starts with no session, whatever the previous one left behind."""
    chromium.forget_sessions()
    yield
    chromium.leave_page()
    chromium.forget_sessions()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
