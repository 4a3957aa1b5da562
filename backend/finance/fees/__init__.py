"""Fee maths: management fees, performance fees and their conventions, equalisation.

* :mod:`backend.finance.fees.management`: management fee for a period and its
  cumulative accrual over calendar accrual periods (ROUND_HALF_EVEN);
* :mod:`backend.finance.fees.performance`: the pool-level performance fee the books post,
  a hard hurdle and an optional high-water mark, per unit (ROUND_DOWN);
* :mod:`backend.finance.fees.incentive_terms`: the performance fee conventions agreements
  choose between (gross or net of the management fee, hard or soft hurdle with a
  catch-up, crystallisation monthly, quarterly or annually; ROUND_DOWN);
* :mod:`backend.finance.fees.equalisation`: investor-level equalisation (equalisation
  credits and contingent redemptions), so each investor pays only on its own gain.

Their docstrings give the formulas and rounding rules. Import the names from this
package (``from backend.finance.fees import ...``); the submodules are how the code is
organised, not a separate API.
"""

from __future__ import annotations

from backend.finance.fees.equalisation import (
    DealingEqualisation,
    EqualisationResult,
    Holding,
    InvestorEqualisation,
    Subscription,
    equalisation_at_dealing,
    equalise,
)
from backend.finance.fees.incentive_terms import (
    INCENTIVE_FEE_ROUNDING,
    Crystallisation,
    HurdleType,
    IncentiveBasis,
    IncentiveFee,
    IncentiveStep,
    IncentiveTerms,
    Observation,
    crystallises_on,
    incentive_fee,
    run_incentive_fees,
)
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
    "INCENTIVE_FEE_ROUNDING",
    "MANAGEMENT_FEE_ROUNDING",
    "PERFORMANCE_FEE_ROUNDING",
    "AccrualFrequency",
    "AccrualPeriod",
    "Crystallisation",
    "DealingEqualisation",
    "EqualisationResult",
    "FeeAccrual",
    "FeePeriod",
    "Holding",
    "HurdleType",
    "IncentiveBasis",
    "IncentiveFee",
    "IncentiveStep",
    "IncentiveTerms",
    "InvestorEqualisation",
    "ManagementFeeTerms",
    "Observation",
    "PerformanceFee",
    "PerformanceFeeTerms",
    "PoolPerformanceFee",
    "Subscription",
    "accrual_periods",
    "accrual_periods_for_year",
    "crystallises_on",
    "equalisation_at_dealing",
    "equalise",
    "hurdle_growth",
    "incentive_fee",
    "management_fee",
    "management_fee_accruals",
    "performance_fee",
    "pool_performance_fee",
    "run_incentive_fees",
]
