"""Exports over HTTP on both backends: the rows tie to the books, files open, and the same
authorisation as the API applies."""

from __future__ import annotations

import csv
import io
import uuid
from decimal import Decimal

import openpyxl
import pytest

from backend.composition.container import Container
from ledger.interface import TransactionRequest
from tests.integration.pools_support import (
    Api,
    World,
    make_world,
    open_pool,
)

pytestmark = pytest.mark.over_grpc("transactions")


@pytest.fixture
def world(container: Container) -> World:
    return make_world(container)


def _pool_with_history(world: World) -> tuple[int, int]:
    c, m = world.container, world.manager
    pool = c.pools.create_pool(m, open_pool(minimum_subscription="0.00")).id
    inv = world.investor_profile(world.investor)
    for body in (
        {"type": "subscription", "investor_id": inv, "amount": "1000.00", "memo": "=cmd|' /C calc'!A0"},
        {"type": "income", "amount": "12.34"},
    ):
        c.transactions.record(
            m,
            pool,
            TransactionRequest.model_validate({"effective_date": "2025-02-03", **body}),
            str(uuid.uuid4()),
        )
    return pool, inv


def test_transactions_csv_ties_to_the_books(world: World) -> None:
    api = Api(world)
    pool, _ = _pool_with_history(world)
    response = api.call("GET", "manager", f"/exports/transactions.csv?pool_id={pool}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    entries = world.container.ledger.list_entries(pool).entries
    assert len(rows) == sum(len(e.postings) for e in entries)
    assert sum(Decimal(r["amount"]) for r in rows if r["commodity"] == "USD") == 0  # balanced
    assert {r["memo"] for r in rows if r["type"] == "subscription"} == {"'=cmd|' /C calc'!A0"}


def test_positions_xlsx_opens_with_numbers(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    api = Api(world)
    pool, inv = _pool_with_history(world)
    response = api.call("GET", "manager", f"/exports/positions.xlsx?pool_id={pool}")
    assert response.status_code == 200
    path = tmp_path / "positions.xlsx"
    path.write_bytes(response.get_data())
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["investor_id"] == inv and row["value"] == 1012.34 and row["units"] == 1000


def test_exports_are_authorised_like_the_api(world: World) -> None:
    api = Api(world)
    pool, _ = _pool_with_history(world)
    assert api.call("GET", "other_manager", f"/exports/transactions.csv?pool_id={pool}").status_code == 404
    assert api.call("GET", "investor", f"/exports/positions.xlsx?pool_id={pool}").status_code == 404
    assert api.client.get(f"/api/v1/exports/transactions.csv?pool_id={pool}").status_code == 401
    missing = api.call("GET", "manager", "/exports/transactions.csv")
    assert missing.status_code == 422


def test_nav_history_and_performance_exports(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.reports_support import build_open

    api = Api(world)
    built = build_open(world)
    nav = api.call(
        "GET", "manager", f"/exports/nav-history.csv?pool_id={built.pool}&end=2025-06-30&frequency=monthly"
    )
    assert nav.status_code == 200, nav.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(nav.get_data(as_text=True))))
    june = next(r for r in rows if r["date"] == "2025-06-30")
    assert Decimal(june["net_asset_value"]) == Decimal("1210000.00")  # the recorded valuation, exactly
    perf = api.call("GET", "manager", f"/exports/performance.xlsx?pool_id={built.pool}&as_of=2025-06-30")
    assert perf.status_code == 200
    path = tmp_path / "performance.xlsx"
    path.write_bytes(perf.get_data())
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    periods = {row[header.index("period")]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "YTD" in periods and isinstance(periods["YTD"][header.index("cumulative_return")], float)
    assert api.call("GET", "investor", f"/exports/performance.csv?pool_id={built.pool}").status_code == 404


def test_statement_export_ties_to_the_books_and_is_private(world: World) -> None:
    from tests.integration.reports_support import build_open

    api = Api(world)
    built = build_open(world)
    path = f"/exports/statements.csv?investor_id={built.a}&period=2025"
    response = api.call("GET", "investor", path)
    assert response.status_code == 200, response.get_data(as_text=True)
    (row,) = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    holding = world.container.transactions.holdings(world.investor, built.a)[0]
    assert Decimal(row["ending_balance"]) == holding.value  # the capital account, to the cent
    movements = [
        "contributions",
        "redemptions",
        "distributions",
        "management_fees",
        "performance_fees",
        "income",
        "expenses",
        "realised_gains",
        "unrealised_gains",
        "other",
    ]
    assert Decimal(row["beginning_balance"]) + sum(Decimal(row[m]) for m in movements) == holding.value
    assert api.call("GET", "other_investor", path).status_code == 404  # another investor's statements
    assert api.call("GET", "analyst", path).status_code == 404
