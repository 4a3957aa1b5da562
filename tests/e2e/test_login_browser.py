"""Headless Chromium against the running portal: each demo role logs in and sees its navbar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from backend.platform.actors import Role
from backend.seed.demo_logins import DemoLogin
from portal.components.navbar import link_id
from portal.navigation import HOME, LINKS
from tests.e2e.live_portal import Chromium, LivePortal

# One worker runs them all under `pytest -n --dist loadgroup`: one server, one browser.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
WAIT_SECONDS = 15


def _wait(driver: webdriver.Chrome) -> WebDriverWait[Any]:
    return WebDriverWait(driver, WAIT_SECONDS)


def _sign_in(driver: webdriver.Chrome, login: DemoLogin) -> None:
    _wait(driver).until(ec.element_to_be_clickable((By.ID, "login-submit")))
    driver.find_element(By.ID, "email").send_keys(login.email)
    driver.find_element(By.ID, "password").send_keys(login.password)
    driver.find_element(By.ID, "login-submit").click()


def _wait_for_dash_page(driver: webdriver.Chrome, element_id: str) -> None:
    # Dash renders in the browser after fetching its layout and running the page callback.
    _wait(driver).until(ec.visibility_of_element_located((By.ID, "navbar-email")))
    _wait(driver).until(ec.visibility_of_element_located((By.ID, element_id)))


def _sign_out(driver: webdriver.Chrome) -> None:
    driver.find_element(By.ID, "logout-button").click()
    _wait(driver).until(ec.visibility_of_element_located((By.ID, "login-notice")))


def _console_problems(driver: webdriver.Chrome) -> list[str]:
    entries = driver.get_log("browser")
    return [
        e["message"] for e in entries if e["level"] == "SEVERE" or "Content Security Policy" in e["message"]
    ]


def test_each_demo_role_logs_in_and_sees_its_own_navbar(
    live_portal: LivePortal, chromium: Chromium, screenshots: Path
) -> None:
    browser = chromium()
    by_role = {login.role: login for login in live_portal.logins}
    assert set(by_role) == set(Role)
    for role in Role:
        login = by_role[role]
        browser.get(live_portal.url + "/login")
        if role is Role.ADMIN:
            _wait(browser).until(ec.visibility_of_element_located((By.ID, "login-submit")))
            browser.save_screenshot(str(screenshots / "login.png"))
        _sign_in(browser, login)
        _wait_for_dash_page(browser, "page-title")  # a landing card, or a role's dashboard
        assert browser.current_url == live_portal.url + HOME[role]
        assert browser.find_element(By.ID, "navbar-email").text == login.email

        for link in LINKS[role]:
            element = browser.find_element(By.ID, link_id(link.href))
            assert element.is_displayed() and element.text == link.label
        own = {link.href for link in LINKS[role]}
        for other in set(Role) - {role}:
            # A page several roles share (Documents) is in each of their navbars.
            for link in (link for link in LINKS[other] if link.href not in own):
                assert not browser.find_elements(By.ID, link_id(link.href)), f"{role} sees {link.label}"

        browser.save_screenshot(str(screenshots / f"{role.value}.png"))
        assert _console_problems(browser) == []
        _sign_out(browser)


def test_a_guarded_page_comes_back_after_login_and_other_roles_pages_are_refused(
    live_portal: LivePortal, chromium: Chromium
) -> None:
    browser = chromium()
    investor = next(login for login in live_portal.logins if login.role is Role.INVESTOR)
    browser.get(live_portal.url + "/investor")
    _wait(browser).until(ec.url_contains("/login?next="))
    _sign_in(browser, investor)
    _wait_for_dash_page(browser, "page-title")  # the investor dashboard
    assert browser.current_url == live_portal.url + "/investor"

    browser.get(live_portal.url + "/admin")
    _wait_for_dash_page(browser, "not-permitted")
    assert "Not permitted" in browser.find_element(By.ID, "not-permitted").text
    assert not browser.find_elements(By.ID, "landing-card")
    assert _console_problems(browser) == []
    _sign_out(browser)
