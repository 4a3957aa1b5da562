"""The investor, analyst and notification logic without a browser or a database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

from backend.investors.interface import SideLetterOut
from ledger.interface import AccountCode, EntryOut, EntryType, LedgerEvent, PostingOut
from notifications.consumer import investor_shares
from portal.analyst.data import column_defs, export_url, filters
from portal.investor.data import (
    open_calls,
    own_delta,
    own_terms_row,
    statement_periods,
    statement_url,
    value_series,
)

D = Decimal


def _entry(
    seq: int, kind: EntryType, on: str, lines: list[tuple[AccountCode, int | None, str]], **details: object
) -> EntryOut:
    return EntryOut(
        id=seq,
        pool_id=1,
        seq=seq,
        entry_type=kind,
        effective_date=date.fromisoformat(on),
        memo="",
        created_by="m",
        created_by_user_id=1,
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
        reverses_entry_id=None,
        prev_hash="",
        hash="",
        postings=[
            PostingOut(account_id=i, account=a, investor_id=inv, commodity="EUR", amount=D(amount))
            for i, (a, inv, amount) in enumerate(lines)
        ],
        details=dict(details),
    )


CALL = _entry(
    1,
    EntryType.CAPITAL_CALL,
    "2025-01-15",
    [
        (AccountCode.CALL_RECEIVABLE, 7, "20000"),
        (AccountCode.CAPITAL, 7, "-20000"),
        (AccountCode.CALL_RECEIVABLE, 8, "10000"),
        (AccountCode.CAPITAL, 8, "-10000"),
    ],
    allocation={"7": "20000.00", "8": "10000.00"},
    due_date="2025-01-20",
)
PAID = _entry(
    2,
    EntryType.CONTRIBUTION,
    "2025-01-20",
    [(AccountCode.CASH, None, "15000"), (AccountCode.CALL_RECEIVABLE, 7, "-15000")],
)
VALUED = _entry(
    3,
    EntryType.VALUATION,
    "2025-06-30",
    [
        (AccountCode.INVESTMENTS, None, "3000"),
        (AccountCode.CAPITAL, 7, "-2000"),
        (AccountCode.CAPITAL, 8, "-1000"),
    ],
)


def test_only_the_investors_own_postings_count() -> None:
    assert own_delta(CALL, 7, AccountCode.CAPITAL) == D(20000)
    assert own_delta(VALUED, 8, AccountCode.CAPITAL) == D(1000)
    assert own_delta(PAID, 8, AccountCode.CALL_RECEIVABLE) == 0
    # Value is the capital account less unpaid calls: a call alone is worth nothing yet,
    # the 15,000 paid is, and so is the 2,000 gain on top.
    assert value_series([CALL, PAID, VALUED], 7) == [
        (date(2025, 1, 20), D(15000)),
        (date(2025, 6, 30), D(17000)),
    ]


def test_open_calls_are_what_is_still_owed() -> None:
    owed = sum((own_delta(e, 7, AccountCode.CALL_RECEIVABLE) for e in (CALL, PAID)), D(0))
    calls = open_calls([CALL, PAID], 7, owed)
    assert [(c["share"], c["open"], c["due"]) for c in calls] == [(D(20000), D(5000), "2025-01-20")]
    assert open_calls([CALL, PAID], 7, D(0)) == []


def test_statement_periods_and_links() -> None:
    periods = dict(statement_periods(date(2026, 2, 10), date(2025, 6, 1)))
    assert periods["2026-Q1 (to date)"] == "period=2026-Q1" and periods["2025-Q4"] == "period=2025-Q4"
    assert (
        periods["2025"] == "period=2025" and periods["Since inception"] == "start=2025-06-01&end=2026-02-10"
    )
    assert "2025" not in dict(statement_periods(date(2026, 2, 10), date(2026, 1, 5)))
    assert (
        statement_url(3, 9, "period=2025")
        == "/api/v1/investors/3/statements?pool_id=9&period=2025&format=xlsx"
    )


def test_analyst_filters_become_the_export_query() -> None:
    raw = {"type": "contribution", "investor_id": "4", "date_from": "2025-01-01", "date_to": "nonsense"}
    query = filters("transactions", 5, raw)
    assert query == {"pool_id": "5", "type": "contribution", "investor_id": "4", "date_from": "2025-01-01"}
    url = export_url("transactions", "xlsx", query)
    assert urlparse(url).path == "/api/v1/exports/transactions.xlsx"
    assert parse_qs(urlparse(url).query)["type"] == ["contribution"]
    assert filters("transactions", 5, {"type": "drop table", "investor_id": "-1"}) == {"pool_id": "5"}
    assert filters("nav-history", 5, {"date_from": "2025-01-01"}) == {
        "pool_id": "5",
        "start": "2025-01-01",
        "frequency": "monthly",
    }
    assert filters("performance", 5, {"date_to": "2025-12-31"}) == {"pool_id": "5", "as_of": "2025-12-31"}
    assert [c["field"] for c in column_defs("positions")][:2] == ["pool_id", "investor_id"]


def test_the_notified_investors_are_those_the_entry_touched() -> None:
    def event(kind: str, payload: dict[str, object]) -> LedgerEvent:
        return LedgerEvent("e", kind, 1, 1, datetime(2025, 1, 1, tzinfo=UTC), payload)

    assert investor_shares(event("capital_call.issued", {"allocation": {"7": "20.00"}})) == {7: "20.00"}
    waterfall: dict[str, object] = {
        "mode": "waterfall",
        "investors": {"8": {"total": "5.00"}},
        "allocation": {},
    }
    assert investor_shares(event("distribution.made", waterfall)) == {8: "5.00"}
    assert investor_shares(event("valuation.recorded", {})) == {}


def test_the_statements_job_takes_only_the_periods_it_offers() -> None:
    from backend.platform.errors import ValidationFailed
    from portal.investor.jobs import period_arguments

    for _label, query in statement_periods(date(2026, 2, 10), date(2025, 6, 1)):
        assert set(period_arguments(query)) in ({"period"}, {"start", "end"})
    assert period_arguments("start=2025-06-01&end=2026-02-10") == {
        "start": date(2025, 6, 1),
        "end": date(2026, 2, 10),
    }
    for bad in ("", "period=2025&start=2025-01-01", "start=2025-13-01&end=2026-01-01", "investor_id=3"):
        try:
            period_arguments(bad)
        except ValidationFailed:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_statement_sheets_get_valid_unique_names() -> None:
    from reports.statements import sheet_names

    names = sheet_names(["Harbour [I]: Growth/Income", "Harbour I Growth Income", "x" * 40, "x" * 40, "''"])
    assert names[0] == "Harbour I GrowthIncome" and names[1] == "Harbour I Growth Income"
    assert names[2] == "x" * 31 and names[3] == "x" * 27 + " (2)" and names[4] == "Sheet"
    assert all(len(n) <= 31 for n in names) and len({n.lower() for n in names}) == len(names)


def test_an_investor_reads_their_side_letter_as_what_it_changes() -> None:
    def letter(**terms: object) -> SideLetterOut:
        fields = {"pool_id": 1, "investor_id": 2, "updated_at": datetime(2025, 3, 1, tzinfo=UTC)}
        return SideLetterOut.model_validate({"reference": "Letter of 1 March", **fields, **terms})

    assert own_terms_row("Buyout I", letter(management_fee_rate="0.015")) == {
        "pool": "Buyout I",
        "reference": "Letter of 1 March",
        "fee": "1.50%",
        "waived": "none",
        "carry": "pool's terms",
    }
    assert (
        own_terms_row("Buyout I", letter(management_fee_waiver="0.5", carried_interest_rate="0.1"))["waived"]
        == "50.00%"
    )
    gp = own_terms_row("Buyout I", letter(gp_commitment=True))
    assert gp["fee"] == gp["carry"] == "none (GP commitment)"
    holiday = own_terms_row("Buyout I", letter(management_fee_holiday_until="2025-06-30"))
    assert holiday["waived"] == "none; no fee to 2025-06-30"
