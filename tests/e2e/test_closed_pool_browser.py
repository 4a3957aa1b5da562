"""Headless Chromium, a closed-ended pool's newer forms as a manager uses them: a subsequent
close previewed investor by investor and posted, and a fee a portfolio company paid the
manager recorded with the offset it earns; screenshots of both previews."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from backend.investors.interface import CommitmentCreate
from backend.platform.actors import Actor
from backend.pools.interface import PoolUpdate
from ledger.interface import CapitalCallRequest, TransactionRequest
from tests.e2e.live_portal import Chromium, LivePortal
from tests.e2e.test_login_browser import _console_problems, _wait_for_dash_page
from tests.e2e.test_manager_browser import (
    _by,
    _click,
    _new_approved_investor,
    _open_tab,
    _type,
    _wait,
    manager_with_a_new_pool,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _show(browser: Any, element_id: str) -> None:
    """Scroll the preview into the middle of the window, for the screenshot."""
    element = browser.find_element(By.ID, element_id)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)


def test_a_manager_admits_a_later_investor_and_records_a_portfolio_companys_fee(
    live_portal: LivePortal, chromium: Chromium, screenshots: Path
) -> None:
    container = live_portal.container
    assert container is not None
    # The pool is the manager's own (created in the browser), closed-ended, with an 80% offset.
    launch = date.today() - timedelta(days=30)
    browser, pool = manager_with_a_new_pool(live_portal, chromium, "E2E Buyout Fund", launch)
    operator = Actor.operator("e2e")
    # Closed-ended terms set through the service (the form's kind select is a custom widget).
    update = PoolUpdate.model_validate(
        {
            "kind": "closed_ended",
            "management_fee": {"rate": "0.02", "basis": "committed", "offset_rate": "0.8"},
            "performance_fee": None,
            "waterfall": {
                "preferred_return_rate": "0.08",
                "catch_up_rate": "1",
                "carried_interest_rate": "0.2",
                "equalisation_interest_rate": "0.08",
            },
        }
    )
    container.pools.update_pool(operator, pool, update)
    first, second, late = (
        _new_approved_investor(live_portal, name)
        for name in ("Harbour Pension Fund", "Quay Family Office", "Latecomer Capital LP")
    )
    for investor, amount in ((first, "600000.00"), (second, "400000.00")):
        container.investors.create_commitment(
            operator, pool, CommitmentCreate.model_validate({"investor_id": investor, "amount": amount})
        )
    call = {"amount": "100000.00", "due_date": launch.isoformat(), "effective_date": launch.isoformat()}
    container.transactions.capital_call(
        operator, pool, CapitalCallRequest.model_validate(call), f"e2e-call-{pool}"
    )
    for investor, part in ((first, "60000.00"), (second, "40000.00")):
        paid = {"type": "contribution", "investor_id": investor, "amount": part, "effective_date": launch}
        container.transactions.record(
            operator, pool, TransactionRequest.model_validate(paid), str(uuid.uuid4())
        )
    container.investors.create_commitment(
        operator, pool, CommitmentCreate.model_validate({"investor_id": late, "amount": "1000000.00"})
    )

    browser.get(f"{live_portal.url}/manager/pools/{pool}")
    _wait_for_dash_page(browser, "form-capital_call")
    _open_tab(browser, "money-in")
    _click(browser, browser.find_element(*_by(action="subsequent_close", type="af-preview")))
    _wait(browser).until(ec.visibility_of_element_located((By.ID, "effect-close")))
    effect = browser.find_element(By.ID, "effect-close").text
    assert "Latecomer Capital LP (admitted now)" in effect and "$50,000.00" in effect, effect
    _show(browser, "effect-close")
    browser.save_screenshot(str(screenshots / "manager-subsequent-close.png"))
    confirm = _by(action="subsequent_close", type="af-confirm")
    _wait(browser).until(ec.element_to_be_clickable(confirm))
    _click(browser, browser.find_element(*confirm))
    result = _by(action="subsequent_close", type="af-result")
    _wait(browser).until(ec.text_to_be_present_in_element(result, "Subsequent close posted"))

    _open_tab(browser, "fees")
    _type(browser, "portfolio_company_fee", "amount", "25000")
    _type(browser, "portfolio_company_fee", "investment", "Acme Robotics")
    _click(browser, browser.find_element(*_by(action="portfolio_company_fee", type="af-preview")))
    _wait(browser).until(ec.visibility_of_element_located((By.ID, "effect-portfolio-fee")))
    effect = browser.find_element(By.ID, "effect-portfolio-fee").text
    assert "$20,000.00 (80.00%)" in effect and "does not move" in effect, effect
    _show(browser, "effect-portfolio-fee")
    browser.save_screenshot(str(screenshots / "manager-portfolio-fee.png"))
    confirm = _by(action="portfolio_company_fee", type="af-confirm")
    _wait(browser).until(ec.element_to_be_clickable(confirm))
    _click(browser, browser.find_element(*confirm))
    result = _by(action="portfolio_company_fee", type="af-result")
    _wait(browser).until(ec.text_to_be_present_in_element(result, "Fee from a portfolio company recorded"))
    assert _console_problems(browser) == []
    assert container.ledger.verify(pool).ok
