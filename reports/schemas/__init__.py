"""The report service's schema surface: performance, NAV history, statements, benchmarks, FX.

Every type the service takes or returns, importable from here (``from reports.schemas import
...``; callers outside the service use reports.interface). The submodules are how the code is
organised, not a separate API:

* :mod:`reports.schemas.amounts`: ``Amount``, the exact decimal every figure is written in;
* :mod:`reports.schemas.benchmarks`: a stored index and its levels, a pool's benchmark;
* :mod:`reports.schemas.performance`: a pool's and an investor's returns, risk, money-weighted
  figures, benchmark comparison, share classes;
* :mod:`reports.schemas.nav_history`: the pool at each daily or monthly close;
* :mod:`reports.schemas.statements`: the capital account statement and its formats;
* :mod:`reports.schemas.snapshot_runs`: what a snapshot refresh or a recompute run did;
* :mod:`reports.schemas.fx_rates`: reference rates, their loads, and conversion quotes.

On the wire: amounts, units, NAV per unit and index levels are exact decimals written as
JSON strings ("1000.00"); returns and ratios (TWR, IRR, TVPI, volatility...) are JSON
numbers (binary floats, unrounded) as fractions (0.05 is 5%), or null when undefined
(under a year for annualised figures, no paid-in capital, no IRR solution, too few
observations for a risk figure). Those are typed `Measure`: a float by design, which the
service over gRPC carries as a protobuf double, bit for bit (a plain float is refused there).

Net and gross. A closed-ended pool's capital accounts hold the GP's carried interest until a
distribution pays it. The LPs' figures at the end of a report (net asset value, value,
TVPI, RVPI, IRR, the statement's balances) are net of carried interest, paid and accrued
by a hypothetical liquidation of the value through the waterfall (reports.carry), as ILPA
and GIPS ask. The figures before carried interest stay beside them, named ``gross_...``,
with ``accrued_carried_interest`` the difference. Time-weighted returns and the NAV history
are the pool's, before carried interest: the GP's share of a distribution is paid out of
the pool like the LPs' share (carry is an allocation of the pool's return between LPs and
GP, not a loss of the pool). Open-ended pools accrue none: there net and gross are equal.
"""

from __future__ import annotations

from reports.schemas.amounts import Amount
from reports.schemas.benchmarks import (
    BenchmarkCreate,
    BenchmarkLevel,
    BenchmarkLevelOut,
    BenchmarkLevelsIn,
    BenchmarkOut,
    LevelsLoaded,
    PoolBenchmarkIn,
    PoolBenchmarkOut,
)
from reports.schemas.fx_rates import FxQuote, FxQuotes, FxRateIn, FxRateOut, FxRatesIn, FxRatesLoaded
from reports.schemas.nav_history import ClassLabel, Frequency, NavHistory, NavPoint
from reports.schemas.performance import (
    BenchmarkComparison,
    ClassPerformance,
    ClassPricePoint,
    CurrencyTotal,
    Drawdown,
    HeldClass,
    InvestorPerformance,
    InvestorPoolPerformance,
    MoneyWeighted,
    PeriodReturn,
    PoolPerformance,
    Risk,
)
from reports.schemas.snapshot_runs import Recomputed, Refreshed
from reports.schemas.statements import CapitalAccountStatement, StatementFormat

__all__ = [
    "Amount",
    "BenchmarkComparison",
    "BenchmarkCreate",
    "BenchmarkLevel",
    "BenchmarkLevelOut",
    "BenchmarkLevelsIn",
    "BenchmarkOut",
    "CapitalAccountStatement",
    "ClassLabel",
    "ClassPerformance",
    "ClassPricePoint",
    "CurrencyTotal",
    "Drawdown",
    "Frequency",
    "FxQuote",
    "FxQuotes",
    "FxRateIn",
    "FxRateOut",
    "FxRatesIn",
    "FxRatesLoaded",
    "HeldClass",
    "InvestorPerformance",
    "InvestorPoolPerformance",
    "LevelsLoaded",
    "MoneyWeighted",
    "NavHistory",
    "NavPoint",
    "PeriodReturn",
    "PoolBenchmarkIn",
    "PoolBenchmarkOut",
    "PoolPerformance",
    "Recomputed",
    "Refreshed",
    "Risk",
    "StatementFormat",
]
