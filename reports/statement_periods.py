"""The periods a capital account statement covers: a quarter ("2025-Q4"), a year ("2025"), a
month ("2025-11") or explicit start and end dates, and a named period still running ("2026 (to
date)").

Apart from reports.statements, which works out a statement for a period already resolved to
its first and last days, because what a period's name means is read on its own: by the report
service and its interface, before any statement is computed.
"""

from __future__ import annotations

import re
from datetime import date

from backend.platform.errors import ValidationFailed
from reports.performance import month_end

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_period(period: str | None, start: date | None, end: date | None) -> tuple[str, date, date]:
    """(label, first day, last day) of a period given as text or as start/end dates."""
    if period is not None:
        if start is not None or end is not None:
            raise ValidationFailed("period: give a period or start and end, not both", field="period")
        text = period.strip().upper()
        if m := _QUARTER.match(text):
            year, quarter = int(m.group(1)), int(m.group(2))
            first = date(year, 3 * quarter - 2, 1)
            return text, first, month_end(date(year, 3 * quarter, 1))
        if m := _YEAR.match(text):
            year = int(m.group(1))
            return text, date(year, 1, 1), date(year, 12, 31)
        if m := _MONTH.match(text):
            first = date(int(m.group(1)), int(m.group(2)), 1)
            return text, first, month_end(first)
        raise ValidationFailed(
            f"period: expected a quarter (2025-Q4), a year (2025) or a month (2025-11), got {period!r}",
            field="period",
        )
    if start is None or end is None:
        raise ValidationFailed("period: give a period (2025-Q4) or both start and end", field="period")
    if end < start:
        raise ValidationFailed(f"end: {end} is before start {start}", field="end")
    return f"{start.isoformat()}..{end.isoformat()}", start, end


TO_DATE = " (to date)"


def to_date(label: str, first: date, last: date, today: date) -> tuple[str, date]:
    """(label, last day) of a named period as of ``today``: one still running ("2026" on
    2026-12-04) ends today and says so ("2026 (to date)"), since the books cannot state a
    balance for days that have not happened; a period already over, or not begun, is as named."""
    if first <= today < last:
        return label + TO_DATE, today
    return label, last
