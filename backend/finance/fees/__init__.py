"""Fee maths: management fee accrual and performance fee crystallisation.

Two independent rule sets, one module each (neither imports the other):

* :mod:`backend.finance.fees.management`: management fee for a period and its
  cumulative accrual over calendar accrual periods (ROUND_HALF_EVEN);
* :mod:`backend.finance.fees.performance`: performance fee with a hard hurdle and an
  optional high-water mark, per fund or investor value and per unit at pool level
  (ROUND_DOWN).

Their docstrings give the formulas and rounding rules. Import the names from this
package (``from backend.finance.fees import ...``); the submodules are how the code is
organised, not a separate API.
"""

from __future__ import annotations

from backend.finance.fees.management import (
    MANAGEMENT_FEE_ROUNDING,
    AccrualFrequency,
    AccrualPeriod,
    FeeAccrual,
    FeePeriod,
    ManagementFeeTerms,
    accrual_periods,
    accrual_periods_for_year,
    management_fee,
    management_fee_accruals,
)
from backend.finance.fees.performance import (
    PERFORMANCE_FEE_ROUNDING,
    PerformanceFee,
    PerformanceFeeTerms,
    PoolPerformanceFee,
    hurdle_growth,
    performance_fee,
    pool_performance_fee,
)

__all__ = [
    "MANAGEMENT_FEE_ROUNDING",
    "PERFORMANCE_FEE_ROUNDING",
    "AccrualFrequency",
    "AccrualPeriod",
    "FeeAccrual",
    "FeePeriod",
    "ManagementFeeTerms",
    "PerformanceFee",
    "PerformanceFeeTerms",
    "PoolPerformanceFee",
    "accrual_periods",
    "accrual_periods_for_year",
    "hurdle_growth",
    "management_fee",
    "management_fee_accruals",
    "performance_fee",
    "pool_performance_fee",
]
