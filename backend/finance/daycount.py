"""Day-count conventions: how many years a span of calendar days counts for.

A period is half-open, ``[start, end)``: the start day accrues, the end day does not, so
consecutive periods never count a day twice. The year fraction is returned as an exact
``Fraction`` (days / 365 is not a finite decimal) so callers round only once, at the end.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from fractions import Fraction

from backend.finance.errors import InvalidValueError

__all__ = ["DayCount", "check_date", "days_between", "year_fraction"]


class DayCount(enum.StrEnum):
    """Supported day-count conventions (ISDA names)."""

    ACT_365F = "ACT/365F"
    """Actual days / 365, every year (also "Actual/365 Fixed"); a leap year counts 366/365."""
    ACT_360 = "ACT/360"
    """Actual days / 360 (money-market convention); a full year counts 365/360 or 366/360."""

    @property
    def days_per_year(self) -> int:
        """The fixed denominator of the convention."""
        return 365 if self is DayCount.ACT_365F else 360


def check_date(value: object, field: str) -> date:
    """Return ``value`` if it is a calendar date (a ``datetime`` is refused: no time of day)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidValueError(field, f"must be a datetime.date, got {type(value).__name__}")
    return value


def days_between(start: date, end: date) -> int:
    """Actual calendar days in ``[start, end)``; ``end`` must not be before ``start``."""
    check_date(start, "start")
    check_date(end, "end")
    if end < start:
        raise InvalidValueError("end", f"must not be before start {start}, got {end}")
    return (end - start).days


def year_fraction(start: date, end: date, day_count: DayCount) -> Fraction:
    """Exact year fraction of ``[start, end)``: actual days / the convention's denominator."""
    return Fraction(days_between(start, end), DayCount(day_count).days_per_year)
