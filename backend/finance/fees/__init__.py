"""Fee maths: management fees, performance fees and their conventions, equalisation.

* :mod:`backend.finance.fees.management`: management fee for a period and its
  cumulative accrual over calendar accrual periods (ROUND_HALF_EVEN);
* :mod:`backend.finance.fees.performance`: the pool-level performance fee the books post,
  a hard hurdle and an optional high-water mark, per unit (ROUND_DOWN);
* :mod:`backend.finance.fees.incentive_terms`: the performance fee conventions agreements
  choose between (gross or net of the management fee, hard or soft hurdle with a
  catch-up, crystallisation monthly, quarterly or annually; ROUND_DOWN);
* :mod:`backend.finance.fees.fee_basis`, :mod:`backend.finance.fees.fee_investors`,
  :mod:`backend.finance.fees.fee_offsets`: management fee terms as agreements write them
  (NAV / committed / invested basis, in advance or in arrears, step-down, holidays,
  per-investor waivers, the GP's commitment, portfolio-company fee offsets; HALF_EVEN);
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
from backend.finance.fees.fee_basis import (
    FEE_BASIS_ROUNDING,
    BasisFigures,
    FeeBasisTerms,
    FeeHoliday,
    FeePart,
    FeeTiming,
    FeeWaiver,
    ManagementFeeBasis,
    PeriodFee,
    StepDown,
    basis_amount,
    holder_period_fee,
    invested_capital,
    period_fee,
)
from backend.finance.fees.fee_investors import (
    InvestorFeeTerms,
    PoolFee,
    carry_bearing_investors,
    investor_fees,
)
from backend.finance.fees.fee_offsets import (
    FEE_OFFSET_ROUNDING,
    FeeOffset,
    FeeOffsetTerms,
    InvestorOffset,
    PortfolioCompanyFee,
    PortfolioFeeKind,
    apply_fee_offset,
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
    GainBasis,
    PerformanceFee,
    PerformanceFeeTerms,
    PoolPerformanceFee,
    hurdle_growth,
    performance_fee,
    pool_performance_fee,
)

__all__ = [
    "FEE_BASIS_ROUNDING",
    "FEE_OFFSET_ROUNDING",
    "INCENTIVE_FEE_ROUNDING",
    "MANAGEMENT_FEE_ROUNDING",
    "PERFORMANCE_FEE_ROUNDING",
    "AccrualFrequency",
    "AccrualPeriod",
    "BasisFigures",
    "Crystallisation",
    "DealingEqualisation",
    "EqualisationResult",
    "FeeAccrual",
    "FeeBasisTerms",
    "FeeHoliday",
    "FeeOffset",
    "FeeOffsetTerms",
    "FeePart",
    "FeePeriod",
    "FeeTiming",
    "FeeWaiver",
    "GainBasis",
    "Holding",
    "HurdleType",
    "IncentiveBasis",
    "IncentiveFee",
    "IncentiveStep",
    "IncentiveTerms",
    "InvestorEqualisation",
    "InvestorFeeTerms",
    "InvestorOffset",
    "ManagementFeeBasis",
    "ManagementFeeTerms",
    "Observation",
    "PerformanceFee",
    "PerformanceFeeTerms",
    "PeriodFee",
    "PoolFee",
    "PoolPerformanceFee",
    "PortfolioCompanyFee",
    "PortfolioFeeKind",
    "StepDown",
    "Subscription",
    "accrual_periods",
    "accrual_periods_for_year",
    "apply_fee_offset",
    "basis_amount",
    "carry_bearing_investors",
    "crystallises_on",
    "equalisation_at_dealing",
    "equalise",
    "holder_period_fee",
    "hurdle_growth",
    "incentive_fee",
    "invested_capital",
    "investor_fees",
    "management_fee",
    "management_fee_accruals",
    "performance_fee",
    "period_fee",
    "pool_performance_fee",
    "run_incentive_fees",
]
