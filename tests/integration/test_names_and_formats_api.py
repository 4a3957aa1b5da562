"""Names and formats through the real services: the business-view export names the pool and
the investors beside their ids, positions name their holders, the explorer writes yen without
decimals, the pool page's transactions say who and what in words, and a statement for a year
still running ends today and says so, in its JSON and its workbook."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from flask import Flask

from backend.composition.container import Container
from backend.composition.web import create_app
from portal.manager.data import transactions_block
from tests.integration.pools_support import Api, World, make_world
from tests.integration.reports_support import build_closed, build_open
from tests.integration.test_portal_analyst_admin import _client, _explore


@pytest.fixture(params=["sqlite"])
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


@pytest.fixture
def app(world: World) -> Flask:
    return create_app(world.container)


def _csv(api: Api, who: str, path: str) -> list[dict[str, str]]:
    response = api.call("GET", who, path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_business_view_export_names_the_pool_and_the_investor(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    built = build_open(world)
    api = Api(world)
    pool = world.container.pools.get_pool(world.manager, built.pool)
    rows = _csv(api, "manager", f"/exports/entries.csv?pool_id={built.pool}")
    entries = world.container.ledger.list_entries(built.pool).entries
    assert len(rows) == len(entries)  # one row per transaction, not per posting
    first = rows[0]
    assert {"investor_id", "investor_name", "pool_id", "pool_name", "type", "type_label"} <= set(first)
    assert (first["pool_id"], first["pool_name"]) == (str(built.pool), pool.name)
    assert (first["investor_id"], first["investor_name"]) == (str(built.a), "Ana Example")
    assert (first["type"], first["type_label"], first["amount"]) == (
        "subscription",
        "Subscription",
        "1000000.00",
    )
    assert {r["type_label"] for r in rows} >= {"Subscription", "Purchase", "Valuation", "Redemption"}
    late = next(r for r in rows if r["investor_id"] == str(built.b))
    assert late["investor_name"] == "Bo Other" and Decimal(late["nav_per_unit"]) == Decimal("1.05")
    only_b = _csv(api, "manager", f"/exports/entries.csv?pool_id={built.pool}&investor_id={built.b}")
    assert {r["investor_name"] for r in only_b} == {"Bo Other"}

    response = api.call("GET", "manager", f"/exports/entries.xlsx?pool_id={built.pool}&type=subscription")
    assert response.status_code == 200
    path = tmp_path / "entries.xlsx"
    path.write_bytes(response.get_data())
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    named = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert [r["investor_name"] for r in named] == ["Ana Example", "Bo Other"]
    assert api.call("GET", "other_manager", f"/exports/entries.csv?pool_id={built.pool}").status_code == 404

    positions = _csv(api, "manager", f"/exports/positions.csv?pool_id={built.pool}")
    assert {(r["investor_id"], r["investor_name"], r["pool_name"]) for r in positions} == {
        (str(built.a), "Ana Example", pool.name),
        (str(built.b), "Bo Other", pool.name),
    }


def test_the_explorer_writes_yen_without_decimals_and_opens_on_transactions(world: World) -> None:
    built = build_closed(world, currency="JPY")
    assert world.analyst.user_id is not None
    world.container.pools.grant_analyst(world.manager, built.pool, world.analyst.user_id)
    client = _client(world, "analyst")
    answer = _explore(client, "entries", built.pool)
    rows = answer["analyst-grid"]["rowData"]
    assert isinstance(rows, list) and rows
    call = next(r for r in rows if r["type"] == "capital_call")
    assert call["type_label"] == "Capital call" and call["amount_text"] == "¥30,000"
    assert call["investor_name"] == "2 investors" and call["currency"] == "JPY"
    paid = next(r for r in rows if r["type"] == "contribution")
    assert paid["investor_id"] == built.a and paid["investor_name"] == ""  # analysts see no profiles
    assert "/api/v1/exports/entries.csv" in str(answer["analyst-csv"]["href"])
    performance = _explore(client, "performance", built.pool, date_to="2025-06-30")["analyst-grid"]["rowData"]
    assert isinstance(performance, list) and performance
    texts = {r["cumulative_return_text"] for r in performance}
    assert any(t.endswith("%") for t in texts) and all(t.endswith("%") or t == "—" for t in texts)


def test_the_pool_pages_transactions_name_investors(world: World, app: Flask) -> None:
    built = build_closed(world, currency="JPY")
    with app.app_context():
        block, _ = transactions_block(
            world.manager, built.pool, start=0, end=100, filter_model=None, cursors={}
        )
    rows = block["rowData"]
    call = next(r for r in rows if r["entry_type"] == "Capital call")
    assert call["investors"] == "Ana Example, Bo Other"
    assert call["investor_ids"] == f"#{built.a}, #{built.b}"
    paid = next(r for r in rows if r["entry_type"] == "Contribution" and r["investors"] == "Ana Example")
    assert paid["cash_text"] == "¥20,000"
    with app.app_context():
        filtered, _ = transactions_block(
            world.manager,
            built.pool,
            start=0,
            end=100,
            filter_model={"entry_type": {"filter": "Capital call"}},
            cursors={},
        )
    assert [r["entry_type"] for r in filtered["rowData"]] == ["Capital call"]  # the words filter too


def test_a_statement_for_a_year_still_running_ends_today_and_says_so(world: World) -> None:
    built = build_closed(world)
    today = date.today()
    year = str(today.year)
    statement = world.container.reports.statement(world.investor, built.a, built.pool, period=year)
    if today < date(today.year, 12, 31):
        # Labelled for the reader; the period stays the one asked for (document references).
        assert (statement.period_label, statement.period, statement.end) == (f"{year} (to date)", year, today)
    assert (statement.investor_name, statement.pool_name) == (
        "Ana Example",
        world.container.pools.get_pool(world.manager, built.pool).name,
    )
    past = world.container.reports.statement(world.investor, built.a, built.pool, period="2025")
    assert (past.period_label, past.period, past.end) == ("2025", "2025", date(2025, 12, 31))

    api = Api(world)
    path = f"/investors/{built.a}/statements?pool_id={built.pool}&period={year}&format=xlsx"
    response = api.call("GET", "investor", path)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    assert sheet is not None
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0] is not None}
    assert cells["Investor"] == f"Ana Example (#{built.a})"
    assert cells["Pool"] == f"{statement.pool_name} (#{built.pool})"
    assert cells["Period"] == statement.period_label and cells["To"].date() == statement.end
    exported = _csv(api, "investor", f"/exports/statements.csv?investor_id={built.a}&period=2025")
    assert [(r["investor_name"], r["pool_name"], r["period_label"]) for r in exported] == [
        ("Ana Example", statement.pool_name, "2025")
    ]
