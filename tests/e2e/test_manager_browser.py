"""Headless Chromium: a manager creates a pool, finds an investor with the searchable picker and
takes their subscription, records a valuation, edits a setting and sees the pool's charts and
terms redraw; screenshots of each manager page."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from backend.investors.interface import InvestorCreate, InvestorType, InvestorUpdate, KycStatus
from backend.platform.actors import Actor, Role
from backend.users.interface import UserCreate
from ledger.interface import TransactionRequest
from tests.e2e.live_portal import Chromium, LivePortal
from tests.e2e.page_checks import charts_drawn_with_the_cartesian_bundle
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
    # A tab's forms arrive from the server when it is first opened: wait for them.
    return _wait(driver).until(ec.presence_of_element_located(_by(action=action, field=name, type="af")))


def _type(driver: webdriver.Chrome, action: str, name: str, text: str) -> None:
    element = _field(driver, action, name)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
    element.clear()
    element.send_keys(text, Keys.TAB)


def _set_date(driver: webdriver.Chrome, action: str, name: str, day: date) -> None:
    """Set a date field as a person picking from the calendar would: typed keys depend on the
    browser's locale, so the value is set through React's own setter and the input event."""
    element = _field(driver, action, name)
    driver.execute_script(
        "const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;"
        "set.call(arguments[0], arguments[1]);"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));"
        "arguments[0].dispatchEvent(new FocusEvent('focusout', {bubbles: true}));",
        element,
        day.isoformat(),
    )


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


def _new_approved_investor(live_portal: LivePortal, legal_name: str) -> int:
    container = live_portal.container
    assert container is not None
    operator = Actor.operator("e2e")
    user = container.users.create_user(
        operator,
        UserCreate(
            email=f"{uuid.uuid4().hex[:8]}@e2e.test", role=Role.INVESTOR, password="e2e-investor-pass-1"
        ),
    )
    profile = container.investors.create_investor(
        operator,
        InvestorCreate(
            user_id=user.id, legal_name=legal_name, investor_type=InvestorType.ENTITY, country="GB"
        ),
    )
    container.investors.update_investor(operator, profile.id, InvestorUpdate(kyc_status=KycStatus.APPROVED))
    return profile.id


def _open_tab(driver: webdriver.Chrome, tab: str) -> None:
    """Open one tab of the pool page's action area (its forms arrive on the first opening)."""
    link = (By.CSS_SELECTOR, f"#tab-{tab} .nav-link")
    element = _wait(driver).until(ec.presence_of_element_located(link))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
    _wait(driver).until(ec.element_to_be_clickable(link)).click()
    _wait(driver).until(ec.text_to_be_present_in_element_attribute(link, "class", "active"))


def _pick_investor(
    driver: webdriver.Chrome, action: str, typed: str, legal_name: str, screenshot: Path | None = None
) -> None:
    """Open the form's investor picker, type part of a name, pick the match the server found."""
    picker = _field(driver, action, "investor_id")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", picker)
    picker.click()
    search = _wait(driver).until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".dash-dropdown-search")))
    search.send_keys(typed)
    option = (By.XPATH, f"//*[contains(@class, 'dash-dropdown-option')][contains(., '{legal_name}')]")
    found = _wait(driver).until(ec.element_to_be_clickable(option))
    if screenshot is not None:
        driver.save_screenshot(str(screenshot))
    found.click()
    _wait(driver).until(
        ec.text_to_be_present_in_element(_by(action=action, field="investor_id", type="af"), legal_name)
    )


def test_a_manager_creates_a_pool_takes_money_values_it_and_sees_the_charts(
    live_portal: LivePortal, chromium: Chromium, screenshots: Path
) -> None:
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
    # launched a week ago: money comes in on launch day, the pool is valued a day later (a
    # valuation of the day the deals were struck at would change their price: refused)
    launch = date.today() - timedelta(days=7)
    _set_date(browser, "create_pool", "inception_date", launch)
    text = _preview_and_confirm(browser, "create_pool", "effect-pool")
    assert "E2E Growth Fund" in text
    browser.save_screenshot(str(screenshots / "manager-pools.png"))
    _click(browser, browser.find_element(By.ID, "new-pool-link"))

    _wait_for_dash_page(browser, "form-subscription")
    # The page marks when its figures are drawn (what bench/browser.py times), afresh for
    # each navigation: this one is in the app (a link), so it counts from the click.
    drawn = _wait(browser).until(
        lambda d: d.execute_script("return document.documentElement.getAttribute('data-figures-drawn')")
    )
    shift = browser.execute_script("return document.documentElement.getAttribute('data-layout-shift')")
    assert float(drawn) >= 0 and float(shift) >= 0, (drawn, shift)
    assert browser.execute_script("return performance.getEntriesByName('figures-drawn').length") >= 1
    _open_tab(browser, "money-in")
    # Approved after the page was drawn, so only the picker's server-side search can offer it.
    zephyr = _new_approved_investor(live_portal, "Zephyr Capital Partners")
    _pick_investor(
        browser,
        "subscription",
        "zephyr cap",
        "Zephyr Capital Partners",
        screenshots / "manager-investor-picker.png",
    )
    _type(browser, "subscription", "amount", "500000")
    _set_date(browser, "subscription", "effective_date", launch)
    assert "Posted" in _preview_and_confirm(browser, "subscription", "effect-deal")
    _wait(browser).until(
        ec.text_to_be_present_in_element((By.ID, "investors-grid"), "Zephyr Capital Partners")
    )
    assert str(zephyr) in browser.find_element(By.ID, "investors-grid").text

    _open_tab(browser, "valuation")
    _type(browser, "valuation", "net_asset_value", "525000")
    assert "Posted" in _preview_and_confirm(browser, "valuation", "effect-valuation")

    # The charts and figures redraw from the books after each post.
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "stat-nav"), "525"))

    # Settings: the form opens with the pool's own; the preview lists only what changes.
    _open_tab(browser, "terms")
    assert _field(browser, "pool_settings", "name").get_attribute("value") == "E2E Growth Fund"
    _type(browser, "pool_settings", "management_fee.rate", "1.5")  # typed in percent
    text = _preview_and_confirm(browser, "pool_settings", "effect-settings")
    assert "management fee updated" in text
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "fees-card"), "Management fee 1.50% p.a."))
    for figure in ("fig-nav", "fig-cumulative", "fig-drawdown", "fig-heatmap", "fig-flows"):
        _wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, f"#{figure} .main-svg")))
    assert charts_drawn_with_the_cartesian_bundle(browser) == []
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


def manager_with_a_new_pool(
    live_portal: LivePortal, chromium: Chromium, name: str, launch: date
) -> tuple[webdriver.Chrome, int]:
    """A fresh browser signed in as the demo manager, who has just created pool ``name``
    (launched on ``launch``) through the create-pool form: (the browser, the pool's id)."""
    browser = chromium()
    browser.delete_all_cookies()
    browser.get_log("browser")
    manager = next(login for login in live_portal.logins if login.role is Role.MANAGER)
    browser.get(live_portal.url + "/login")
    _sign_in(browser, manager)
    _wait_for_dash_page(browser, "overview-grid")
    browser.get(live_portal.url + "/manager/pools")
    _wait_for_dash_page(browser, "form-create_pool")
    _type(browser, "create_pool", "name", name)
    _set_date(browser, "create_pool", "inception_date", launch)
    _preview_and_confirm(browser, "create_pool", "effect-pool")
    href = browser.find_element(By.ID, "new-pool-link").get_attribute("href") or ""
    return browser, int(href.rstrip("/").rpartition("/")[2])


def test_preview_reads_what_is_typed_withdraws_on_change_and_asks_about_a_nav_jump(
    live_portal: LivePortal, chromium: Chromium
) -> None:
    """The action area in a real browser: tabs open by click, a reason still in focus counts at
    Preview, a change after the preview withdraws it, and a NAV jump needs "Post anyway"."""
    container = live_portal.container
    assert container is not None
    launch = date.today() - timedelta(days=7)
    browser, pool = manager_with_a_new_pool(live_portal, chromium, "E2E Checks Fund", launch)
    operator = Actor.operator("e2e")
    investor = _new_approved_investor(live_portal, "Checks Holding Ltd")
    deal = {"type": "subscription", "investor_id": investor, "amount": "100000.00", "effective_date": launch}
    container.transactions.record(operator, pool, TransactionRequest.model_validate(deal), f"e2e-{pool}")
    entry = container.transactions.list_transactions(operator, pool).entries[0].id
    browser.get(f"{live_portal.url}/manager/pools/{pool}")
    _wait_for_dash_page(browser, "form-subscription")  # the first tab, open

    # A reason typed and not blurred (the Preview click is a script's: the focus stays put).
    _open_tab(browser, "corrections")
    _field(browser, "reversal", "entry_id").send_keys(str(entry))
    _field(browser, "reversal", "memo").send_keys("Booked twice")
    _click(browser, browser.find_element(*_by(action="reversal", type="af-preview")))
    _wait(browser).until(ec.visibility_of_element_located((By.ID, "effect-reversal")))
    confirm = _by(action="reversal", type="af-confirm")
    _wait(browser).until(ec.element_to_be_clickable(confirm))
    # Typing after the preview withdraws it: nothing unseen can be posted.
    _field(browser, "reversal", "memo").send_keys(" by mistake")
    result = _by(action="reversal", type="af-result")
    _wait(browser).until(ec.text_to_be_present_in_element(result, "Changed since the preview"))
    assert not browser.find_element(*confirm).is_enabled()

    # NAV 100,000 -> 400,000: asked about, posted only once "Post anyway" is ticked.
    _open_tab(browser, "valuation")
    _type(browser, "valuation", "net_asset_value", "400000")
    _click(browser, browser.find_element(*_by(action="valuation", type="af-preview")))
    _wait(browser).until(ec.visibility_of_element_located((By.ID, "concerns-valuation")))
    assert "300.00% above the last one" in browser.find_element(By.ID, "concerns-valuation").text
    confirm = _by(action="valuation", type="af-confirm")
    assert not browser.find_element(*confirm).is_enabled()
    tick = browser.find_element(*_by(action="valuation", check="0", type="af-ack"))
    _click(browser, tick)
    _wait(browser).until(ec.element_to_be_clickable(confirm))
    _click(browser, browser.find_element(*confirm))
    posted = _by(action="valuation", type="af-result")
    _wait(browser).until(ec.text_to_be_present_in_element(posted, "Posted"))
    assert _console_problems(browser) == []
    browser.get(live_portal.url + "/manager")
    _wait_for_dash_page(browser, "overview-grid")
    _sign_out(browser)
