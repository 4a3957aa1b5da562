"""Headless Chromium: an investor changes the bank account their payouts go to, as they would:
the form with their password, then the code from the email, then the page says the change
waits for the administrator's call-back. Screenshot of the page after each step."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from backend.payments.interface import PayoutAccountStatus
from backend.platform.actors import Actor, Role
from tests.e2e.live_portal import Chromium, LivePortal
from tests.e2e.test_dashboards_browser import _click, _login, _wait, demo_investor
from tests.e2e.test_login_browser import _console_problems, _sign_in, _wait_for_dash_page
from tests.integration.payments_support import emailed_codes

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
OPERATOR = Actor.operator("e2e-payments")
IBAN = "FR14 2004 1010 0505 0001 3M02 606"


def _type(driver: webdriver.Chrome, element_id: str, text: str) -> None:
    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(text)


def test_an_investor_changes_the_payout_account_with_the_code_from_the_email(
    live_portal: LivePortal, chromium: Chromium, screenshots: Path
) -> None:
    container = live_portal.container
    assert container is not None
    investor, _ = demo_investor(live_portal)
    login = _login(live_portal, Role.INVESTOR)
    driver = chromium()
    driver.get(f"{live_portal.url}/login?next=/investor/payments")
    _sign_in(driver, login)
    _wait_for_dash_page(driver, "payout-account-save")

    _type(driver, "payout-account-name", "Demo Investor")
    _type(driver, "payout-account-iban", IBAN)
    _type(driver, "payout-account-password", login.password)
    _click(driver, "payout-account-save")
    _wait(driver).until(
        ec.text_to_be_present_in_element((By.ID, "investor-payouts-flash"), "emailed you a code")
    )
    _wait(driver).until(
        ec.text_to_be_present_in_element((By.ID, "investor-payouts-panel"), "enter the code we emailed you")
    )
    assert driver.find_element(By.ID, "payout-account-password").get_attribute("value") == ""
    driver.save_screenshot(str(screenshots / "investor-payout-account-code.png"))

    asked = container.payments.payout_accounts(investor)[0]
    assert asked.status is PayoutAccountStatus.UNCONFIRMED
    (code,) = emailed_codes(container, asked.id)
    _type(driver, "payout-account-code", code)
    _click(driver, "payout-account-confirm")
    _wait(driver).until(
        ec.text_to_be_present_in_element((By.ID, "investor-payouts-flash"), "Confirmed: FR…2606")
    )
    _wait(driver).until(
        ec.text_to_be_present_in_element((By.ID, "investor-payouts-panel"), "waiting for verification")
    )
    driver.save_screenshot(str(screenshots / "investor-payout-account-confirmed.png"))
    assert container.payments.payout_accounts(investor)[0].status is PayoutAccountStatus.PENDING
    assert _console_problems(driver) == []
