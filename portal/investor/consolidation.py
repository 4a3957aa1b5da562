"""The investor's holdings in one reporting currency: totals at the rate of the dashboard's
date, and value over time at each day's rate (the value of a holding in another currency
moves with the rate even on days its own books did not).

The samples are every day the investor's value moved, every month end in between, and the
dashboard's date. A total whose part has no rate is missing, never a smaller number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from backend.platform.actors import Actor
from portal.investor.data import Dashboard, PoolLine
from portal.shared.reporting_currency import Conversion, DatedAmount, conversion

TOTALS = ("value", "contributed", "distributed", "unfunded")


def value_on(line: PoolLine, day: date) -> Decimal | None:
    """The holding's value (its own currency) at the end of `day`; None before its first flow."""
    found: Decimal | None = None
    for on, value in line.series:
        if on > day:
            break
        found = value
    return found


def _month_ends(first: date, last: date) -> list[date]:
    out: list[date] = []
    year, month = first.year, first.month
    while True:
        following = date(year + month // 12, month % 12 + 1, 1)
        end = following - timedelta(days=1)
        if end >= last:
            return out
        out.append(end)
        year, month = following.year, following.month


@dataclass
class Consolidated:
    reporting: str
    conversion: Conversion
    days: list[date]

    def total(self, data: Dashboard, key: str) -> tuple[Decimal | None, list[DatedAmount]]:
        """A dashboard total (value, contributed, distributed, unfunded) in the reporting
        currency, at the rate of the dashboard's date, and the parts that have no rate."""
        return self.conversion.total(_figures(data, key))

    def line_values(self, line: PoolLine) -> list[tuple[date, Decimal | None]]:
        """The holding's value in the reporting currency on each sample day it existed."""
        out = []
        for day in self.days:
            native = value_on(line, day)
            if native is not None:
                out.append((day, self.conversion.of(DatedAmount(native, line.currency, day))))
        return out


def _figures(data: Dashboard, key: str) -> list[DatedAmount]:
    figures = []
    for line in data.pools:
        p = line.position
        amount = {
            "value": line.value,
            "contributed": p.contributed,
            "distributed": p.distributed,
            "unfunded": p.unfunded_commitment,
        }[key]
        figures.append(DatedAmount(amount, line.currency, data.as_of))
    return figures


def sample_days(data: Dashboard) -> list[date]:
    moved = {on for line in data.pools for on, _ in line.series if on <= data.as_of}
    if not moved:
        return []
    return sorted(moved | set(_month_ends(min(moved), data.as_of)) | {data.as_of})


def consolidate(actor: Actor, data: Dashboard, reporting: str) -> Consolidated:
    """Every quote the dashboard needs, in one call to the report service."""
    days = sample_days(data)
    wanted = [f for key in TOTALS for f in _figures(data, key)]
    for line in data.pools:
        wanted += [DatedAmount(Decimal(0), line.currency, day) for day in days]
    return Consolidated(reporting, conversion(actor, wanted, reporting), days)
