"""Headless Chromium, a pool with an American (deal-by-deal) waterfall as its manager runs it:
a deal's proceeds distributed through that deal's tiers, then the GP clawback previewed
investor by investor and posted; screenshots of both previews."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from backend.investors.interface import CommitmentCreate
from backend.platform.actors import Actor
from backend.pools.interface import PoolUpdate
from ledger.interface import CapitalCallRequest, DistributionRequest, TransactionRequest
from tests.e2e.live_portal import Chromium, LivePortal
from tests.e2e.test_closed_pool_browser import _show
from tests.e2e.test_login_browser import _console_problems, _wait_for_dash_page
from tests.e2e.test_manager_browser import (
    _by,
    _click,
    _field,
    _new_approved_investor,
    _open_tab,
    _type,
    _wait,
    manager_with_a_new_pool,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _confirm(browser: Any, action: str, posted: str) -> None:
    confirm = _by(action=action, type="af-confirm")
    _wait(browser).until(ec.element_to_be_clickable(confirm))
    _click(browser, browser.find_element(*confirm))
    _wait(browser).until(ec.text_to_be_present_in_element(_by(action=action, type="af-result"), posted))


def test_a_manager_distributes_a_deal_and_claws_back_the_gps_excess_carry(
    live_portal: LivePortal, chromium: Chromium, screenshots: Path
) -> None:
    """Deal A doubles (500,000.00 -> 1,000,000.00), deal B loses 400,000.00; 20% carry, no
    hurdle. Deal by deal the GP takes 100,000.00 on A; the whole fund (1,100,000.00 back on
    1,000,000.00) gives it 20,000.00, so 80,000.00 comes back: 48,000.00 and 32,000.00."""
    container = live_portal.container
    assert container is not None
    launch = date.today() - timedelta(days=30)
    browser, pool = manager_with_a_new_pool(live_portal, chromium, "E2E Deal-by-Deal Fund", launch)
    operator = Actor.operator("e2e")
    update = {
        "kind": "closed_ended",
        "management_fee": None,
        "performance_fee": None,
        "waterfall": {
            "style": "american",
            "preferred_return_rate": "0",
            "catch_up_rate": "0",
            "carried_interest_rate": "0.2",
        },
    }
    container.pools.update_pool(operator, pool, PoolUpdate.model_validate(update))
    first, second = (
        _new_approved_investor(live_portal, n) for n in ("Harbour Pension Fund", "Quay Family Office")
    )
    for investor, amount in ((first, "600000.00"), (second, "400000.00")):
        container.investors.create_commitment(
            operator, pool, CommitmentCreate.model_validate({"investor_id": investor, "amount": amount})
        )
    call = {"amount": "1000000.00", "due_date": launch.isoformat(), "effective_date": launch.isoformat()}
    container.transactions.capital_call(
        operator, pool, CapitalCallRequest.model_validate(call), f"call-{pool}"
    )
    sold = launch + timedelta(days=1)
    rows: list[dict[str, Any]] = [
        {"type": "contribution", "investor_id": first, "amount": "600000.00", "effective_date": launch},
        {"type": "contribution", "investor_id": second, "amount": "400000.00", "effective_date": launch},
        {"type": "purchase", "investment": "Deal A", "amount": "500000.00", "effective_date": launch},
        {"type": "purchase", "investment": "Deal B", "amount": "500000.00", "effective_date": launch},
        {
            "type": "sale",
            "investment": "Deal A",
            "amount": "1000000.00",
            "cost": "500000.00",
            "effective_date": sold,
        },
        {
            "type": "sale",
            "investment": "Deal B",
            "amount": "100000.00",
            "cost": "500000.00",
            "effective_date": sold,
        },
    ]
    for row in rows:
        container.transactions.record(
            operator, pool, TransactionRequest.model_validate(row), str(uuid.uuid4())
        )
    loser = {"amount": "100000.00", "effective_date": sold, "mode": "waterfall", "investment": "Deal B"}
    container.transactions.distribute(
        operator,
        pool,
        DistributionRequest.model_validate(loser | {"final_realisation": True}),
        str(uuid.uuid4()),
    )

    browser.get(f"{live_portal.url}/manager/pools/{pool}")
    _wait_for_dash_page(browser, "form-capital_call")
    _open_tab(browser, "money-out")
    _type(browser, "distribution", "amount", "1000000")
    Select(_field(browser, "distribution", "investment")).select_by_value("Deal A")
    Select(_field(browser, "distribution", "final_realisation")).select_by_value("true")
    _click(browser, browser.find_element(*_by(action="distribution", type="af-preview")))
    _wait(browser).until(ec.visibility_of_element_located((By.ID, "effect-waterfall-terms")))
    workings = browser.find_element(By.ID, "effect-waterfall-terms").text
    assert "Deal by deal: Deal A, $500,000.00 of capital" in workings, workings
    assert "$100,000.00" in workings, workings
    _show(browser, "effect-tiers")
    browser.save_screenshot(str(screenshots / "manager-deal-distribution.png"))
    _confirm(browser, "distribution", "posted as entry")

    _click(browser, browser.find_element(*_by(action="clawback", type="af-preview")))
    _wait(browser).until(ec.visibility_of_element_located((By.ID, "effect-clawback")))
    terms = browser.find_element(By.ID, "effect-clawback-terms").text
    assert "received $100,000.00 of carry deal by deal" in terms and "gives it $20,000.00" in terms, terms
    table = browser.find_element(By.ID, "effect-clawback").text
    assert "Harbour Pension Fund" in table and "$48,000.00" in table and "$32,000.00" in table, table
    _show(browser, "effect-clawback")
    browser.save_screenshot(str(screenshots / "manager-clawback.png"))
    _confirm(browser, "clawback", "Clawback of $80,000.00 posted")
    assert _console_problems(browser) == []
    assert container.ledger.verify(pool).ok
