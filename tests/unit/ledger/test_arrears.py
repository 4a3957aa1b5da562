"""Arrears on capital calls: contributions settle the oldest call first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.arrears import overdue

D = Decimal
CALLS = [(date(2025, 3, 31), D("100.00")), (date(2025, 1, 31), D("50.00"))]


def test_payments_settle_the_earliest_due_call_first() -> None:
    # 60 paid: the January call (50) is settled, 10 of March's; 90 of March is late in April
    assert overdue(CALLS, D("60.00"), date(2025, 4, 1)) == D("90.00")
    # before March falls due nothing is late, although 90 is unpaid
    assert overdue(CALLS, D("60.00"), date(2025, 3, 31)) == 0


def test_nothing_paid_everything_due_is_late_and_a_call_paid_in_full_is_not() -> None:
    assert overdue(CALLS, D(0), date(2025, 2, 1)) == D("50.00")
    assert overdue(CALLS, D("150.00"), date(2026, 1, 1)) == 0
