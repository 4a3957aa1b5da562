"""A pool's terms as its row keeps them: written from validated settings, read back as the
settings and the PoolOut callers see (fees, waterfall, minimum subscription at the pool
currency's precision), and summarised for the audit trail."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from backend.finance.clawback import TaxOffset
from backend.finance.daycount import DayCount
from backend.finance.fees import AccrualFrequency, Crystallisation, FeeTiming, GainBasis, HurdleType
from backend.finance.money import get_currency
from backend.finance.waterfall import Compounding
from backend.platform.errors import NotFound
from backend.pools.models import Pool
from backend.pools.schemas import (
    FeeBasis,
    ManagementFeeTerms,
    NavPoint,
    PerformanceFeeTerms,
    PoolKind,
    PoolOut,
    PoolSettings,
    PoolStatus,
    ShareClassTerms,
    WaterfallStyle,
    WaterfallTerms,
)


def not_found(pool_id: int) -> NotFound:
    return NotFound(f"pool {pool_id} not found")


def write_settings(pool: Pool, settings: PoolSettings) -> None:
    pool.name = settings.name
    pool.kind = settings.kind.value
    pool.base_currency = settings.base_currency
    pool.inception_date = settings.inception_date
    pool.initial_nav_per_unit = settings.initial_nav_per_unit
    pool.minimum_subscription = settings.minimum_subscription
    fee = settings.management_fee
    pool.management_fee_rate = fee.rate if fee else None
    pool.management_fee_basis = fee.basis.value if fee else None
    pool.management_fee_frequency = fee.frequency.value if fee else None
    pool.management_fee_day_count = fee.day_count.value if fee else None
    pool.management_fee_step_down_on = fee.step_down_on if fee else None
    pool.management_fee_step_down_rate = fee.step_down_rate if fee else None
    pool.management_fee_offset_rate = fee.offset_rate if fee else None
    advance = fee is not None and fee.timing is FeeTiming.IN_ADVANCE
    pool.management_fee_timing = FeeTiming.IN_ADVANCE.value if advance else None
    pool.management_fee_nav_point = fee.nav_point.value if fee and fee.nav_point else None
    perf = settings.performance_fee
    pool.performance_fee_rate = perf.rate if perf else None
    pool.performance_fee_high_water_mark = perf.high_water_mark if perf else None
    pool.performance_fee_hurdle_rate = perf.hurdle_rate if perf else None
    pool.performance_fee_hurdle = perf.hurdle.value if perf else None
    pool.performance_fee_catch_up_rate = perf.catch_up_rate if perf else None
    gross = perf is not None and perf.gain_basis is GainBasis.GROSS_OF_MANAGEMENT_FEE
    pool.performance_fee_gain_basis = GainBasis.GROSS_OF_MANAGEMENT_FEE.value if gross else None
    crystallises = perf.crystallisation if perf else None
    pool.performance_fee_crystallisation = crystallises.value if crystallises else None
    wf = settings.waterfall
    pool.waterfall_style = wf.style.value if wf else None
    pool.preferred_return_rate = wf.preferred_return_rate if wf else None
    pool.waterfall_compounding = wf.compounding.value if wf else None
    pool.catch_up_rate = wf.catch_up_rate if wf else None
    pool.carried_interest_rate = wf.carried_interest_rate if wf else None
    pool.waterfall_day_count = wf.day_count.value if wf else None
    pool.equalisation_interest_rate = wf.equalisation_interest_rate if wf else None
    # NULL for the defaults, so a European pool's row reads as it did before the terms existed.
    offset = wf.clawback_tax_offset if wf else TaxOffset.NONE
    pool.clawback_tax_offset = None if offset is TaxOffset.NONE else offset.value
    pool.clawback_tax_rate = wf.clawback_tax_rate if wf and wf.clawback_tax_rate else None
    pool.interim_clawback = True if wf and wf.interim_clawback else None
    classes = [c.model_dump(mode="json") for c in settings.share_classes]
    pool.share_classes = json.dumps(classes, separators=(",", ":")) if classes else None


def _stored(value: str | None) -> str:
    if value is None:  # written together with the term that guards the read
        raise RuntimeError("pool terms are incomplete in the database")
    return value


def _rate(value: Decimal | None) -> Decimal:
    if value is None:  # written together with the term that guards the read
        raise RuntimeError("pool terms are incomplete in the database")
    # Stored at 6 places; shown as written (0.02, not 0.020000).
    return value.normalize() if value else Decimal(0)


def settings_of(pool: Pool) -> PoolSettings:
    currency = get_currency(pool.base_currency)
    management_fee = None
    if pool.management_fee_basis is not None:
        management_fee = ManagementFeeTerms(
            rate=_rate(pool.management_fee_rate),
            basis=FeeBasis(pool.management_fee_basis),
            frequency=AccrualFrequency(_stored(pool.management_fee_frequency)),
            day_count=DayCount(_stored(pool.management_fee_day_count)),
            step_down_on=pool.management_fee_step_down_on,
            step_down_rate=(
                _rate(pool.management_fee_step_down_rate)
                if pool.management_fee_step_down_rate is not None
                else None
            ),
            offset_rate=(
                _rate(pool.management_fee_offset_rate)
                if pool.management_fee_offset_rate is not None
                else None
            ),
            timing=FeeTiming(pool.management_fee_timing or FeeTiming.IN_ARREARS.value),
            nav_point=NavPoint(pool.management_fee_nav_point) if pool.management_fee_nav_point else None,
        )
    performance_fee = None
    if pool.performance_fee_rate is not None:
        performance_fee = PerformanceFeeTerms(
            rate=_rate(pool.performance_fee_rate),
            high_water_mark=bool(pool.performance_fee_high_water_mark),
            hurdle_rate=_rate(pool.performance_fee_hurdle_rate),
            hurdle=HurdleType(pool.performance_fee_hurdle or HurdleType.HARD.value),
            catch_up_rate=(
                _rate(pool.performance_fee_catch_up_rate)
                if pool.performance_fee_catch_up_rate is not None
                else None
            ),
            gain_basis=GainBasis(pool.performance_fee_gain_basis or GainBasis.NET_OF_MANAGEMENT_FEE.value),
            crystallisation=(
                Crystallisation(pool.performance_fee_crystallisation)
                if pool.performance_fee_crystallisation
                else None
            ),
        )
    waterfall = None
    if pool.waterfall_style is not None:
        waterfall = WaterfallTerms(
            style=WaterfallStyle(pool.waterfall_style),
            preferred_return_rate=_rate(pool.preferred_return_rate),
            compounding=Compounding(_stored(pool.waterfall_compounding)),
            catch_up_rate=_rate(pool.catch_up_rate),
            carried_interest_rate=_rate(pool.carried_interest_rate),
            day_count=DayCount(_stored(pool.waterfall_day_count)),
            equalisation_interest_rate=_rate(pool.equalisation_interest_rate or Decimal(0)),
            clawback_tax_offset=TaxOffset(pool.clawback_tax_offset or TaxOffset.NONE.value),
            clawback_tax_rate=_rate(pool.clawback_tax_rate or Decimal(0)),
            interim_clawback=bool(pool.interim_clawback),
        )
    return PoolSettings(
        name=pool.name,
        kind=PoolKind(pool.kind),
        base_currency=pool.base_currency,
        inception_date=pool.inception_date,
        initial_nav_per_unit=pool.initial_nav_per_unit,
        management_fee=management_fee,
        performance_fee=performance_fee,
        waterfall=waterfall,
        # Kept at 4 places for every currency; shown at the currency's own minor unit.
        minimum_subscription=pool.minimum_subscription.quantize(currency.quantum),
        share_classes=[ShareClassTerms.model_validate(c) for c in json.loads(pool.share_classes or "[]")],
    )


def pool_out(pool: Pool, manager_ids: list[int]) -> PoolOut:
    settings = settings_of(pool)
    return PoolOut(
        **dict(settings),
        id=pool.id,
        status=PoolStatus(pool.status),
        base_currency_exponent=get_currency(pool.base_currency).exponent,
        manager_ids=manager_ids,
        status_changed_at=pool.status_changed_at,
        created_at=pool.created_at,
        updated_at=pool.updated_at,
    )


def summary(settings: PoolSettings) -> dict[str, Any]:
    """The settings as JSON, for an audit record's before and after."""
    summarised: dict[str, Any] = settings.model_dump(mode="json")
    return summarised
