"""`python app.py import transactions FILE --pool ID [--as EMAIL]` on SQLite and MariaDB: CSV
and XLSX files go in whole, or not at all with every bad row reported by its row number in
the file (header = row 1) and column."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

import app as cli
from backend.composition.container import Container
from backend.platform.config import load_settings
from tests.conftest import mariadb_database_url
from tests.integration.pools_support import (
    World,
    make_world,
    open_pool,
)

D = Decimal
HEADER = "type,investor_id,amount,units,cost,effective_date,memo"


@pytest.fixture(params=["sqlite", "mariadb"])
def world(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    if request.param == "mariadb":
        monkeypatch.setenv("DATABASE_URL", mariadb_database_url("import"))
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    assert cli.main(["migrate"]) == 0
    return make_world(Container(load_settings()))


def _pool(world: World) -> tuple[int, int, int]:
    c = world.container
    pool = c.pools.create_pool(world.manager, open_pool(minimum_subscription="0.00")).id
    return (
        pool,
        world.investor_profile(world.investor),
        world.investor_profile(world.other_investor, name="Bo"),
    )


def _import(path: Path, pool: int, who: str | None = "manager@pools.test") -> int:
    args = ["import", "transactions", str(path), "--pool", str(pool)]
    return cli.main([*args, "--as", who] if who else args)


def test_csv_import_posts_every_row(world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pool, a, b = _pool(world)
    path = tmp_path / "transactions.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                f"subscription,{a},1000.00,,,2025-01-02,first money",
                f"subscription,{b},500.00,,,2025-01-02,",
                ",,,,,,",
                "purchase,,1200.00,,,2025-01-03,",
                "valuation,,1650.00,,,2025-03-31,quarter end",
                "income,,9.99,,,2025-04-01,",
                "valuation,,1659.99,,,2025-04-02,the day's price for its deals",
                f"redemption,{a},,100.5,,2025-04-02,",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    assert _import(path, pool) == 0
    out = capsys.readouterr().out
    ledger = world.container.ledger
    assert ledger.ledger_version(pool) == 7
    assert f"imported 7 rows into pool {pool}: 7 entries" in out and "(seq 1..7)" in out
    balances = ledger.balances(pool)
    assert balances[f"units/{a}"] == D("899.500000") and balances["investments"] == D("1350.00")
    assert ledger.verify(pool).ok
    entries = ledger.list_entries(pool).entries
    assert entries[0].memo == "first money" and entries[0].created_by == "manager@pools.test"
    # The same file again replays the first import instead of posting it twice.
    assert _import(path, pool) == 0
    assert ledger.ledger_version(pool) == 7


def test_csv_import_reports_every_bad_row_and_writes_nothing(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pool, a, _ = _pool(world)
    path = tmp_path / "bad.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                f"subscription,{a},100.00,,,2025-01-02,",
                f'subscription,{a},"1,000.00",,,2025-01-02,',  # row 3: thousands separator
                'income,,1.00,,,2025-01-03,=HYPERLINK("http://x")',  # row 4: a formula in the memo
                f"redemption,{a},,100.000001,,2025-01-02,",  # row 5: more units than held
                "expense,,1.00,,,03/01/2025,",  # row 6: not an ISO date
                f"subscription,{a},1e3,,,2025-01-05,",  # row 7: an exponent
                "income,,2.00,,,2025-01-06,,extra",  # row 8: beyond the header
                "transfer,,2.00,,,2025-01-06,",  # row 9: no such type
            ]
        ),
        encoding="utf-8",
    )
    assert _import(path, pool) == 1
    err = capsys.readouterr().err
    for expected in (
        "row 3, column amount: not a plain decimal number",
        "row 4, column memo: a formula",
        "row 5, column units: investor",
        "row 6, column effective_date: not a date",
        "row 7, column amount: not a plain decimal number",
        "row 8, column #8: a value outside the header's columns",
        "row 9, column type:",
        "nothing was written: 7 problem(s)",
    ):
        assert expected in err, err
    assert "row 2," not in err
    assert not world.container.ledger.has_entries(pool)


def test_header_is_checked(world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pool, a, _ = _pool(world)
    path = tmp_path / "header.csv"
    path.write_text(f"type,investor,amount,colour\nsubscription,{a},1.00,red\n", encoding="utf-8")
    assert _import(path, pool) == 1
    err = capsys.readouterr().err
    assert "row 1, column investor: unknown column" in err and "row 1, column colour: unknown column" in err
    assert "row 1, column effective_date: required column missing" in err
    assert not world.container.ledger.has_entries(pool)


def test_only_the_pools_manager_imports(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pool, a, _ = _pool(world)
    path = tmp_path / "one.csv"
    path.write_text(f"{HEADER}\nsubscription,{a},1.00,,,2025-01-02,\n", encoding="utf-8")
    assert _import(path, pool, "other_manager@pools.test") == 1
    assert f"pool {pool} not found" in capsys.readouterr().err
    assert not world.container.ledger.has_entries(pool)
    assert _import(path, pool, None) == 0  # the operator acts as admin
    assert world.container.ledger.ledger_version(pool) == 1


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_import_reads_numbers_and_dates_exactly(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pool, a, b = _pool(world)
    path = _xlsx(
        tmp_path / "book.xlsx",
        [
            ["subscription", a, 1000.1, None, None, date(2025, 1, 2), "float cell"],
            ["subscription", float(b), 0.1, None, None, datetime(2025, 1, 2), None],
            ["purchase", None, 900, None, None, "2025-01-03", None],
            ["valuation", None, "1000.30", None, None, date(2025, 2, 28), 42],
        ],
    )
    assert _import(path, pool) == 0
    assert "4 entries" in capsys.readouterr().out
    ledger = world.container.ledger
    balances = ledger.balances(pool)
    assert balances["cash"] == D("100.20") and balances[f"capital/{b}"] < 0
    assert -(balances[f"capital/{a}"] + balances[f"capital/{b}"]) - balances.get("rounding_residue", 0) == D(
        "1000.30"
    )
    entries = ledger.list_entries(pool).entries
    assert entries[1].details["amount"] == "0.10" and entries[3].memo == "42"
    assert ledger.verify(pool).ok


def test_xlsx_import_refuses_formulas_and_inexact_cells(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pool, a, _ = _pool(world)
    path = _xlsx(
        tmp_path / "bad.xlsx",
        [
            ["subscription", a, 100, None, None, date(2025, 1, 2), None],
            ["income", None, "=1+1", None, None, date(2025, 1, 3), None],  # row 3: formula
            ["income", None, 1 / 3, None, None, date(2025, 1, 3), None],  # row 4: 16 digits
            ["income", None, 1, None, None, datetime(2025, 1, 3, 15, 30), None],  # row 5: a time
            ["income", None, True, None, None, date(2025, 1, 3), None],  # row 6: a boolean
            ["income", None, 1, None, None, 45678, None],  # row 7: a serial number, not a date
            ["subscription", 1.5, 1, None, None, date(2025, 1, 3), None],  # row 8: fractional id
            ["income", None, 1, None, None, date(2025, 1, 3), "+cmd"],  # row 9: formula-like text
        ],
    )
    assert _import(path, pool) == 1
    err = capsys.readouterr().err
    for expected in (
        "row 3, column amount: a formula",
        "row 4, column amount: 0.3333333333333333 has more than 15 significant digits",
        "row 5, column effective_date: a date with a time of day",
        "row 6, column amount: a TRUE/FALSE cell",
        "row 7, column effective_date: a number, not a date",
        "row 8, column investor_id: an investor id is a whole number",
        "row 9, column memo: text starting with '+'",
    ):
        assert expected in err, err
    assert "row 2," not in err
    assert not world.container.ledger.has_entries(pool)


def test_imported_history_records_its_payouts_as_paid_outside(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """History's redemption was paid by the bank long ago: with --payouts-paid-until its payout
    is recorded as paid, not queued to pay again; a redemption after that date is still paid."""
    pool, a, b = _pool(world)
    path = tmp_path / "history.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                f"subscription,{a},1000.00,,,2025-01-02,",
                f"subscription,{b},500.00,,,2025-01-02,",
                "valuation,,1500.00,,,2025-04-02,",
                f"redemption,{a},,100,,2025-04-02,",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    args = ["import", "transactions", str(path), "--pool", str(pool), "--as", "manager@pools.test"]
    assert cli.main([*args, "--payouts-paid-until", "2025-06-30"]) == 0
    assert "payouts up to 2025-06-30: 1 recorded as paid outside the platform" in capsys.readouterr().out
    c = world.container
    (old,) = c.payments.list_payouts(world.manager, pool)
    assert old.status.value == "paid" and "imported from history.csv" in old.hold_reason

    later = tmp_path / "later.csv"
    later.write_text(
        "\n".join([HEADER, "valuation,,1400.00,,,2025-07-01,", f"redemption,{b},,50,,2025-07-01,"]) + "\n",
        encoding="utf-8",
    )
    assert cli.main(["import", "transactions", str(later), *args[3:]]) == 0
    statuses = {x.investor_id: x.status.value for x in c.payments.list_payouts(world.manager, pool)}
    assert statuses == {a: "paid", b: "held"}
    with pytest.raises(SystemExit) as refused:  # argparse names the option and the value
        cli.main([*args, "--payouts-paid-until", "30/06/2025"])
    assert refused.value.code == 2 and "--payouts-paid-until" in capsys.readouterr().err


def test_a_file_names_investments_and_the_fees_the_manager_received(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The optional investment and fee_kind columns: a purchase named by deal, a fee a
    portfolio company paid the manager (a memorandum entry)."""
    c = world.container
    pool = c.pools.create_pool(world.manager, open_pool(minimum_subscription="0.00")).id
    a = world.investor_profile(world.investor)
    path = tmp_path / "deals.csv"
    path.write_text(
        "type,investor_id,amount,investment,fee_kind,effective_date,memo\n"
        f"subscription,{a},1000.00,,,2025-01-02,\n"
        "purchase,,800.00,Acme Robotics,,2025-01-03,\n"
        "portfolio_company_fee,,25.00,Acme Robotics,monitoring,2025-01-04,board seat\n",
        encoding="utf-8",
    )
    assert _import(path, pool) == 0, capsys.readouterr().err
    entries = c.ledger.list_entries(pool).entries
    assert [e.entry_type.value for e in entries] == ["subscription", "purchase", "portfolio_company_fee"]
    assert entries[1].details["investment"] == "Acme Robotics"
    assert (
        entries[2].memo
        == "monitoring fee of 25.00 USD received by the manager from Acme Robotics: board seat"
    )
