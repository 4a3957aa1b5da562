"""Names, words and formats the portal and the exports show: investors and pools by name,
transaction types as words, money at its currency's minor unit (the yen has none), returns
as percentages, the explorer's business view, statements that end when they say they end."""

from __future__ import annotations

import io
from collections.abc import Collection, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal as D  # noqa: N817 - the amounts read as figures
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest

from backend.platform.actors import Actor, Role
from backend.platform.errors import PermissionDenied
from ledger.interface import AccountCode, EntryOut, EntryType, JournalEntryLines, JournalFilter, PostingOut
from portal.analyst.data import DATASETS, DEFAULT_DATASET, column_defs, filters, grid_row
from portal.formatting import entry_type_label, money, percent
from portal.investor.data import statement_periods
from portal.manager.data import entry_row
from reports.datasets import (
    ENTRY_COLUMNS,
    NAV_HISTORY_COLUMNS,
    PERFORMANCE_COLUMNS,
    TRANSACTION_COLUMNS,
    entry_rows,
    position_rows,
)
from reports.schemas import CapitalAccountStatement
from reports.statements import statement_xlsx, to_date

ACTOR = Actor(user_id=1, role=Role.MANAGER, label="manager@example.com")


def _entry(
    ident: int,
    kind: EntryType,
    lines: Sequence[tuple[AccountCode, int | None, str]],
    *,
    commodity: str = "USD",
    reverses: int | None = None,
    **details: object,
) -> EntryOut:
    return EntryOut(
        id=ident,
        pool_id=9,
        seq=ident,
        entry_type=kind,
        effective_date=date(2025, 3, ident % 28 + 1),
        memo=f"memo {ident}",
        created_by="m",
        created_by_user_id=1,
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
        reverses_entry_id=reverses,
        prev_hash="",
        hash="",
        postings=[
            PostingOut(
                account_id=i,
                account=a,
                investor_id=inv,
                commodity="UNITS" if a is AccountCode.UNITS else commodity,
                amount=D(amount),
            )
            for i, (a, inv, amount) in enumerate(lines)
        ],
        details=dict(details),
    )


SUBSCRIPTION = _entry(
    1,
    EntryType.SUBSCRIPTION,
    [
        (AccountCode.CASH, None, "1000.00"),
        (AccountCode.CAPITAL, 2, "-1000.00"),
        (AccountCode.UNITS, 2, "952.380952"),
        (AccountCode.UNITS_OUTSTANDING, None, "-952.380952"),
    ],
    nav_per_unit="1.05",
)
CALL = _entry(
    2,
    EntryType.CAPITAL_CALL,
    [(AccountCode.CALL_RECEIVABLE, i, "100.00") for i in range(1, 10)]
    + [(AccountCode.CAPITAL, i, "-100.00") for i in range(1, 10)],
)
INCOME = _entry(
    3, EntryType.INCOME, [(AccountCode.CASH, None, "12.34"), (AccountCode.INCOME, None, "-12.34")]
)
REVERSAL = _entry(
    4,
    EntryType.REVERSAL,
    [(AccountCode.CASH, None, "-1000.00"), (AccountCode.CAPITAL, 2, "1000.00")],
    reverses=1,
)
NAMES = {i: f"Investor {chr(64 + i)} Ltd" for i in range(1, 10)} | {2: "Alder Foundation"}


# -- words -------------------------------------------------------------------------------


def test_every_transaction_type_reads_as_words() -> None:
    assert entry_type_label(EntryType.CAPITAL_CALL) == "Capital call"
    assert entry_type_label("management_fee") == "Management fee"
    assert entry_type_label(EntryType.REVERSAL, 123) == "Reversal of #123"
    for kind in EntryType:
        label = entry_type_label(kind)
        assert "_" not in label and label[0].isupper(), kind


# -- formats -----------------------------------------------------------------------------


def test_money_at_the_minor_unit_and_percentages_as_percentages() -> None:
    assert money(D("1234.5"), "JPY") == "¥1,234" and money(D("1234.567"), "USD") == "$1,234.57"
    assert money(D("-20"), "EUR") == "-€20.00"
    assert percent(0.09068774151201442) == "9.07%" and percent(D("-0.045")) == "-4.50%"
    assert percent(-0.00001) == "0.00%" and percent(None) == "—"


# -- the pool page's transactions --------------------------------------------------------


def _lines(e: EntryOut, *, prices: bool = False) -> JournalEntryLines:
    """An entry as the journal stream gives it: lines as plain tuples, and the workings'
    NAV per unit when the filter asks for prices."""
    price = e.details.get("nav_per_unit") if prices else None
    return JournalEntryLines(
        id=e.id,
        seq=e.seq,
        entry_type=e.entry_type.value,
        effective_date=e.effective_date,
        memo=e.memo,
        reverses_entry_id=e.reverses_entry_id,
        created_by=e.created_by,
        created_at=e.created_at,
        hash=e.hash,
        lines=tuple((p.account.value, p.investor_id, p.commodity, p.amount) for p in e.postings),
        nav_per_unit=None if price is None else str(price),
    )


def test_the_pool_pages_transactions_name_investors_and_say_types_in_words() -> None:
    row = entry_row(_lines(SUBSCRIPTION), "USD", NAMES)
    assert row["entry_type"] == "Subscription" and row["entry_type_code"] == "subscription"
    assert row["investors"] == "Alder Foundation" and row["investor_ids"] == "#2"
    assert row["cash_text"] == "$1,000.00" and row["effective_date"] == "2025-03-02"
    many = entry_row(_lines(CALL), "JPY", NAMES)
    assert many["entry_type"] == "Capital call"
    assert many["investors"].endswith(" and 3 more") and many["investors"].startswith("Investor A Ltd, Alder")
    assert many["investor_ids"] == "#1, #2, #3, #4, #5, #6 and 3 more"
    assert entry_row(_lines(REVERSAL), "USD", NAMES)["entry_type"] == "Reversal of #1"
    assert entry_row(_lines(SUBSCRIPTION), "USD", {})["investors"] == "investor #2"  # a name not readable


# -- the explorer's business view --------------------------------------------------------


class _Transactions:
    """The slice of the transaction service the datasets read (a stand-in, typed loosely)."""

    def __init__(self, entries: list[EntryOut]) -> None:
        self.entries = entries

    def journal_lines(self, actor: Actor, pool_id: int, where: JournalFilter) -> Iterator[JournalEntryLines]:
        return (_lines(e, prices=where.prices) for e in self.entries)

    def pool_positions(self, actor: Actor, pool_id: int) -> Any:
        position = SimpleNamespace(
            pool_id=pool_id,
            investor_id=2,
            currency="JPY",
            units=D("10"),
            value=D("1000"),
            contributed=D("1000"),
            distributed=D(0),
            fees=D(0),
            committed=D(0),
            unfunded_commitment=D(0),
        )
        return SimpleNamespace(positions=[position])


class _Pools:
    def get_pool(self, actor: Actor, pool_id: int) -> Any:
        return SimpleNamespace(id=pool_id, name="Harbour Growth Fund", base_currency="JPY")


class _Investors:
    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse

    def legal_names(self, actor: Actor, investor_ids: Collection[int]) -> dict[int, str]:
        if self.refuse:
            raise PermissionDenied("analysts do not see investor profiles")
        return {i: NAMES[i] for i in investor_ids}


def _rows(
    entries: list[EntryOut], *, refuse: bool = False, investor_id: int | None = None
) -> list[dict[str, Any]]:
    found = entry_rows(
        _Transactions(entries),  # type: ignore[arg-type]
        _Pools(),
        _Investors(refuse),
        ACTOR,
        9,
        investor_id=investor_id,
    )
    return [dict(zip([c.name for c in ENTRY_COLUMNS], r, strict=True)) for r in found]


def test_the_business_view_is_a_named_row_per_transaction() -> None:
    sub, call, income, reversal = _rows([SUBSCRIPTION, CALL, INCOME, REVERSAL])
    assert (sub["pool_id"], sub["pool_name"], sub["investor_id"], sub["investor_name"]) == (
        9,
        "Harbour Growth Fund",
        2,
        "Alder Foundation",
    )
    assert (sub["type"], sub["type_label"], sub["amount"], sub["units"], sub["nav_per_unit"]) == (
        "subscription",
        "Subscription",
        D("1000.00"),
        D("952.380952"),
        D("1.05"),
    )
    assert (call["investor_id"], call["investor_name"], call["amount"]) == (None, "9 investors", D("900.00"))
    assert (income["investor_name"], income["amount"], income["units"]) == ("", D("12.34"), None)
    assert (reversal["type_label"], reversal["amount"], reversal["reverses_entry_id"]) == (
        "Reversal of #1",
        D("-1000.00"),
        1,
    )
    (mine,) = _rows([CALL], investor_id=4)  # filtered by investor: that investor's part
    assert (mine["investor_id"], mine["investor_name"], mine["amount"]) == (4, "Investor D Ltd", D("100.00"))
    assert _rows([SUBSCRIPTION], refuse=True)[0]["investor_name"] == ""  # an analyst: ids, no names


def test_positions_export_names_the_pool_and_investors_after_the_old_columns() -> None:
    (row,) = list(position_rows(_Transactions([]), _Pools(), _Investors(), ACTOR, 9))  # type: ignore[arg-type]
    assert row[:2] == (9, 2) and row[10:12] == ("Harbour Growth Fund", "Alder Foundation")
    assert row[12:] == (None, None, None, None)  # no reporting currency asked: blank, not zero


def test_the_explorer_opens_on_the_business_view_with_postings_one_choice_away() -> None:
    assert DEFAULT_DATASET == "entries" and next(iter(DATASETS)) == "entries"
    assert DATASETS["entries"] == "Transactions" and "Postings" in DATASETS["transactions"]
    shown = [c["field"] for c in column_defs("entries") if not c.get("hide")]
    assert shown == [
        "entry_id",
        "effective_date",
        "pool_id",
        "pool_name",
        "type_label",
        "investor_id",
        "investor_name",
        "amount",
        "units",
        "nav_per_unit",
        "memo",
        "reverses_entry_id",
    ]
    amount = next(c for c in column_defs("entries") if c["field"] == "amount")
    assert amount["cellRendererParams"] == {"textField": "amount_text"}
    assert filters("entries", 9, {"type": "capital_call", "investor_id": "4"}) == {
        "pool_id": "9",
        "type": "capital_call",
        "investor_id": "4",
    }


def test_the_grid_writes_yen_without_decimals_and_returns_as_percentages() -> None:
    entries = entry_rows(_Transactions([SUBSCRIPTION]), _Pools(), _Investors(), ACTOR, 9)  # type: ignore[arg-type]
    row = grid_row(ENTRY_COLUMNS, next(entries), "USD")
    assert row["amount"] == 1000.0 and row["amount_text"] == "¥1,000"  # the row's currency: JPY
    assert row["units_text"] == "952.380952" and row["nav_per_unit_text"] == "1.050000"
    assert row["effective_date"] == "2025-03-02"
    perf = (
        9,
        date(2025, 6, 30),
        "YTD",
        date(2025, 1, 1),
        date(2025, 6, 30),
        180,
        0.09068774151201442,
        None,
        "",
    )
    cells = grid_row(PERFORMANCE_COLUMNS, perf, "EUR")
    assert cells["cumulative_return_text"] == "9.07%" and cells["annualised_return_text"] == "—"
    nav = (date(2025, 6, 30), D("1210000.123456"), D("1210000"), D("1"), D("1.21"), 1.21, D(0), D(0), D(0))
    assert (
        grid_row(NAV_HISTORY_COLUMNS, (*nav, None, None, None), "EUR")["net_asset_value_text"]
        == "€1,210,000.12"
    )
    # A share class's row: its price in its own currency, the pool's figures empty.
    class_row = grid_row(NAV_HISTORY_COLUMNS, (date(2025, 6, 30), *(None,) * 8, "I", "GBP", D("97.2")), "EUR")
    assert (class_row["share_class"], class_row["class_nav_per_unit"], class_row["net_asset_value_text"]) == (
        "I",
        97.2,
        "—",
    )
    posting = (
        1,
        1,
        "subscription",
        date(2025, 3, 2),
        "units",
        2,
        "UNITS",
        D("952.380952"),
        "",
        None,
        "m",
        None,
        "",
    )
    assert grid_row(TRANSACTION_COLUMNS, posting, "JPY")["amount_text"] == "952.380952"  # units, not yen
    cash = (1, 1, "subscription", date(2025, 3, 2), "cash", None, "JPY", D("1000"), "", None, "m", None, "")
    assert grid_row(TRANSACTION_COLUMNS, cash, "JPY")["amount_text"] == "¥1,000"


# -- statements --------------------------------------------------------------------------


def test_a_period_still_running_ends_today_and_says_so() -> None:
    today = date(2026, 12, 4)
    assert to_date("2026", date(2026, 1, 1), date(2026, 12, 31), today) == ("2026 (to date)", today)
    assert to_date("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), today) == ("2026-Q4 (to date)", today)
    assert to_date("2025", date(2025, 1, 1), date(2025, 12, 31), today) == ("2025", date(2025, 12, 31))
    assert to_date("2026-12", date(2026, 12, 1), date(2026, 12, 31), date(2026, 12, 31)) == (
        "2026-12",
        date(2026, 12, 31),
    )


def test_the_statement_menu_keeps_last_quarter_for_a_pool_started_in_its_last_month() -> None:
    menu = dict(statement_periods(date(2026, 12, 4), date(2026, 9, 15)))
    assert menu["2026-Q3"] == "period=2026-Q3"  # Q3 ends 2026-09-30, after the launch
    assert menu["2026 (to date)"] == "period=2026" and "2025" not in menu
    assert menu["Since inception"] == "start=2026-09-15&end=2026-12-04"


def _statement(**changes: Any) -> CapitalAccountStatement:
    zero = D("0")
    fields: dict[str, Any] = {
        "investor_id": 2,
        "pool_id": 1,
        "pool_kind": "open_ended",
        "currency": "JPY",
        "period": "2026",
        "period_label": "2026 (to date)",
        "start": date(2026, 1, 1),
        "end": date(2026, 12, 4),
        "investor_name": "Alder Foundation",
        "pool_name": "Harbour Growth Fund",
        "beginning_balance": D("1000"),
        "ending_balance": D("1000"),
        "beginning_capital_account": D("1000"),
        "ending_capital_account": D("1000"),
        "accrued_carried_interest_start": zero,
        "accrued_carried_interest_end": zero,
        "cash_contributed": zero,
        "cash_received": zero,
        "units_start": D("10"),
        "units_end": D("10"),
        "nav_per_unit_start": D("100"),
        "nav_per_unit_end": D("100"),
        "committed": zero,
        "contributed_to_date": D("1000"),
        "unfunded_commitment": zero,
        "call_receivable_end": zero,
    }
    fields |= {name: zero for name in CapitalAccountStatement.model_fields if name not in fields}
    fields.update(changes)
    return CapitalAccountStatement.model_validate(fields)


def test_the_statement_workbook_names_the_investor_and_the_pool() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(statement_xlsx(_statement()))).active
    assert sheet is not None
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0] is not None}
    assert cells["Investor"] == "Alder Foundation (#2)" and cells["Pool"] == "Harbour Growth Fund (#1)"
    assert cells["Period"] == "2026 (to date)" and cells["To"] == datetime(2026, 12, 4)
    ending = next(r for r in sheet.iter_rows() if r[0].value == "Ending balance")[1]
    assert ending.number_format == "#,##0"  # the yen: no minor unit
    unnamed = openpyxl.load_workbook(io.BytesIO(statement_xlsx(_statement(investor_name="", pool_name=""))))
    assert unnamed.active is not None
    assert [r[1].value for r in unnamed.active.iter_rows(min_row=2, max_row=3)] == ["Investor #2", "Pool #1"]


@pytest.mark.parametrize("kind", list(EntryType))
def test_the_analyst_type_filter_offers_words_for_every_type(kind: EntryType) -> None:
    assert filters("entries", 1, {"type": kind.value})["type"] == kind.value
