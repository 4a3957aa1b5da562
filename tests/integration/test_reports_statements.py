"""Capital account statements on SQLite and MariaDB: they tie out to the ledger to the cent, in
the ILPA layout (cash received, carried interest paid and accrued on lines of their own,
balances net of accrued carry), XLSX opens with openpyxl with numbers as numbers, and only
the investor and the pool's managers may read them."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from backend.composition.container import Container
from backend.platform.errors import NotFound, ValidationFailed
from ledger.interface import DistributionMode, DistributionRequest, ReversalRequest
from reports.interface import CapitalAccountStatement
from reports.statements import MOVEMENTS
from tests.integration.pools_support import (
    Api,
    World,
    make_world,
)
from tests.integration.reports_support import build_carry, build_closed, build_open, key, tx

# Every test here runs in process and again with the report service behind gRPC (returns and
# ratios as doubles, workbooks as bytes, refusals as the same errors).
pytestmark = pytest.mark.over_grpc("reports")

D = Decimal


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _ties_out(s: CapitalAccountStatement) -> None:
    assert s.beginning_balance + sum((getattr(s, m) for m in MOVEMENTS), D(0)) == s.ending_balance


def _accrued_for(world: World, pool: int, investor: int, value: str, on: date) -> D:
    """What the investor's capital account would bear for the GP beyond the cash it receives if
    ``value`` were distributed through the waterfall now (the ledger's preview; nothing posted)."""
    preview = world.container.previews.distribution(
        world.manager,
        pool,
        DistributionRequest(amount=D(value), effective_date=on, mode=DistributionMode.WATERFALL),
    )
    debit = next(line.amount for line in preview.lines if line.investor_id == investor)
    return debit - D(preview.details["investors"][str(investor)]["total"])


def test_closed_ended_statement_ties_out_to_the_books(world: World) -> None:
    built = build_closed(world)
    c = world.container
    year = c.reports.statement(world.investor, built.a, built.pool, period="2025")
    _ties_out(year)
    assert (year.start, year.end) == (date(2025, 1, 1), date(2025, 12, 31))
    assert year.beginning_balance == D("0.00") and year.contributions == D("20000.00")
    assert year.unrealised_gains == D("6000.00")  # 2/3 of +6,000 and of +3,000
    assert year.distributions == D("-8000.00") and year.carried_interest_paid == D("0.00")  # all capital back
    # The capital account in the ledger's balances (nothing is dated after 2025), and the
    # balance net of the carry the GP would take on a liquidation at the value.
    assert (
        year.ending_capital_account == D("18000.00") == -c.ledger.balances(built.pool)[f"capital/{built.a}"]
    )
    accrued = _accrued_for(world, built.pool, built.a, "27000.00", date(2025, 12, 31))
    assert accrued > 0 and year.accrued_carried_interest_end == accrued
    assert year.carried_interest_accrued == -accrued and year.ending_balance == D("18000.00") - accrued
    assert (year.committed, year.contributed_to_date, year.unfunded_commitment) == (
        D("100000.00"),
        D("20000.00"),
        D("80000.00"),
    )
    assert year.cash_contributed == D("20000.00") and year.cash_received == D("8000.00")
    q3 = c.reports.statement(world.manager, built.a, built.pool, period="2025-q3")
    _ties_out(q3)
    assert q3.beginning_capital_account == D("24000.00") and q3.ending_capital_account == D("16000.00")
    assert q3.beginning_balance == D("24000.00") - q3.accrued_carried_interest_start
    assert q3.realised_gains == D("0.00") and q3.period == "2025-Q3"
    q4 = c.reports.statement(world.investor, built.a, built.pool, period="2025-Q4")
    assert q4.beginning_balance == q3.ending_balance and q4.ending_balance == year.ending_balance


def test_statement_shows_cash_received_and_carried_interest_on_their_own_lines(world: World) -> None:
    """Finding 13: in 2026 the statement showed distributions of -220 where the LP received
    196 in cash and 24 was the GP's catch-up and carry. Now each on its own line, with the
    accrual's change beside them, tying to the balance net of carry to the cent."""
    built = build_carry(world)
    c = world.container
    first = c.reports.statement(world.investor, built.a, built.pool, period="2025")
    _ties_out(first)
    assert (first.unrealised_gains, first.carried_interest_accrued, first.ending_balance) == (
        D("200.00"),
        D("-40.00"),
        D("260.00"),
    )
    second = c.reports.statement(world.investor, built.a, built.pool, period="2026")
    _ties_out(second)
    assert second.beginning_balance == first.ending_balance
    assert (second.distributions, second.carried_interest_paid, second.carried_interest_accrued) == (
        D("-196.00"),
        D("-24.00"),
        D("24.00"),
    )
    assert second.cash_received == D("196.00")
    assert (second.ending_capital_account, second.accrued_carried_interest_end, second.ending_balance) == (
        D("80.00"),
        D("16.00"),
        D("64.00"),
    )
    assert second.ending_capital_account == -c.ledger.balances(built.pool)[f"capital/{built.a}"]
    api = Api(world)
    path = f"/investors/{built.a}/statements?pool_id={built.pool}&period=2026&format=xlsx"
    response = api.call("GET", "investor", path)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    assert sheet is not None
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0] is not None}
    assert (cells["Distributions"], cells["Carried interest paid"], cells["Ending balance"]) == (
        -196,
        -24,
        64,
    )
    assert cells["Carried interest accrued (change)"] == pytest.approx(24.00)
    assert cells["Accrued carried interest at end"] == 16
    body = api.call("GET", "investor", path.replace("xlsx", "json")).get_json()
    assert (body["distributions"], body["carried_interest_paid"], body["ending_balance"]) == (
        "-196.00",
        "-24.00",
        "64.00",
    )


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
    json_body = api.call("GET", "investor", path.replace("xlsx", "json")).get_json()
    ending = D(json_body["ending_balance"])  # net of accrued carried interest
    assert cells["Ending balance"] == pytest.approx(float(ending))
    assert isinstance(cells["Ending balance"], (int, float))
    assert cells["Capital account at end (before accrued carry)"] == 18000
    assert cells["Accrued carried interest at end"] == pytest.approx(float(D(18000) - ending))
    assert cells["Distributions"] == -8000 and cells["Commitment"] == 100000
    assert cells["NAV per unit at end"] is None  # closed-ended: no units
    assert (
        json_body["ending_capital_account"] == "18000.00" and json_body["unfunded_commitment"] == "80000.00"
    )
    assert api.call("GET", "other_investor", path).status_code == 404
    assert api.call("GET", "other_manager", path).status_code == 404
    assert api.call("GET", "investor", path.replace("xlsx", "pdf")).status_code == 422
