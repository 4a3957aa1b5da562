"""Headless Chromium: a manager creates a pool, takes a subscription, records a valuation and
sees the pool's charts; screenshots of each manager page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from backend.actors import Actor, Role
from backend.investors.schemas import InvestorCreate, InvestorType, InvestorUpdate, KycStatus
from tests.e2e.live_portal import Chromium, LivePortal
from tests.e2e.test_login_browser import _console_problems, _sign_in, _sign_out, _wait_for_dash_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
WAIT_SECONDS = 15


def _wait(driver: webdriver.Chrome) -> WebDriverWait[Any]:
    return WebDriverWait(driver, WAIT_SECONDS)


def _id(**parts: str) -> str:
    return json.dumps(parts, sort_keys=True, separators=(",", ":"))


def _by(**parts: str) -> tuple[str, str]:
    # A pattern id is JSON in the DOM: By.ID's CSS form cannot quote it, XPath can.
    return (By.XPATH, f"//*[@id='{_id(**parts)}']")


def _field(driver: webdriver.Chrome, action: str, name: str) -> Any:
    return driver.find_element(*_by(action=action, field=name, type="af"))


def _type(driver: webdriver.Chrome, action: str, name: str, text: str) -> None:
    element = _field(driver, action, name)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
    element.clear()
    element.send_keys(text, Keys.TAB)


def _click(driver: webdriver.Chrome, element: Any) -> None:
    # The forms sit below the charts; a script click needs no scrolling into view.
    _wait(driver).until(ec.element_to_be_clickable(element))
    driver.execute_script("arguments[0].click();", element)


def _preview_and_confirm(driver: webdriver.Chrome, action: str, effect_id: str) -> str:
    _click(driver, driver.find_element(*_by(action=action, type="af-preview")))
    _wait(driver).until(ec.visibility_of_element_located((By.ID, effect_id)))
    confirm = _by(action=action, type="af-confirm")
    _wait(driver).until(ec.element_to_be_clickable(confirm))
    _click(driver, driver.find_element(*confirm))
    result = _by(action=action, type="af-result")
    _wait(driver).until(ec.text_to_be_present_in_element(result, "Posted"))
    text: str = driver.find_element(*result).text
    return text


def _approved_investor(live_portal: LivePortal) -> int:
    container = live_portal.container
    assert container is not None
    investor = next(login for login in live_portal.logins if login.role is Role.INVESTOR)
    operator = Actor.operator("e2e")
    user_id = container.users.find_by_email(operator, investor.email).id
    existing = container.investors.investor_for_user(user_id)
    if existing is not None:
        return existing.id
    profile = container.investors.create_investor(
        operator,
        InvestorCreate(
            user_id=user_id, legal_name="Demo Investor", investor_type=InvestorType.INDIVIDUAL, country="GB"
        ),
    )
    container.investors.update_investor(operator, profile.id, InvestorUpdate(kyc_status=KycStatus.APPROVED))
    return profile.id


def test_a_manager_creates_a_pool_takes_money_values_it_and_sees_the_charts(
    live_portal: LivePortal, chromium: Chromium, screenshots: Path
) -> None:
    investor_id = _approved_investor(live_portal)
    browser = chromium()
    # Start clean whatever an earlier browser test left: no session, no console messages.
    browser.delete_all_cookies()
    browser.get_log("browser")
    manager = next(login for login in live_portal.logins if login.role is Role.MANAGER)
    browser.get(live_portal.url + "/login")
    _sign_in(browser, manager)
    _wait_for_dash_page(browser, "overview-grid")
    _wait(browser).until(ec.visibility_of_element_located((By.ID, "overview-cards")))

    browser.get(live_portal.url + "/manager/pools")
    _wait_for_dash_page(browser, "form-create_pool")
    _type(browser, "create_pool", "name", "E2E Growth Fund")
    text = _preview_and_confirm(browser, "create_pool", "effect-pool")
    assert "E2E Growth Fund" in text
    browser.save_screenshot(str(screenshots / "manager-pools.png"))
    _click(browser, browser.find_element(By.ID, "new-pool-link"))

    _wait_for_dash_page(browser, "form-subscription")
    Select(_field(browser, "subscription", "investor_id")).select_by_value(str(investor_id))
    _type(browser, "subscription", "amount", "500000")
    assert "Posted" in _preview_and_confirm(browser, "subscription", "effect-deal")

    _type(browser, "valuation", "net_asset_value", "525000")
    assert "Posted" in _preview_and_confirm(browser, "valuation", "effect-valuation")

    # The charts and figures redraw from the books after each post.
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "stat-nav"), "525"))
    for figure in ("fig-nav", "fig-cumulative", "fig-drawdown", "fig-heatmap", "fig-flows"):
        _wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, f"#{figure} .main-svg")))
    _wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#investors-grid .ag-row")))
    _wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#tx-grid .ag-row")))
    browser.execute_script(
        "document.activeElement.blur(); document.getElementById('page-title').scrollIntoView()"
    )
    browser.save_screenshot(str(screenshots / "manager-pool-detail.png"))
    browser.execute_script("document.getElementById('investors-grid').scrollIntoView()")
    browser.save_screenshot(str(screenshots / "manager-pool-tables.png"))
    browser.execute_script("document.getElementById('actions').scrollIntoView()")
    browser.save_screenshot(str(screenshots / "manager-pool-actions.png"))

    browser.get(live_portal.url + "/manager")
    _wait_for_dash_page(browser, "overview-grid")
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "overview-grid"), "E2E Growth Fund"))
    browser.save_screenshot(str(screenshots / "manager-overview.png"))
    problems = _console_problems(browser)
    assert problems == []
    _sign_out(browser)
