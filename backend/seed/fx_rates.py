"""Make-believe FX reference rates for the seed, written as the ECB's own CSV and loaded through
the same loader an operator uses (`app.py fx load`), so the portal has a rate for every pool
currency on every day of the demo's history.

A business-day random walk (the ECB publishes Monday to Friday) from about today's levels:
USD 1.08, GBP 0.85, CHF 0.95, JPY 160 per euro, with a daily volatility of about 0.4%, each
written to the places the ECB writes it. Drawn from a generator of its own, seeded from the
seed: the same seed gives the same rates, and adding them shifts no other seeded figure.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal

# (currency, level per 1 EUR at the start of the walk, decimal places the ECB publishes)
_START: tuple[tuple[str, float, int], ...] = (
    ("USD", 1.08, 4),
    ("JPY", 160.0, 2),
    ("GBP", 0.85, 5),
    ("CHF", 0.95, 4),
)
_DAILY_VOLATILITY = 0.004


def ecb_csv(first: date, last: date, seed: int, *, pivot: date) -> str:
    """The rates of every business day from `first` to `last`, as eurofxref-hist.csv writes
    them (newest first, a trailing comma on each line). The walk starts at the start levels on
    `pivot` (the seed's anchor) and runs from there back in time and forward, each way with its
    own generator: a date's rate depends on the seed and the pivot only, not on the range."""
    back = _walk(pivot, -1, first, random.Random(f"fx:{seed}:back"))  # noqa: S311 - make-believe
    ahead = _walk(pivot + timedelta(days=1), 1, last, random.Random(f"fx:{seed}:ahead"))  # noqa: S311
    rates = {**back, **ahead}
    rows = [
        f"{day.isoformat()},{','.join(rates[day])},"
        for day in sorted(rates, reverse=True)
        if first <= day <= last
    ]
    header = "Date," + ",".join(code for code, _, _ in _START) + ","
    return "\n".join([header, *rows]) + "\n"


def _walk(start: date, step: int, stop: date, rng: random.Random) -> dict[date, list[str]]:
    """{business day: cells} from `start` towards `stop` (step -1: back in time)."""
    logs = {code: math.log(level) for code, level, _ in _START}
    out: dict[date, list[str]] = {}
    day = start
    while (day >= stop) if step < 0 else (day <= stop):
        if day.weekday() < 5:  # Monday to Friday
            out[day] = [f"{Decimal(math.exp(logs[code])):.{places}f}" for code, _, places in _START]
            for code, level, _ in _START:
                # Pulled gently back towards the start level, so decades of history stay plausible.
                logs[code] += rng.gauss(0.0, _DAILY_VOLATILITY) - 0.002 * (logs[code] - math.log(level))
        day += timedelta(days=step)
    return out
