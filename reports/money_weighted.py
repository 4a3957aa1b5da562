"""The money-weighted side of performance: what the investors paid in and received against
what their stake is worth, and the same flows set against a benchmark index (pure functions,
no I/O). reports.performance puts these beside the time-weighted figures in a pool's and an
investor's report; the metrics themselves are backend.finance.metrics.

* Money-weighted: XIRR (act/365F) of the cash paid in (negative) and received (positive)
  plus the value at ``end``; TVPI, DPI, RVPI over the cash paid in. Since inception. Net of
  carried interest, paid and accrued (reports.carry, marked at ``end``), as ILPA and GIPS
  ask; the ``gross_`` figures count the GP's share of distributions as received and the
  value before accrued carry.
* Benchmark: the index's return over (start, end]; KS-PME via metrics.ks_pme with one
  period per flow date and ``end``; direct alpha as the XIRR of the index-compounded flows
  plus the value (the dated form of Gredil, Griffiths & Stucke 2014), an annual rate. Both
  on the investors' net flows and net value.
"""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from backend.finance import metrics
from reports.journal import Flow
from reports.schemas import BenchmarkComparison, MoneyWeighted

_ZERO = Decimal(0)


def finite(value: float | None) -> float | None:
    """The figure, or None where the maths has no answer (NaN, infinite): the schemas carry
    null for a figure that cannot be computed, never a non-number."""
    return None if value is None or math.isnan(value) or math.isinf(value) else value


# -- money-weighted ----------------------------------------------------------------------------


def money_weighted(
    flows: Sequence[Flow], value: Decimal, end: date, *, accrued_carry: Decimal = _ZERO
) -> MoneyWeighted | None:
    """From (date, paid in, received, carry paid) and the value at ``end`` net of
    ``accrued_carry``; None when nothing moved.

    Net (the investors' own money): received is what they were paid, the value is net of
    the GP's accrued carried interest. Gross (before carried interest): the GP's share of
    distributions counts as received and the value is before the accrual.
    """
    flows = [f for f in flows if f[0] <= end]
    if not flows:
        return None
    paid_in = sum((f[1] for f in flows), _ZERO)
    received = sum((f[2] for f in flows), _ZERO)
    carry_paid = sum((f[3] for f in flows), _ZERO)
    gross_value = value + accrued_carry
    dates = [f[0] for f in flows] + [end]
    net_amounts = [float(r - p) for _, p, r, _ in flows] + [float(value)]
    gross_amounts = [float(r + c - p) for _, p, r, c in flows] + [float(gross_value)]

    def multiples(out: Decimal, left: Decimal) -> tuple[float | None, float | None, float | None]:
        if paid_in <= 0:
            return None, None, None
        return (
            metrics.tvpi(paid_in, out, left),
            metrics.dpi(paid_in, out, left),
            metrics.rvpi(paid_in, out, left),
        )

    net = multiples(received, value)
    gross = multiples(received + carry_paid, gross_value)
    return MoneyWeighted(
        paid_in=paid_in,
        received=received,
        value=value,
        irr=finite(metrics.xirr(dates, net_amounts)),
        tvpi=net[0],
        dpi=net[1],
        rvpi=net[2],
        carried_interest_paid=carry_paid,
        accrued_carried_interest=accrued_carry,
        gross_value=gross_value,
        gross_irr=finite(metrics.xirr(dates, gross_amounts)),
        gross_tvpi=gross[0],
        gross_dpi=gross[1],
        gross_rvpi=gross[2],
    )


# -- against a benchmark -----------------------------------------------------------------------


class Levels:
    """A benchmark's levels by date; the level on a date is the last one on or before it."""

    def __init__(self, benchmark_id: int, name: str, levels: Sequence[tuple[date, Decimal]]) -> None:
        self.benchmark_id = benchmark_id
        self.name = name
        ordered = sorted(levels)
        self._dates = [d for d, _ in ordered]
        self._levels = [v for _, v in ordered]

    def fingerprint(self) -> str:
        """Changes whenever a level is added or replaced: part of cached reports' keys."""
        digest = hashlib.sha256(repr((self.benchmark_id, self._dates, self._levels)).encode()).hexdigest()
        return digest[:16]

    def on(self, day: date) -> Decimal | None:
        i = bisect_right(self._dates, day)
        return self._levels[i - 1] if i else None


def benchmark_comparison(
    levels: Levels, flows: Sequence[Flow], value: Decimal, start: date, end: date
) -> BenchmarkComparison:
    """The index beside the pool; PME and direct alpha on the investors' net flows and net value."""
    first, last = levels.on(start), levels.on(end)
    period = float(last / first) - 1.0 if first and last else None
    out = BenchmarkComparison(
        benchmark_id=levels.benchmark_id,
        name=levels.name,
        period_return=period,
        ks_pme=None,
        direct_alpha=None,
    )
    flows = [f for f in flows if f[0] <= end]
    if not flows or sum((f[1] for f in flows), _ZERO) <= 0:
        return out.model_copy(update={"note": "no money paid in: no PME"})
    dates = [f[0] for f in flows]
    paid = [float(f[1]) for f in flows]
    received = [float(f[2]) for f in flows]
    if dates[-1] != end:
        dates, paid, received = [*dates, end], [*paid, 0.0], [*received, 0.0]
    index = [levels.on(d) for d in dates]
    missing = [d for d, level in zip(dates, index, strict=True) if level is None]
    if missing:
        return out.model_copy(update={"note": f"the benchmark has no level on or before {missing[0]}"})
    floats = [float(level) for level in index if level is not None]
    ks = metrics.ks_pme(paid, received, float(value), floats)
    growth = [floats[-1] / level for level in floats]
    compounded = [(r - p) * g for p, r, g in zip(paid, received, growth, strict=True)]
    compounded[-1] += float(value)
    alpha = metrics.xirr(dates, compounded)
    return out.model_copy(update={"ks_pme": finite(ks), "direct_alpha": finite(alpha)})
