"""Headless Chromium: the investor sees their holdings and a new entry within 2 s without a
reload, and the bell; the analyst filters and downloads CSV and XLSX (opened and checked);
the admin pages render. Screenshots of each page."""

from __future__ import annotations

import csv
import time
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from backend.actors import Actor, Role
from backend.container import Container
from backend.investors.schemas import (
    CommitmentCreate,
    InvestorCreate,
    InvestorType,
    InvestorUpdate,
    KycStatus,
)
from backend.pools.schemas import PoolCreate
from backend.users.schemas import UserCreate
from ledger.schemas import CapitalCallRequest, TransactionRequest, ValuationRequest
from tests.e2e.live_portal import Chromium, LivePortal
from tests.e2e.test_login_browser import _sign_in, _sign_out, _wait_for_dash_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
WAIT_SECONDS = 15
LIVE_SECONDS = 2.0
OPERATOR = Actor.operator("e2e-dashboards")


def _wait(driver: webdriver.Chrome, seconds: float = WAIT_SECONDS) -> WebDriverWait[Any]:
    # A live refresh replaces the page's elements: a reference may go stale mid-check.
    return WebDriverWait(
        driver, seconds, poll_frequency=0.05, ignored_exceptions=[StaleElementReferenceException]
    )


def _login(portal: LivePortal, role: Role) -> Any:
    return next(login for login in portal.logins if login.role is role)


def _user(container: Container, email: str) -> Actor:
    user = container.users.find_by_email(OPERATOR, email)
    return Actor(user_id=user.id, role=user.role, label=email)


def _books(portal: LivePortal) -> tuple[Container, Actor, int]:
    """A closed-ended pool run by a manager of its own (the demo manager's pages stay as the
    manager tests expect), the demo investor committed and called, the analyst granted."""
    container = portal.container
    assert container is not None
    manager = container.users.create_user(
        OPERATOR,
        UserCreate(
            email=f"m-{uuid.uuid4().hex[:6]}@e2e.test", role=Role.MANAGER, password="e2e-manager-pass-1"
        ),
    )
    boss = Actor(user_id=manager.id, role=Role.MANAGER, label=manager.email)
    investor = _user(container, _login(portal, Role.INVESTOR).email)
    assert investor.user_id is not None
    profile = container.investors.investor_for_user(investor.user_id)
    if profile is None:
        profile = container.investors.create_investor(
            OPERATOR,
            InvestorCreate(
                user_id=investor.user_id,
                legal_name="Demo Investor",
                investor_type=InvestorType.INDIVIDUAL,
                country="GB",
            ),
        )
        container.investors.update_investor(
            OPERATOR, profile.id, InvestorUpdate(kyc_status=KycStatus.APPROVED)
        )
    pool = container.pools.create_pool(
        boss,
        PoolCreate.model_validate(
            {
                "name": "Live Harbour Fund",
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
        boss, pool, CommitmentCreate.model_validate({"investor_id": profile.id, "amount": "100000.00"})
    )
    tx = container.transactions
    tx.capital_call(
        boss,
        pool,
        CapitalCallRequest(
            amount=Decimal(40000), due_date=date(2025, 2, 1), effective_date=date(2025, 1, 15)
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
                "amount": "30000.00",
                "effective_date": "2025-02-01",
            }
        ),
        uuid.uuid4().hex,
    )
    analyst = _user(container, _login(portal, Role.ANALYST).email)
    assert analyst.user_id is not None
    container.pools.grant_analyst(boss, pool, analyst.user_id)
    return container, boss, pool


def test_investor_live_dashboard_and_analyst_downloads(
    live_portal: LivePortal, chromium: Chromium, screenshots: Path, tmp_path: Path
) -> None:
    container, boss, pool = _books(live_portal)
    driver = chromium()
    driver.get(f"{live_portal.url}/login?next=/investor")
    _sign_in(driver, _login(live_portal, Role.INVESTOR))
    _wait_for_dash_page(driver, f"holding-{pool}")
    _wait(driver).until(  # 40,000 called, of which 10,000 is still unpaid: worth 30,000
        lambda d: (
            "Live Harbour Fund" in (text := d.find_element(By.ID, f"holding-{pool}").text)
            and "€30,000.00" in text
        )
    )
    assert "€10,000.00" in driver.find_element(By.ID, "investor-calls").text  # still unpaid
    _wait(driver).until(lambda d: d.find_element(By.ID, "bell-count").text.strip() not in ("", "0"))
    driver.save_screenshot(str(screenshots / "investor-dashboard.png"))

    # The live update: an entry posted through the service shows without a reload.
    driver.execute_script("window.__not_reloaded = true;")
    container.transactions.record_valuation(
        boss,
        pool,
        ValuationRequest(as_of=date(2025, 3, 31), net_asset_value=Decimal(52000)),
        uuid.uuid4().hex,
    )
    posted = time.monotonic()
    _wait(driver, LIVE_SECONDS + 1).until(  # NAV 52,000 less the 10,000 still unpaid
        lambda d: "€42,000.00" in d.find_element(By.ID, f"holding-{pool}").text
    )
    elapsed = time.monotonic() - posted
    assert elapsed <= LIVE_SECONDS, f"the new valuation took {elapsed:.2f}s to show"
    assert driver.execute_script("return window.__not_reloaded === true;")

    driver.find_element(
        By.CSS_SELECTOR, "#bell-menu .dropdown-toggle, #bell-menu > a, #bell-menu button"
    ).click()
    _wait(driver).until(ec.visibility_of_element_located((By.ID, "bell-list")))
    _wait(driver).until(ec.text_to_be_present_in_element((By.ID, "bell-list"), "Valuation published"))
    driver.save_screenshot(str(screenshots / "investor-notifications.png"))
    _sign_out(driver)

    # The analyst: filter, then download both files through the browser.
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    driver.get(f"{live_portal.url}/login?next=/analyst")
    _sign_in(driver, _login(live_portal, Role.ANALYST))
    _wait_for_dash_page(driver, "analyst-grid")
    Select(driver.find_element(By.ID, "analyst-pool")).select_by_value(str(pool))
    Select(driver.find_element(By.ID, "analyst-type")).select_by_value("capital_call")
    _wait(driver).until(
        lambda d: "type=capital_call" in (d.find_element(By.ID, "analyst-csv").get_attribute("href") or "")
    )
    _wait(driver).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#analyst-grid .ag-row")))
    driver.save_screenshot(str(screenshots / "analyst-explorer.png"))
    driver.find_element(By.ID, "analyst-csv").click()
    driver.find_element(By.ID, "analyst-xlsx").click()
    name = f"transactions-pool-{pool}"
    _wait(driver).until(
        lambda _: (tmp_path / f"{name}.csv").exists() and (tmp_path / f"{name}.xlsx").exists()
    )
    time.sleep(0.3)  # let Chromium finish renaming from .crdownload
    with (tmp_path / f"{name}.csv").open(newline="") as f:
        table = list(csv.DictReader(f))
    assert table and {r["type"] for r in table} == {"capital_call"}
    sheet = openpyxl.load_workbook(tmp_path / f"{name}.xlsx", read_only=True).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][2] == "type" and len(values) == len(table) + 1
    _sign_out(driver)

    driver.get(f"{live_portal.url}/login?next=/admin/users")
    _sign_in(driver, _login(live_portal, Role.ADMIN))
    _wait_for_dash_page(driver, "users-grid")
    driver.save_screenshot(str(screenshots / "admin-users.png"))
    for path, element in (("/admin/audit", "audit-grid"), ("/admin/system", "system-status")):
        driver.get(f"{live_portal.url}{path}")
        _wait_for_dash_page(driver, element)
        time.sleep(0.5)
        driver.save_screenshot(str(screenshots / f"admin-{path.rsplit('/', 1)[1]}.png"))
    assert "not configured" in driver.find_element(By.ID, "system-status").text
    _sign_out(driver)
