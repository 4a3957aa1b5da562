"""Each share class's history (reports.class_history) and figures (reports.class_performance),
from hand-made books: R launched at 100, P at 1,000 (ten times dearer), no fees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from backend.finance.money import get_currency
from ledger.interface import AccountCode as A
from ledger.interface import EntryType as T
from reports.class_history import ClassTerms
from reports.class_performance import class_performance, held_class
from reports.history import BookEntry, PoolHistory, pool_history
from reports.performance import pool_twr
from tests.unit.reports.test_history import entry, revalue, subscribe

D = Decimal
CLASSES = [ClassTerms("R", "Retail", "USD", D("100")), ClassTerms("P", "Professional", "USD", D("1000"))]


def _in(on: str, investor: int, amount: str, units: str, share_class: str) -> BookEntry:
    sub = subscribe(on, investor, amount, units)
    return BookEntry(
        sub.id, sub.seq, sub.on, sub.entry_type, sub.lines, {**sub.details, "share_class": share_class}
    )


def _history(entries: list[BookEntry], as_of: str) -> PoolHistory:
    return pool_history(
        pool_id=1,
        open_ended=True,
        currency=get_currency("USD"),
        inception=date(2025, 1, 1),
        initial_nav_per_unit=D("1.000000"),
        entries=entries,
        as_of=date.fromisoformat(as_of),
        share_classes=CLASSES,
    )


def _books() -> list[BookEntry]:
    """X 1,000.00 into R (10 units), Y 1,000.00 into P (1 unit); +10% on 31 March; Z 2,200.00
    into P at 1,100 (2 units); a distribution of 440.00 by value on 30 June (X 110.00, Y 110.00,
    Z 220.00): R 99.000000, P 990.000000."""
    allocation: dict[str, Any] = {"1": "110.00", "2": "110.00", "3": "220.00"}
    paid = [(A.CAPITAL, int(i), v) for i, v in allocation.items()] + [(A.CASH, None, "-440.00")]
    return [
        _in("2025-01-02", 1, "1000.00", "10", "R"),
        _in("2025-01-02", 2, "1000.00", "1", "P"),
        revalue("2025-03-31", {1: "100.00", 2: "100.00"}),
        _in("2025-03-31", 3, "2200.00", "2", "P"),
        entry(T.DISTRIBUTION, "2025-06-30", paid, {"mode": "pro_rata", "allocation": allocation}),
    ]


def test_a_subscription_into_the_dear_class_moves_neither_the_pool_nor_a_class() -> None:
    h = _history(_books()[:4], "2025-03-31")
    start, end = h.track_start, date(2025, 3, 31)
    assert h.nav_per_unit_on(end) is None
    assert pool_twr(h, start, end) == pytest.approx(0.1, abs=1e-15)
    by_class = {c.class_id: c for c in class_performance(h, CLASSES, start, end)}
    assert (by_class["P"].units, by_class["P"].net_asset_value, by_class["P"].nav_per_unit) == (
        D("3"),
        D("3300.00"),
        D("1100.000000"),
    )
    assert by_class["R"].twr == pytest.approx(0.1, abs=1e-15) == by_class["P"].twr


def test_a_class_distribution_is_reinvested_in_its_return_and_counted_as_received() -> None:
    h = _history(_books(), "2025-06-30")
    start, end = h.track_start, date(2025, 6, 30)
    r, p = class_performance(h, CLASSES, start, end)
    assert (r.nav_per_unit, p.nav_per_unit) == (D("99.000000"), D("990.000000"))
    # No valuation in (31 March, 30 June]: nothing measured after it, the distribution is no loss.
    assert r.twr == pytest.approx(0.1, abs=1e-15) and p.twr == pytest.approx(0.1, abs=1e-15)
    assert pool_twr(h, start, end) == pytest.approx(0.1, abs=1e-15)
    assert r.money_weighted is not None and p.money_weighted is not None
    assert (r.money_weighted.paid_in, r.money_weighted.received, r.money_weighted.value) == (
        D("1000.00"),
        D("110.00"),
        D("990.00"),
    )
    assert r.money_weighted.tvpi == pytest.approx(1.1) and r.money_weighted.dpi == pytest.approx(0.11)
    assert (p.money_weighted.paid_in, p.money_weighted.received) == (D("3200.00"), D("330.00"))


def test_an_investor_is_given_its_own_class_price_only() -> None:
    h = _history(_books(), "2025-06-30")
    mine = held_class(h, 3, date(2025, 6, 30))
    assert mine is not None and mine.class_id == "P"
    # Z's own subscription moved no price; the valuation and the distribution did.
    assert [(p.date, p.nav_per_unit) for p in mine.prices] == [
        (date(2025, 3, 31), D("1100.000000")),
        (date(2025, 6, 30), D("990.000000")),
    ]
    assert held_class(h, 99, date(2025, 6, 30)) is None
    plain = pool_history(
        pool_id=1,
        open_ended=True,
        currency=get_currency("USD"),
        inception=date(2025, 1, 1),
        initial_nav_per_unit=D("1.000000"),
        entries=_books(),
        as_of=date(2025, 6, 30),
    )
    assert held_class(plain, 3, date(2025, 6, 30)) is None
