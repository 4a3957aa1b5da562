"""Headless Chromium, every page of every role at a desktop (1440x900) and a phone (390x844)
size, in the light and the dark theme: axe-core finds no serious or critical WCAG 2 A/AA
violation, no text spills out of its box and no page is wider than the screen; a screenshot
of each view goes to tests/artifacts/screenshots/<role>-<page>-<size>-<theme>.png.

And the shell's own controls: the phone menu opens from the keyboard and says so
(aria-expanded), the skip link reaches <main>, and the theme menu's choice is remembered,
applied before the first paint, and followed by the grids and charts ("auto" follows the OS).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from backend.investors.interface import (
    CommitmentCreate,
    InvestorCreate,
    InvestorType,
    InvestorUpdate,
    KycStatus,
)
from backend.platform.actors import Actor, Role
from backend.pools.interface import PoolCreate
from backend.seed.demo_logins import DemoLogin
from backend.users.interface import UserCreate
from ledger.interface import CapitalCallRequest, TransactionRequest, ValuationRequest
from portal.navigation import HOME, LINKS
from tests.e2e.axe import Violation, run_axe, summary
from tests.e2e.live_portal import Chromium, LivePortal
from tests.e2e.page_checks import overflow_problems
from tests.e2e.test_login_browser import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
WAIT_SECONDS = 15
OPERATOR = Actor.operator("e2e-accessibility")


@dataclass(frozen=True)
class Size:
    name: str
    width: int
    height: int
    mobile: bool


DESKTOP = Size("desktop", 1440, 900, mobile=False)
PHONE = Size("phone", 390, 844, mobile=True)
THEMES = ("light", "dark")


@dataclass(frozen=True)
class Estate:
    """Users of each role with books worth looking at: a pool with a call, a contribution and
    valuations (the charts draw), its investor, and an analyst granted it."""

    logins: dict[Role, DemoLogin]
    pool: int


def _wait(driver: webdriver.Chrome, seconds: float = WAIT_SECONDS) -> WebDriverWait[Any]:
    return WebDriverWait(
        driver, seconds, poll_frequency=0.05, ignored_exceptions=[StaleElementReferenceException]
    )


def _user(portal: LivePortal, role: Role) -> DemoLogin:
    """A user of its own for this module: the demo users' books belong to the other tests."""
    assert portal.container is not None
    login = DemoLogin(role, f"a11y-{role.value}-{uuid.uuid4().hex[:6]}@e2e.test", f"e2e-{role.value}-pass-1")
    portal.container.users.create_user(
        OPERATOR, UserCreate(email=login.email, role=role, password=login.password)
    )
    return login


def _actor(portal: LivePortal, login: DemoLogin) -> Actor:
    assert portal.container is not None
    user = portal.container.users.find_by_email(OPERATOR, login.email)
    return Actor(user_id=user.id, role=user.role, label=login.email)


@pytest.fixture(scope="module")
def estate(live_portal: LivePortal) -> Estate:
    container = live_portal.container
    assert container is not None
    logins = {role: _user(live_portal, role) for role in (Role.MANAGER, Role.INVESTOR, Role.ANALYST)}
    logins[Role.ADMIN] = next(login for login in live_portal.logins if login.role is Role.ADMIN)
    boss = _actor(live_portal, logins[Role.MANAGER])
    investor = _actor(live_portal, logins[Role.INVESTOR])
    assert investor.user_id is not None
    profile = container.investors.create_investor(
        OPERATOR,
        InvestorCreate(
            user_id=investor.user_id,
            legal_name="Accessible Investor",
            investor_type=InvestorType.INDIVIDUAL,
            country="GB",
        ),
    )
    container.investors.update_investor(OPERATOR, profile.id, InvestorUpdate(kyc_status=KycStatus.APPROVED))
    pool = container.pools.create_pool(
        boss,
        PoolCreate.model_validate(
            {
                "name": "Northern Lights Long-Horizon Infrastructure Fund",
                "kind": "closed_ended",
                "base_currency": "EUR",
                "inception_date": "2025-01-01",
                "waterfall": {
                    "preferred_return_rate": "0.08",
                    "catch_up_rate": "1",
                    "carried_interest_rate": "0.2",
                },
            }
        ),
    ).id
    container.investors.create_commitment(
        boss, pool, CommitmentCreate.model_validate({"investor_id": profile.id, "amount": "2500000.00"})
    )
    tx = container.transactions
    tx.capital_call(
        boss,
        pool,
        CapitalCallRequest(
            amount=Decimal("654168.56"), due_date=date(2025, 2, 1), effective_date=date(2025, 1, 15)
        ),
        uuid.uuid4().hex,
    )
    tx.record(
        boss,
        pool,
        TransactionRequest.model_validate(
            {
                "type": "contribution",
                "investor_id": profile.id,
                "amount": "654168.56",
                "effective_date": "2025-02-01",
            }
        ),
        uuid.uuid4().hex,
    )
    for day, nav in ((date(2025, 3, 31), "671204.10"), (date(2025, 6, 30), "702877.45")):
        tx.record_valuation(
            boss, pool, ValuationRequest(as_of=day, net_asset_value=Decimal(nav)), uuid.uuid4().hex
        )
    analyst = _actor(live_portal, logins[Role.ANALYST])
    assert analyst.user_id is not None
    container.pools.grant_analyst(boss, pool, analyst.user_id)
    return Estate(logins, pool)


def role_pages(role: Role, pool: int) -> list[tuple[str, str]]:
    """(name, path) of every page the role reaches: its home, its navbar's links, the
    notifications page, and for a manager one pool's page."""
    paths = [HOME[role], *(link.href for link in LINKS[role]), "/notifications"]
    if role is Role.MANAGER:
        paths.append(f"/manager/pools/{pool}")
    unique = list(dict.fromkeys(paths))
    return [(_page_name(role, path), path) for path in unique]


def _page_name(role: Role, path: str) -> str:
    parts = [("pool" if p.isdigit() else p) for p in path.strip("/").split("/") if p]
    if parts and parts[0] == role.value:
        parts = parts[1:]
    return "-".join(parts) or "home"


def _emulate(driver: webdriver.Chrome, size: Size) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": size.width, "height": size.height, "deviceScaleFactor": 1, "mobile": size.mobile},
    )


def _choose_theme(driver: webdriver.Chrome, theme: str) -> None:
    driver.execute_script("window.portalTheme.choose(arguments[0]);", theme)
    # Two frames, so the new colours are laid out, then every colour transition the switch
    # started (Bootstrap's buttons fade theirs over 0.15 s) has finished: read mid-fade, a
    # button's colours fail the contrast check at random (a CI run saw exactly that).
    driver.execute_async_script(
        """
        const done = arguments[0];
        requestAnimationFrame(() => requestAnimationFrame(() => {
          const fading = document.getAnimations().filter((a) => a instanceof CSSTransition);
          Promise.all(fading.map((a) => a.finished.catch(() => null)))
            .then(() => requestAnimationFrame(done));
        }));
        """
    )


def _settle(driver: webdriver.Chrome) -> None:
    """The page's title is shown and no callback has been loading for a moment."""
    _wait(driver).until(ec.visibility_of_element_located((By.ID, "page-title")))
    quiet = "return document.querySelector('[data-dash-is-loading=\"true\"]') === null;"
    deadline = time.monotonic() + WAIT_SECONDS
    calm = 0
    while calm < 3 and time.monotonic() < deadline:
        calm = calm + 1 if driver.execute_script(quiet) else 0
        time.sleep(0.1)


@pytest.fixture
def shell(chromium: Chromium) -> Iterator[webdriver.Chrome]:
    """The browser, given back as the other tests expect it: window size, theme, OS setting."""
    driver = chromium()
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        if driver.current_url.startswith("http"):
            driver.execute_script("try { localStorage.clear(); } catch (e) {}")


def test_every_page_of_every_role_is_accessible_and_fits_the_screen_light_and_dark(
    live_portal: LivePortal, estate: Estate, shell: webdriver.Chrome, chromium: Chromium, screenshots: Path
) -> None:
    driver = shell
    violations: list[Violation] = []
    overflows: list[str] = []
    views = 0
    started = time.monotonic()
    for role in (Role.ADMIN, Role.MANAGER, Role.INVESTOR, Role.ANALYST):
        chromium.forget_sessions()
        _emulate(driver, DESKTOP)
        driver.get(f"{live_portal.url}/login?next={HOME[role]}")
        _sign_in(driver, estate.logins[role])
        _settle(driver)
        for size in (DESKTOP, PHONE):
            _emulate(driver, size)
            for name, path in role_pages(role, estate.pool):
                driver.get(live_portal.url + path)
                _settle(driver)
                for theme in THEMES:
                    _choose_theme(driver, theme)
                    view = f"{role.value}-{name}-{size.name}-{theme}"
                    driver.save_screenshot(str(screenshots / f"{view}.png"))
                    overflows += [f"{view}: {p}" for p in overflow_problems(driver)]
                    violations += run_axe(driver, view)
                    views += 1
    print(f"\n{views} views checked in {time.monotonic() - started:.1f}s")
    print(summary(violations))
    if overflows:
        print("overflow:\n  " + "\n  ".join(overflows))
    blocking = [v for v in violations if v.blocking]
    assert not blocking, summary(blocking)
    assert not overflows, "\n".join(overflows)


def test_the_phone_menu_skip_link_and_theme_menu_work_from_the_keyboard(
    live_portal: LivePortal, estate: Estate, shell: webdriver.Chrome
) -> None:
    driver = shell
    _emulate(driver, PHONE)
    driver.get(f"{live_portal.url}/login?next=/admin/users")
    _sign_in(driver, estate.logins[Role.ADMIN])
    _settle(driver)
    assert driver.execute_script("return document.documentElement.lang") == "en"
    assert driver.find_elements(By.CSS_SELECTOR, "nav#navbar") and driver.find_elements(
        By.CSS_SELECTOR, "main#main"
    )

    # The overflow check sees an amount too wide for its box (so it would catch one).
    driver.execute_script(
        "const probe = document.createElement('div'); probe.id = 'overflow-probe';"
        "probe.style.width = '80px'; probe.innerHTML = '<span class=\"num\">€654,168,123.56</span>';"
        "document.getElementById('page').appendChild(probe);"
    )
    assert any("#overflow-probe" in problem for problem in overflow_problems(driver))
    driver.execute_script("document.getElementById('overflow-probe').remove();")
    assert overflow_problems(driver) == []

    # The skip link is the first stop of the keyboard and moves focus into <main>.
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    skip = driver.switch_to.active_element
    assert skip.get_attribute("id") == "skip-link" and skip.is_displayed()
    skip.send_keys(Keys.ENTER)
    _wait(driver).until(lambda d: d.switch_to.active_element.get_attribute("id") == "main")

    # On a phone the links fold behind the toggler; the bell stays in view.
    toggler = driver.find_element(By.ID, "navbar-toggler")
    users_link = driver.find_element(By.ID, "nav-admin-users")
    assert toggler.is_displayed() and not users_link.is_displayed()
    assert driver.find_element(By.ID, "bell-menu").is_displayed()
    assert toggler.get_attribute("aria-expanded") == "false"
    navbar_height = driver.find_element(By.ID, "navbar").size["height"]
    assert navbar_height <= 72, f"the folded navbar is {navbar_height}px tall"
    toggler.send_keys(Keys.ENTER)
    _wait(driver).until(lambda d: d.find_element(By.ID, "nav-admin-users").is_displayed())
    assert toggler.get_attribute("aria-expanded") == "true"
    toggler.send_keys(Keys.ENTER)
    _wait(driver).until(
        lambda d: d.find_element(By.ID, "navbar-toggler").get_attribute("aria-expanded") == "false"
    )

    # The theme menu: Dark is applied at once, remembered, and on <html> before Dash renders.
    _emulate(driver, DESKTOP)
    assert driver.find_element(By.ID, "theme-menu").text.startswith("Theme: Auto")
    light_grid = driver.execute_script(
        "return getComputedStyle(document.querySelector('#users-grid .ag-root-wrapper')).backgroundColor;"
    )
    driver.find_element(By.CSS_SELECTOR, "#theme-menu .dropdown-toggle, #theme-menu > a").click()
    _wait(driver).until(ec.element_to_be_clickable((By.ID, "theme-dark"))).click()
    _wait(driver).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("data-bs-theme") == "dark"
    )
    assert driver.execute_script("return localStorage.getItem('portal-theme')") == "dark"
    assert "Dark" in driver.find_element(By.ID, "theme-menu").text
    dark_grid = driver.execute_script(
        "return getComputedStyle(document.querySelector('#users-grid .ag-root-wrapper')).backgroundColor;"
    )
    assert dark_grid != light_grid, "the grid did not follow the dark theme"
    driver.get(f"{live_portal.url}/admin/users")
    # Read as soon as the document is parsed: theme.js ran in <head>, before any paint.
    assert driver.execute_script("return document.documentElement.getAttribute('data-bs-theme')") == "dark"

    # Auto follows the operating system's setting, also while the page is open.
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}
    )
    driver.execute_script("window.portalTheme.choose('auto');")
    assert driver.execute_script("return document.documentElement.getAttribute('data-bs-theme')") == "dark"
    assert driver.execute_script("return localStorage.getItem('portal-theme')") is None
    _wait(driver, 2).until(lambda d: "Auto" in d.find_element(By.ID, "theme-menu").text)
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "light"}]}
    )
    _wait(driver, 2).until(
        lambda d: d.execute_script("return document.documentElement.getAttribute('data-bs-theme')") == "light"
    )

    # The login page follows the theme too (theme.js is one of its public assets).
    driver.execute_script("window.portalTheme.choose('dark');")
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.get(f"{live_portal.url}/login")
    assert driver.execute_script("return document.documentElement.getAttribute('data-bs-theme')") == "dark"


def test_a_charts_data_table_is_built_when_opened_and_is_a_named_table_with_headers(
    live_portal: LivePortal, estate: Estate, shell: webdriver.Chrome
) -> None:
    """The text alternative of a chart reaches the page as data (portal/assets/chart_data.js
    builds it when "Show data" is opened): the same caption as the chart's name, column
    headers, one row per plotted point, and nothing axe finds wrong once it is open."""
    driver = shell
    _emulate(driver, DESKTOP)
    driver.get(f"{live_portal.url}/login?next=/manager/pools/{estate.pool}")
    _sign_in(driver, estate.logins[Role.MANAGER])
    _settle(driver)
    disclosure = _wait(driver).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#page details.chart-data"))
    )
    box = disclosure.find_element(By.CSS_SELECTOR, "[data-chart-table]")
    spec = json.loads(box.get_attribute("data-chart-table") or "null")
    assert spec["rows"], "the chart's table carries no rows"
    assert box.find_elements(By.TAG_NAME, "table") == []  # nothing built while closed
    disclosure.find_element(By.TAG_NAME, "summary").click()
    table = _wait(driver).until(lambda d: box.find_element(By.TAG_NAME, "table"))
    caption = table.find_element(By.TAG_NAME, "caption").get_attribute("textContent")
    figure = disclosure.find_element(By.XPATH, "./ancestor::figure[1]")
    assert caption == spec["caption"] == figure.get_attribute("aria-label")
    headers = table.find_elements(By.CSS_SELECTOR, "thead th")
    assert [h.get_attribute("textContent") for h in headers] == spec["columns"]
    assert {h.get_attribute("scope") for h in headers} == {"col"}
    cells = [
        [td.get_attribute("textContent") for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr")
    ]
    assert cells == spec["rows"]
    blocking = [v for v in run_axe(driver, "manager-pool-chart-data-open") if v.blocking]
    assert not blocking, summary(blocking)
    # Text, never markup: a cell that looks like a tag stays text.
    driver.execute_script(
        "arguments[0].setAttribute('data-chart-table', JSON.stringify("
        "{caption: 'c', columns: ['x'], rows: [['<b id=\"injected\">1</b>']]}));",
        box,
    )
    _wait(driver).until(lambda d: "injected" in box.find_element(By.TAG_NAME, "td").text)
    assert driver.find_elements(By.ID, "injected") == []
