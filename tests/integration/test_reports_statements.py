"""Capital account statements on SQLite and MariaDB: they tie out to the ledger to the cent,
XLSX opens with openpyxl with numbers as numbers, and only the investor and the pool's
managers may read them."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from backend.container import Container
from backend.errors import NotFound, ValidationFailed
from ledger.schemas import ReversalRequest
from reports.schemas import CapitalAccountStatement
from reports.statements import MOVEMENTS
from tests.integration.pools_support import (  # noqa: F401 (cheap_argon2 is an autouse fixture)
    Api,
    World,
    cheap_argon2,
    make_world,
)
from tests.integration.reports_support import build_closed, build_open, key, tx

D = Decimal


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _ties_out(s: CapitalAccountStatement) -> None:
    assert s.beginning_balance + sum((getattr(s, m) for m in MOVEMENTS), D(0)) == s.ending_balance


def test_closed_ended_statement_ties_out_to_the_books(world: World) -> None:
    built = build_closed(world)
    c = world.container
    year = c.reports.statement(world.investor, built.a, built.pool, period="2025")
    _ties_out(year)
    assert (year.start, year.end) == (date(2025, 1, 1), date(2025, 12, 31))
    assert year.beginning_balance == D("0.00") and year.contributions == D("20000.00")
    assert year.unrealised_gains == D("6000.00")  # 2/3 of +6,000 and of +3,000
    assert year.distributions == D("-8000.00") and year.ending_balance == D("18000.00")
    assert (year.committed, year.contributed_to_date, year.unfunded_commitment) == (
        D("100000.00"),
        D("20000.00"),
        D("80000.00"),
    )
    assert year.cash_contributed == D("20000.00") and year.cash_received == D("8000.00")
    # Ending = the capital account in the ledger's balances (nothing is dated after 2025).
    assert year.ending_balance == -c.ledger.balances(built.pool)[f"capital/{built.a}"]
    q3 = c.reports.statement(world.manager, built.a, built.pool, period="2025-q3")
    _ties_out(q3)
    assert q3.beginning_balance == D("24000.00") and q3.ending_balance == D("16000.00")
    assert q3.realised_gains == D("0.00") and q3.period == "2025-Q3"
    q4 = c.reports.statement(world.investor, built.a, built.pool, period="2025-Q4")
    assert q4.beginning_balance == q3.ending_balance and q4.ending_balance == year.ending_balance


def test_open_ended_statement_units_prices_and_a_reversal_in_the_period(world: World) -> None:
    built = build_open(world)
    c, m = world.container, world.manager
    income = c.transactions.record(
        m, built.pool, tx(type="income", amount="1100.00", effective_date="2025-06-30"), key()
    )
    c.transactions.reverse(m, income.id, ReversalRequest(effective_date=date(2025, 7, 10)), key())
    h1 = c.reports.statement(
        world.investor, built.a, built.pool, start=date(2025, 1, 1), end=date(2025, 6, 30)
    )
    _ties_out(h1)
    assert h1.contributions == D("1000000.00") and h1.redemptions == D("-105000.00")
    assert h1.income == D("900.00")  # 900,000 of 1,100,000 units
    assert (h1.units_start, h1.units_end) == (D("0.000000"), D("900000.000000"))
    assert (h1.nav_per_unit_start, h1.nav_per_unit_end) == (D("1.000000"), D("1.101000"))
    q3 = c.reports.statement(world.investor, built.a, built.pool, period="2025-Q3")
    _ties_out(q3)
    assert q3.income == D("-900.00")  # the reversal, booked in July, under the type it reverses
    assert q3.ending_balance == D("990000.00") == -c.ledger.balances(built.pool)[f"capital/{built.a}"]
    assert q3.committed == D("0.00") and q3.nav_per_unit_start == D("1.101000")


def test_statement_periods_and_who_may_read_them(world: World) -> None:
    built = build_closed(world)
    r = world.container.reports
    with pytest.raises(ValidationFailed) as error:
        r.statement(world.investor, built.a, built.pool, period="2025-Q5")
    assert error.value.field == "period"
    with pytest.raises(ValidationFailed):
        r.statement(world.investor, built.a, built.pool)
    for actor in (world.other_investor, world.other_manager, world.analyst):
        with pytest.raises(NotFound):
            r.statement(actor, built.a, built.pool, period="2025")
    with pytest.raises(NotFound):
        r.statement(world.investor, built.a, built.pool + 1000, period="2025")


def test_statement_xlsx_over_the_api(world: World) -> None:
    built = build_closed(world)
    api = Api(world)
    path = f"/investors/{built.a}/statements?pool_id={built.pool}&period=2025&format=xlsx"
    response = api.call("GET", "investor", path)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    assert sheet is not None
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0] is not None}
    assert cells["Ending balance"] == 18000 and isinstance(cells["Ending balance"], (int, float))
    assert cells["Distributions"] == -8000 and cells["Commitment"] == 100000
    assert cells["NAV per unit at end"] is None  # closed-ended: no units
    json_body = api.call("GET", "investor", path.replace("xlsx", "json")).get_json()
    assert json_body["ending_balance"] == "18000.00" and json_body["unfunded_commitment"] == "80000.00"
    assert api.call("GET", "other_investor", path).status_code == 404
    assert api.call("GET", "other_manager", path).status_code == 404
    assert api.call("GET", "investor", path.replace("xlsx", "pdf")).status_code == 422
