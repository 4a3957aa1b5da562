"""Benchmark: real Chromium through every role's pages, timed from navigation to figures on
screen. A script, not a test; it prints one line per page.

Each page marks the moment its figures are drawn (portal/assets/drawn.js: the last change
to the page after which no callback is in flight, every chart is drawn and no grid is
fetching rows) and the layout shift until then (Chromium's Cumulative Layout Shift). For
each role this signs in through the login form (the landing page's figure is "first visit
after sign-in"), then visits every page of the role's navbar, its notifications and, for the
manager, the first two pools: a first visit, then --visits warm ones (full loads; the
browser's cache and the server's are warm). Last, on the first open-ended pool, the
manager's Preview and Confirm of a valuation at the pool's NAV: each from the click to the
answer on screen.

For a seeded database (seed it first, e.g. `python app.py seed --scale large` on MariaDB,
as production runs: CELERY_BROKER_URL set), it creates one user per role over the first
pools (bench/seeded_portal.py) and serves `app.py serve --workers N` (gunicorn) on a
loopback port. Set REDIS_URL, and DATABASE_REPLICA_URLS for a replica, in the environment
as production has them; give --var-dir the seed's VAR_DIR. The bench users' own entries
are followed by the snapshot task the worker would run after them (--cold skips it).

    python bench/browser.py --database-url URL [--var-dir DIR] [--workers 2] [--visits 3]

Needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from backend.composition.container import Container
from backend.platform.actors import Role
from backend.platform.errors import Conflict
from bench.seeded_portal import OPERATOR, PASSWORD, gunicorn, run_snapshot_tasks, seeded_book
from portal.navigation import HOME, LINKS

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--no-first-run",
    "--window-size=1280,900",
)
WAIT_SECONDS = 60
# The targets, printed beside each figure.
WARM_MS, FIRST_MS, PREVIEW_MS, CONFIRM_MS, SHIFT = 1000.0, 2000.0, 300.0, 500.0, 0.1


@dataclass
class PageFigures:
    path: str
    first_ms: float = 0.0
    warm_ms: list[float] = field(default_factory=list)
    shift: float = 0.0
    requests: list[tuple[str, float, float]] = field(default_factory=list)
    """The last warm visit's requests to Dash: (what, start ms, duration ms)."""


_DASH_REQUESTS = """
return performance.getEntriesByType('resource')
  .filter(function (e) { return e.name.indexOf('/_dash-') >= 0; })
  .map(function (e) { return [e.name.split('/').pop(), e.startTime, e.duration]; });
"""


def _chromium(profile: Path) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def _drawn(driver: webdriver.Chrome) -> tuple[float, float]:
    """Wait for this navigation's figures-drawn mark: (ms from navigation, layout shift); NaN
    for a page that never settled within WAIT_SECONDS (printed as such, not a crash)."""
    try:
        WebDriverWait(driver, WAIT_SECONDS).until(
            lambda d: d.execute_script("return document.documentElement.getAttribute('data-figures-drawn')")
        )
    except TimeoutException:
        print(f"  {driver.current_url}: no figures-drawn mark within {WAIT_SECONDS} s", file=sys.stderr)
        return math.nan, math.nan
    drawn, shift = driver.execute_script(
        "var r = document.documentElement;"
        "return [r.getAttribute('data-figures-drawn'), r.getAttribute('data-layout-shift')];"
    )
    return float(drawn), float(shift)


def _visit(driver: webdriver.Chrome, url: str) -> tuple[float, float]:
    driver.get("about:blank")
    driver.get(url)
    return _drawn(driver)


def _sign_in(driver: webdriver.Chrome, base: str, email: str) -> tuple[float, float]:
    """Sign in through the form; the landing page's figures, timed from the form's submission."""
    driver.delete_all_cookies()
    driver.get(base + "/login")
    WebDriverWait(driver, WAIT_SECONDS).until(ec.element_to_be_clickable((By.ID, "login-submit")))
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    WebDriverWait(driver, WAIT_SECONDS).until(lambda d: "/login" not in d.current_url)
    return _drawn(driver)


def _role_pages(role: Role, pools: list[int]) -> list[str]:
    pages = [HOME[role], *(link.href for link in LINKS[role]), "/notifications"]
    if role is Role.MANAGER:
        pages += [f"/manager/pools/{pool}" for pool in pools[:2]]
    return list(dict.fromkeys(pages))


def _walk(
    driver: webdriver.Chrome, base: str, email: str, pages: list[str], visits: int
) -> list[PageFigures]:
    landing, landing_shift = _sign_in(driver, base, email)
    figures = []
    for path in pages:
        page = PageFigures(path)
        page.first_ms, page.shift = (
            (landing, landing_shift) if path == pages[0] else _visit(driver, base + path)
        )
        for _ in range(visits):
            drawn, shift = _visit(driver, base + path)
            page.warm_ms.append(drawn)
            page.shift = max(page.shift, shift)
        page.requests = [(str(n), float(s), float(d)) for n, s, d in driver.execute_script(_DASH_REQUESTS)]
        figures.append(page)
    return figures


def _pattern(**parts: str) -> tuple[str, str]:
    # A pattern-matching id is JSON in the DOM: XPath can quote it, CSS by id cannot.
    return (By.XPATH, f"//*[@id='{json.dumps(parts, sort_keys=True, separators=(',', ':'))}']")


def _timed_click(driver: webdriver.Chrome, locator: tuple[str, str], done: Callable[[Any], Any]) -> float:
    element = WebDriverWait(driver, WAIT_SECONDS).until(ec.element_to_be_clickable(locator))
    began = time.perf_counter()
    driver.execute_script("arguments[0].click();", element)
    WebDriverWait(driver, WAIT_SECONDS, poll_frequency=0.01).until(done)
    return (time.perf_counter() - began) * 1000


def _posted(driver: webdriver.Chrome) -> bool:
    return "Posted" in driver.find_element(*_pattern(action="valuation", type="af-result")).text


def _preview_and_confirm(
    driver: webdriver.Chrome, base: str, pool: int, nav: Decimal, rounds: int
) -> tuple[list[float], list[float]]:
    """A valuation at the pool's NAV, previewed and confirmed `rounds` times (the page is
    loaded afresh each time, so each preview starts from the form as a person finds it)."""
    previews, confirms = [], []
    for _ in range(rounds):
        _visit(driver, f"{base}/manager/pools/{pool}")
        tab = WebDriverWait(driver, WAIT_SECONDS).until(
            ec.presence_of_element_located((By.XPATH, "//*[@role='tab'][contains(., 'Valuation')]"))
        )
        driver.execute_script("arguments[0].click();", tab)
        value = WebDriverWait(driver, WAIT_SECONDS).until(
            ec.presence_of_element_located(_pattern(action="valuation", field="net_asset_value", type="af"))
        )
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", value)
        value.clear()
        value.send_keys(str(nav), Keys.TAB)
        previews.append(
            _timed_click(
                driver,
                _pattern(action="valuation", type="af-preview"),
                ec.visibility_of_element_located((By.ID, "effect-valuation")),
            )
        )
        confirms.append(_timed_click(driver, _pattern(action="valuation", type="af-confirm"), _posted))
    return previews, confirms


def _closed_pool(container: Container, manager_email: str) -> int | None:
    """The first closed-ended pool of the book, run by the bench manager from now on."""
    for pool_id in container.pools.all_pool_ids():
        if container.pools.get_pool(OPERATOR, pool_id).kind.value == "closed_ended":
            manager = container.users.find_by_email(OPERATOR, manager_email).id
            with contextlib.suppress(Conflict):  # already one of theirs
                container.pools.add_manager(OPERATOR, pool_id, manager)
            return pool_id
    return None


def _verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER"  # NaN (never settled) is not <= anything


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--var-dir", default=None, help="the seed's VAR_DIR (default: a new one)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (app.py serve --workers)")
    parser.add_argument("--pools", type=int, default=5, help="the pools the bench users are given")
    parser.add_argument("--visits", type=int, default=3, help="warm visits per page")
    parser.add_argument("--roles", default="investor,manager,analyst,admin", help="whose pages to walk")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="skip the snapshot tasks after the bench users' entries (as if no worker ran)",
    )
    parser.add_argument(
        "--trace", action="store_true", help="under each page, its last visit's requests to Dash"
    )
    args = parser.parse_args()
    book = seeded_book(args.database_url, args.var_dir, args.pools, "bench-browser-")
    var, container, pools, logins = book.var, book.container, book.pool_ids, book.logins
    # A valuation cannot be dated on a day deals were struck at (the bench investor subscribed
    # today to the open-ended pools): the bench manager values a closed-ended pool instead.
    marked = _closed_pool(container, logins["manager"])
    if not args.cold:
        run_snapshot_tasks(container, pools)
    stop, base = gunicorn(args.database_url, var, args.workers)
    driver = _chromium(Path(tempfile.mkdtemp(prefix="bench-chromium-")))
    try:
        print(f"{base}: app.py serve --workers {args.workers}; {args.visits} warm visits per page")
        print(f"{'page':34} {'first':>8} {'warm p50':>9} {'warm max':>9} {'shift':>7}")
        for role in (Role(name) for name in args.roles.split(",") if name):
            for page in _walk(driver, base, logins[role.value], _role_pages(role, pools), args.visits):
                warm = statistics.median(page.warm_ms)
                print(
                    f"{role.value + ' ' + page.path:34} {page.first_ms:6.0f}ms "
                    f"{warm:7.0f}ms {max(page.warm_ms):7.0f}ms {page.shift:7.3f}  "
                    f"first {_verdict(page.first_ms, FIRST_MS)}, "
                    f"warm {_verdict(max(page.warm_ms), WARM_MS)}, shift {_verdict(page.shift, SHIFT)}"
                )
                if args.trace:
                    for name, start, duration in page.requests:
                        print(f"    {name:32} at {start:6.0f} ms, {duration:6.0f} ms")
        if marked is not None:
            pool = marked
            nav = container.transactions.pool_positions(OPERATOR, pool).net_asset_value
            _sign_in(driver, base, logins["manager"])
            try:
                previews, confirms = _preview_and_confirm(driver, base, pool, nav, args.visits)
            except TimeoutException:
                shot = var / "bench-browser-preview.png"
                driver.save_screenshot(str(shot))
                raise SystemExit(
                    f"the valuation's preview or confirmation never showed: see {shot}"
                ) from None
            for name, values, target in (
                ("Preview", previews, PREVIEW_MS),
                ("Confirm", confirms, CONFIRM_MS),
            ):
                label = f"{name} (valuation, pool {pool})"
                print(
                    f"{label:34} p50 {statistics.median(values):6.0f}ms "
                    f"max {max(values):6.0f}ms  {_verdict(max(values), target)} (target {target:.0f} ms)"
                )
    finally:
        driver.quit()
        stop()
        book.leave([marked] if marked is not None else [])
        container.db.dispose()


if __name__ == "__main__":
    main()
