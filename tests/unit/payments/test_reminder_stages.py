"""Which reminder a day owes: the stages are ranges, so a day the task did not run is caught up
by the next, and each stage has its own event id (sent once)."""

from __future__ import annotations

from datetime import date, timedelta

from backend.payments.reminders import OVERDUE_WEEKS, reminder_stage

DUE = date(2025, 1, 20)


def _on(days_from_due: int) -> str | None:
    return reminder_stage(DUE, DUE + timedelta(days=days_from_due))


def test_stages_before_on_and_after_the_due_date() -> None:
    assert _on(-8) is None
    assert [_on(d) for d in (-7, -4, -3, -2, -1)] == [
        "due-in-7",
        "due-in-7",
        "due-in-3",
        "due-in-3",
        "due-in-1",
    ]
    assert _on(0) == "due-today"
    assert [_on(d) for d in (1, 7, 8, 14, 15)] == [
        "overdue-week-1",
        "overdue-week-1",
        "overdue-week-2",
        "overdue-week-2",
        "overdue-week-3",
    ]
    assert _on(OVERDUE_WEEKS * 7) == f"overdue-week-{OVERDUE_WEEKS}"
    assert _on(OVERDUE_WEEKS * 7 + 1) is None  # after that the manager chases it by hand
