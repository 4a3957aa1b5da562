"""The real portal served on loopback over a fresh SQLite database, and Chromium to drive it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from werkzeug.serving import make_server

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.platform.config import load_settings
from backend.seed.demo_logins import DemoLogin, seed_demo_users
from sql.migrate import upgrade

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,800",
)


@dataclass(frozen=True)
class LivePortal:
    url: str
    logins: list[DemoLogin]
    container: Container | None = None
    """The served portal's services, for tests that set up data a page needs (not for checks)."""


@contextmanager
def serve_portal(var_dir: Path) -> Iterator[LivePortal]:
    """Migrate, seed the demo users, and serve the portal on a free loopback port."""
    database_url = f"sqlite:///{var_dir / 'portal.sqlite3'}"
    upgrade(database_url)
    container = Container(load_settings(DATABASE_URL=database_url, VAR_DIR=str(var_dir)))
    logins = seed_demo_users(container)
    server = make_server("127.0.0.1", 0, create_app(container), threaded=True)
    # As every served process has it (observability.configure_logging; gunicorn's access log
    # is off): werkzeug's own access lines are not ours, and one holding a download link's
    # signed token tripped the secret-in-logs guard on some runs.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = server.socket.getsockname()[1]
    thread = threading.Thread(target=server.serve_forever, name="e2e-portal", daemon=True)
    thread.start()
    try:
        yield LivePortal(f"http://127.0.0.1:{port}", logins, container)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        container.db.dispose()


class Chromium:
    """Starts headless Chromium on first use, inside a test, so a missing browser fails
    that test with instructions instead of erroring in setup or being skipped."""

    def __init__(self, profile_dir: Path) -> None:
        self._profile_dir = profile_dir
        self._driver: webdriver.Chrome | None = None

    def __call__(self) -> webdriver.Chrome:
        if self._driver is None:
            self._driver = self._start()
        return self._driver

    def _start(self) -> webdriver.Chrome:
        missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
        if missing:
            pytest.fail(
                f"browser tests need Debian's chromium and chromium-driver, but {', '.join(missing)} "
                "is missing. Install them: apt-get update && apt-get install -y chromium chromium-driver",
                pytrace=False,
            )
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={self._profile_dir}"):
            options.add_argument(flag)
        # The console log is how the tests see CSP violations and failed loads.
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)

    def forget_sessions(self) -> None:
        """Clear every cookie, so a test that stopped half-way leaves no one signed in."""
        if self._driver is not None:
            self._driver.execute_cdp_cmd("Network.clearBrowserCookies", {})

    def leave_page(self) -> None:
        """Go to a blank page, so a dashboard's timers stop calling the portal between tests."""
        if self._driver is not None:
            self._driver.get("about:blank")

    def quit(self) -> None:
        if self._driver is not None:
            self._driver.quit()
            self._driver = None
