"""Period returns (MTD, QTD, YTD, 1Y, 3Y, 5Y, SI) of any time-weighted index: the pool's and
each share class's are read the same way (pure functions, no I/O).

MTD, QTD and YTD of a track record that starts within the period are measured from its
start (``partial``); 1Y, 3Y and 5Y it does not cover are null. A period with no valuation in
it measured fees and income at most: null, ``no_valuation``, never 0%. Annualised only for
365 days or more (GIPS).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from backend.finance import metrics
from reports.schemas import PeriodReturn

Ratio = Callable[[date, date], float | None]
"""The index's growth over (base, end], less 1; None where nothing was at risk at base."""


def _previous_month_end(on: date) -> date:
    return on.replace(day=1) - timedelta(days=1)


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def periods_of(ratio: Ratio, track: date, valued: date | None, end: date) -> list[PeriodReturn]:
    """The periods to ``end`` of an index whose track record starts at the close of ``track``,
    last valued on ``valued``."""
    quarter_start = date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    bases: list[tuple[str, date, bool]] = [
        ("MTD", _previous_month_end(end), True),
        ("QTD", quarter_start - timedelta(days=1), True),
        ("YTD", date(end.year - 1, 12, 31), True),
        ("1Y", _years_before(end, 1), False),
        ("3Y", _years_before(end, 3), False),
        ("5Y", _years_before(end, 5), False),
        ("SI", track, False),
    ]
    out = []
    for name, period_base, may_shorten in bases:
        base, partial = period_base, False
        if base < track and may_shorten:
            base, partial = track, True
        days = (end - base).days
        covered = base >= track and end > base
        unvalued = covered and (valued is None or valued <= base)
        cumulative = ratio(base, end) if covered and not unvalued else None
        annualised = None
        if cumulative is not None and cumulative > -1:
            annualised = metrics.annualize(cumulative, days)
        out.append(
            PeriodReturn(
                name=name,
                start=base,
                end=end,
                days=days,
                cumulative=cumulative,
                annualised=annualised,
                partial=partial,
                no_valuation=unvalued,
            )
        )
    return out
