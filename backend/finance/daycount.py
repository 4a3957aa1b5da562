"""Day-count conventions: how many years a span of calendar days counts for.

A period is half-open, ``[start, end)``: the start day accrues, the end day does not, so
consecutive periods never count a day twice. The year fraction is returned as an exact
``Fraction`` (days / 365 is not a finite decimal) so callers round only once, at the end.
"""

from __future__ import annotations

import calendar
import enum
from datetime import date, datetime
from fractions import Fraction

from backend.finance.errors import InvalidValueError

__all__ = ["DayCount", "check_date", "days_between", "whole_years_between", "year_fraction"]


class DayCount(enum.StrEnum):
    """Supported day-count conventions (ISDA 2006 names, plus whole years).

    ACT/365F is the default for a pool's terms: limited partnership agreements mostly
    accrue the preferred return and the management fee "on the basis of a 365-day year
    and the actual number of days elapsed".
    """

    ACT_365F = "ACT/365F"
    """Actual days / 365, every year (also "Actual/365 Fixed"); a leap year counts 366/365."""
    ACT_360 = "ACT/360"
    """Actual days / 360 (money-market convention); a full year counts 365/360 or 366/360."""
    ACT_ACT = "ACT/ACT"
    """ISDA Actual/Actual: days falling in a leap year / 366 plus days in other years / 365,
    so every calendar year counts exactly 1."""
    THIRTY_360 = "30/360"
    """ISDA 30/360 (bond basis): every month counts 30 days; a 31st start day counts as
    the 30th, and a 31st end day too when the start day is the 30th or 31st."""
    WHOLE_YEARS = "Whole years"
    """Each whole year from the start (anniversary to anniversary) counts exactly 1 and the
    days after the last anniversary count actual / 365. An anniversary of 29 February falls
    on 28 February in other years."""


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
    """Exact year fraction of ``[start, end)`` under ``day_count``."""
    days = days_between(start, end)
    convention = DayCount(day_count)
    if convention is DayCount.ACT_365F:
        return Fraction(days, 365)
    if convention is DayCount.ACT_360:
        return Fraction(days, 360)
    if convention is DayCount.ACT_ACT:
        return _actual_actual(start, end)
    if convention is DayCount.THIRTY_360:
        return Fraction(_thirty_360_days(start, end), 360)
    years = whole_years_between(start, end)
    return years + Fraction((end - _anniversary(start, years)).days, 365)


def whole_years_between(start: date, end: date) -> int:
    """Anniversaries of ``start`` on or before ``end``."""
    years = end.year - start.year
    while years > 0 and _anniversary(start, years) > end:
        years -= 1
    return years


def _anniversary(start: date, years: int) -> date:
    year = start.year + years
    if start.month == 2 and start.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return start.replace(year=year)


def _actual_actual(start: date, end: date) -> Fraction:
    total = Fraction(0)
    cursor = start
    while cursor < end:
        year_end = date(cursor.year + 1, 1, 1)
        stop = min(end, year_end)
        total += Fraction((stop - cursor).days, 366 if calendar.isleap(cursor.year) else 365)
        cursor = stop
    return total


def _thirty_360_days(start: date, end: date) -> int:
    d1 = min(start.day, 30)
    d2 = end.day if not (end.day == 31 and d1 == 30) else 30
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)
