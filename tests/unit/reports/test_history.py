"""History replay (reports.history) and the pure performance/statement functions over it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from backend.finance import metrics
from backend.finance.money import get_currency
from ledger.interface import AccountCode as A
from ledger.interface import EntryType as T
from reports.history import BookEntry, PoolHistory, investor_history, pool_history, standing
from reports.interface import Frequency
from reports.performance import nav_history, period_returns, pool_twr
from reports.statements import MOVEMENTS, capital_account_statement, parse_period

D = Decimal
USD = get_currency("USD")
_seq = iter(range(1, 10_000))


def entry(
    kind: T,
    on: str,
    lines: Sequence[tuple[A, int | None, str]],
    details: dict[str, Any] | None = None,
    **kw: Any,
) -> BookEntry:
    seq = next(_seq)
    return BookEntry(
        id=kw.pop("id", seq),
        seq=seq,
        on=date.fromisoformat(on),
        entry_type=kind,
        lines=tuple((code, inv, D(amount)) for code, inv, amount in lines),
        details=details or {},
        **kw,
    )


def subscribe(on: str, investor: int, amount: str, units: str, **kw: Any) -> BookEntry:
    return entry(
        T.SUBSCRIPTION,
        on,
        [
            (A.CASH, None, amount),
            (A.CAPITAL, investor, f"-{amount}"),
            (A.UNITS, investor, units),
            (A.UNITS_OUTSTANDING, None, f"-{units}"),
        ],
        {"investor_id": investor, "amount": amount, "units": units},
        **kw,
    )


def revalue(on: str, shares: dict[int, str], **kw: Any) -> BookEntry:
    total = sum((D(v) for v in shares.values()), D(0))
    lines = [(A.INVESTMENTS, None, str(total))] + [(A.CAPITAL, i, str(-D(v))) for i, v in shares.items()]
    return entry(T.VALUATION, on, lines, {"change": str(total)}, **kw)


def history(entries: list[BookEntry], as_of: str, open_ended: bool = True) -> PoolHistory:
    return pool_history(
        pool_id=1,
        open_ended=open_ended,
        currency=USD,
        inception=date(2025, 1, 1),
        initial_nav_per_unit=D("1.000000"),
        entries=entries,
        as_of=date.fromisoformat(as_of),
    )


def test_a_reversal_drops_out_with_its_entry_only_once_both_are_dated() -> None:
    original = revalue("2025-01-31", {1: "10.00"})
    reversal = entry(
        T.REVERSAL,
        "2025-02-10",
        [(code, inv, str(-amount)) for code, inv, amount in original.lines],
        reverses_entry_id=original.id,
    )
    assert [e.id for e in standing([original, reversal], date(2025, 2, 1))] == [original.id]
    assert standing([original, reversal], date(2025, 2, 10)) == []


def test_back_dated_entries_take_their_own_date() -> None:
    late = revalue("2025-01-15", {1: "5.00"})
    first = subscribe("2025-01-02", 1, "100.00", "100")
    ordered = standing([late, first], date(2025, 12, 31))
    assert [e.on for e in ordered] == [date(2025, 1, 2), date(2025, 1, 15)]


def test_open_ended_index_is_the_unit_price_and_a_deal_at_nav_leaves_it() -> None:
    entries = [
        subscribe("2025-01-02", 1, "1000.00", "1000"),
        revalue("2025-01-31", {1: "100.00"}),  # 1.10
        subscribe("2025-02-05", 2, "550.00", "500"),  # at 1.10
        revalue("2025-02-28", {1: "-50.00", 2: "-25.00"}),  # 1575 / 1500 = 1.05
    ]
    h = history(entries, "2025-12-31")
    assert [p.nav_per_unit for p in h.points] == [D("1.000000"), D("1.100000"), D("1.100000"), D("1.050000")]
    assert h.index_on(date(2025, 2, 4)) == h.index_on(date(2025, 2, 5)) == pytest.approx(1.1)
    assert [p.flow for p in h.points] == [D("1000.00"), 0, D("550.00"), 0]
    assert pool_twr(h, h.track_start, date(2025, 2, 28)) == pytest.approx(0.05)
    # As of a date in the past: only what was dated by then.
    assert history(entries, "2025-01-31").points[-1].nav == D("1100.00")
    b = investor_history(entries, investor_id=2, pool_id=1, as_of=date(2025, 12, 31))
    assert [p.value for p in b.points] == [D("550.00"), D("525.00")]
    assert b.cash_flows() == [(date(2025, 2, 5), D("-550.00"))]


def test_closed_ended_linked_index_equals_metrics_twr() -> None:
    call = entry(T.CAPITAL_CALL, "2025-01-10", [(A.CALL_RECEIVABLE, 1, "100.00"), (A.CAPITAL, 1, "-100.00")])
    pay = entry(
        T.CONTRIBUTION,
        "2025-01-15",
        [(A.CASH, None, "100.00"), (A.CALL_RECEIVABLE, 1, "-100.00")],
        {"investor_id": 1, "amount": "100.00"},
    )
    up = revalue("2025-06-30", {1: "20.00"})
    out = entry(
        T.DISTRIBUTION,
        "2025-07-01",
        [(A.CAPITAL, 1, "60.00"), (A.CASH, None, "-60.00")],
        {"mode": "pro_rata", "amount": "60.00", "allocation": {"1": "60.00"}},
    )
    down = revalue("2025-12-31", {1: "-6.00"})
    h = history([call, pay, up, out, down], "2025-12-31", open_ended=False)
    assert [p.value for p in h.points] == [D(0), D(100), D(120), D(60), D(54)]
    assert h.points[0].nav == D(100)  # the call is capital, not yet value
    expected = metrics.twr(0, [(date(2025, 1, 15), 0, 100), (date(2025, 7, 1), 120, -60)], 54)
    assert h.points[-1].index - 1 == pytest.approx(expected) == pytest.approx(1.2 * 0.9 - 1)
    assert pool_twr(h, h.track_start, date(2025, 12, 31)) == pytest.approx(expected)


def test_period_returns_follow_gips_and_the_track_record() -> None:
    h = history(
        [subscribe("2025-01-02", 1, "100.00", "100"), revalue("2025-12-31", {1: "10.00"})], "2025-12-31"
    )
    periods = {p.name: p for p in period_returns(h, date(2025, 12, 31))}
    assert periods["1Y"].cumulative == pytest.approx(0.1) and periods["1Y"].annualised == pytest.approx(0.1)
    assert periods["SI"].days == 365
    assert periods["3Y"].cumulative is None
    assert periods["MTD"].cumulative == pytest.approx(0.1) and periods["MTD"].annualised is None
    early = {p.name: p for p in period_returns(h, date(2025, 1, 20))}
    assert early["YTD"].partial is False and early["QTD"].partial is False
    assert early["1Y"].cumulative is None


def test_nav_history_daily_carries_values_and_sums_flows() -> None:
    h = history(
        [subscribe("2025-01-02", 1, "100.00", "100"), subscribe("2025-01-02", 2, "50.00", "50")], "2025-01-03"
    )
    out = nav_history(h, start=date(2025, 1, 1), end=date(2025, 1, 3), frequency=Frequency.DAILY)
    assert [p.net_asset_value for p in out.points] == [0, D("150.00"), D("150.00")]
    assert [p.inflow for p in out.points] == [0, D("150.00"), 0]


def test_statement_ties_out_and_parses_periods() -> None:
    entries = [
        subscribe("2025-01-02", 1, "100.00", "100"),
        revalue("2025-03-31", {1: "10.00"}),
        revalue("2025-11-30", {1: "-4.00"}),
    ]
    s = capital_account_statement(
        entries,
        investor_id=1,
        pool_id=1,
        open_ended=True,
        currency=USD,
        inception=date(2025, 1, 1),
        initial_nav_per_unit=D(1),
        period="2025-Q4",
        start=date(2025, 10, 1),
        end=date(2025, 12, 31),
        committed=D(0),
    )
    assert (s.beginning_balance, s.unrealised_gains, s.ending_balance) == (
        D("110.00"),
        D("-4.00"),
        D("106.00"),
    )
    assert s.beginning_balance + sum((getattr(s, m) for m in MOVEMENTS), D(0)) == s.ending_balance
    assert (s.nav_per_unit_start, s.nav_per_unit_end) == (D("1.100000"), D("1.060000"))
    assert parse_period("2024-Q1", None, None) == ("2024-Q1", date(2024, 1, 1), date(2024, 3, 31))
    assert parse_period("2024-02", None, None)[2] == date(2024, 2, 29)
