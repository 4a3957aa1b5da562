"""A pool's terms as the posting rules take them, translated from the pool service's view.

Pure: the one place the pools service's schema (and the investor service's side letters)
meets the ledger's rule inputs, shared by the write path, the previews, the reports and the
demo seed."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from backend.finance import closings
from backend.finance import waterfall as ledger_waterfall
from backend.finance.clawback import ClawbackTerms
from backend.finance.fees import FeeTiming, ManagementFeeTerms, PerformanceFeeTerms
from backend.finance.investor_terms import InvestorTerms
from backend.finance.money import get_currency
from backend.finance.share_class_terms import ShareClass
from backend.investors.interface import SideLetterOut
from backend.pools.interface import PoolOut, WaterfallStyle
from ledger.posting_rules import PoolTerms


def pool_terms(pool: PoolOut) -> PoolTerms:
    """The pool service's view of a pool, as the posting rules take it."""
    currency = get_currency(pool.base_currency)
    waterfall = None
    if pool.waterfall is not None:
        w = pool.waterfall
        waterfall = ledger_waterfall.WaterfallTerms(
            currency=currency,
            preferred_return_rate=w.preferred_return_rate,
            compounding=w.compounding,
            catch_up_rate=w.catch_up_rate,
            carried_interest_rate=w.carried_interest_rate,
            day_count=w.day_count,
        )
    management = None
    if pool.management_fee is not None:
        m = pool.management_fee
        management = ManagementFeeTerms(
            rate=m.rate,
            basis=m.basis.value,
            day_count=m.day_count,
            step_down_on=m.step_down_on,
            step_down_rate=m.step_down_rate,
            offset_rate=m.offset_rate,
            in_advance=m.timing is FeeTiming.IN_ADVANCE,
            nav_point=m.nav_point.value
            if m.nav_point
            else ("beginning" if m.timing is FeeTiming.IN_ADVANCE else "ending"),
        )
    performance = None
    if pool.performance_fee is not None:
        f = pool.performance_fee
        performance = PerformanceFeeTerms(
            rate=f.rate,
            high_water_mark=f.high_water_mark,
            hurdle_rate=f.hurdle_rate,
            hurdle=f.hurdle,
            catch_up_rate=f.catch_up_rate,
            crystallisation=f.crystallisation,
            gain_basis=f.gain_basis,
        )
    clawback = None
    if pool.waterfall is not None and pool.waterfall.style is WaterfallStyle.AMERICAN:
        clawback = ClawbackTerms(
            tax_offset=pool.waterfall.clawback_tax_offset,
            assumed_tax_rate=pool.waterfall.clawback_tax_rate,
            interim_clawback=pool.waterfall.interim_clawback,
        )
    classes = tuple(
        ShareClass(
            class_id=c.class_id,
            currency=get_currency(c.currency) if c.currency else currency,
            hedged=c.hedged,
            management_fee_rate=c.management_fee_rate,
            performance_fee_rate=c.performance_fee_rate,
            minimum_subscription=c.minimum_subscription,
            minimum_subsequent_subscription=c.minimum_subsequent_subscription,
            initial_nav_per_unit=c.initial_nav_per_unit or pool.initial_nav_per_unit,
            crystallisation=c.performance_fee_crystallisation,
            fee_on_redemption=c.performance_fee_on_redemption,
        )
        for c in pool.share_classes
    )
    return PoolTerms(
        pool_id=pool.id,
        kind=pool.kind.value,
        currency=currency,
        inception_date=pool.inception_date,
        initial_nav_per_unit=pool.initial_nav_per_unit,
        minimum_subscription=pool.minimum_subscription,
        waterfall=waterfall,
        performance_fee=performance,
        management_fee=management,
        clawback=clawback,
        share_classes=classes,
    )


def investor_terms(letters: Mapping[int, SideLetterOut]) -> dict[int, InvestorTerms]:
    """The investor service's side letters, as the fee and distribution rules take them."""
    return {
        investor: InvestorTerms(
            management_fee_rate=letter.management_fee_rate,
            management_fee_waiver=letter.management_fee_waiver,
            carried_interest_rate=letter.carried_interest_rate,
            gp_commitment=letter.gp_commitment,
            management_fee_holiday_until=letter.management_fee_holiday_until,
        )
        for investor, letter in letters.items()
    }


def equalisation_terms(pool: PoolOut) -> closings.EqualisationTerms:
    """The interest later investors pay at a subsequent close: the pool's rate, simple, on the
    waterfall's day count (none for a pool without a waterfall)."""
    w = pool.waterfall
    if w is None:
        return closings.EqualisationTerms(interest_rate=Decimal(0))
    return closings.EqualisationTerms(interest_rate=w.equalisation_interest_rate, day_count=w.day_count)
