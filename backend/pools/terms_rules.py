"""The rules a pool's terms and its life cycle obey, as pure checks (no database, no actor).

A pool's terms are accepted only as the fee and waterfall maths will take them: an
open-ended pool charges its management fee on NAV and may have a performance fee; a
closed-ended pool charges on committed or invested capital and pays its GP through the
waterfall's carried interest. Rates are kept at RATE_SCALE places, amounts at the base
currency's own precision.

Status transitions (anything else is a Conflict naming `status`):

    close               open                -> closed
    liquidate           open | closed       -> liquidating
    finish_liquidation  liquidating         -> liquidated   (final; settings freeze)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from backend.finance import fees as ledger_fees
from backend.finance import waterfall as ledger_waterfall
from backend.finance.clawback import TaxOffset
from backend.finance.errors import LedgerInputError
from backend.finance.fees import FeeTiming
from backend.finance.money import (
    Currency,
    check_cash,
    check_nav_per_unit,
    check_rate,
    check_scale,
    get_currency,
)
from backend.platform.errors import Conflict, ValidationFailed
from backend.platform.orm import RATE_SCALE
from backend.pools.schemas import (
    FeeBasis,
    ManagementFeeTerms,
    NavPoint,
    PerformanceFeeTerms,
    PoolKind,
    PoolSettings,
    PoolStatus,
    PoolUpdate,
    ShareClassTerms,
    WaterfallStyle,
    WaterfallTerms,
)

# Pools are set up ahead of launch, but an inception date years out is a typo (2062 for 2026).
INCEPTION_HORIZON = timedelta(days=366)

_FEE_BASES_BY_KIND: dict[PoolKind, frozenset[FeeBasis]] = {
    PoolKind.OPEN_ENDED: frozenset({FeeBasis.NAV}),
    PoolKind.CLOSED_ENDED: frozenset({FeeBasis.COMMITTED, FeeBasis.INVESTED}),
}

_TRANSITIONS: dict[str, tuple[frozenset[PoolStatus], PoolStatus, str]] = {
    "close": (frozenset({PoolStatus.OPEN}), PoolStatus.CLOSED, "pool.closed"),
    "liquidate": (
        frozenset({PoolStatus.OPEN, PoolStatus.CLOSED}),
        PoolStatus.LIQUIDATING,
        "pool.liquidation_started",
    ),
    "finish_liquidation": (frozenset({PoolStatus.LIQUIDATING}), PoolStatus.LIQUIDATED, "pool.liquidated"),
}

_NOT_NULLABLE_UPDATES = frozenset(
    {
        "name",
        "kind",
        "base_currency",
        "inception_date",
        "initial_nav_per_unit",
        "minimum_subscription",
        "share_classes",  # [] removes them
    }
)


def transition(action: str, current: PoolStatus) -> tuple[PoolStatus, str]:
    """(the status `action` moves a pool in `current` to, the audit event that records it);
    Conflict naming `status` when the pool may not make that move from where it is."""
    allowed_from, target, event = _TRANSITIONS[action]
    if current not in allowed_from:
        allowed = " or ".join(sorted(allowed_from))
        raise Conflict(
            f"status: cannot {action.replace('_', ' ')} a pool that is {current}; only from {allowed}",
            field="status",
        )
    return target, event


def require_no_nulls(update: PoolUpdate) -> None:
    """An update may leave a term out, but may not blank one every pool must have."""
    for name in sorted(update.model_fields_set & _NOT_NULLABLE_UPDATES):
        if getattr(update, name) is None:
            raise ValidationFailed(f"{name}: must not be null", field=name)


@contextmanager
def _fields_under(prefix: str = "") -> Iterator[None]:
    """Turn the ledger's input errors into ValidationFailed naming the field as the caller sent it."""
    try:
        yield
    except LedgerInputError as exc:
        field = f"{prefix}{exc.field}"
        raise ValidationFailed(f"{field}: {exc.reason}", field=field) from None


def _check_rate(value: Decimal, field: str) -> Decimal:
    if value.is_finite() and not Decimal(0) <= value <= Decimal(1):
        # Said in percent too: a rate is sent as a fraction, and 2 meant as 2% is 200%.
        shown = f"{(value * 100).normalize():f}%"
        raise ValidationFailed(
            f"{field}: must be between 0% and 100%, got {shown} ({value} as a fraction: 0.02 is 2%)",
            field=field,
        )
    with _fields_under():
        rate = check_rate(value, field)
        # Stored at RATE_SCALE places; more would be refused by the column, not rounded.
        check_scale(rate, RATE_SCALE, field, "rates")
    return rate


def validated(settings: PoolSettings, today: date) -> PoolSettings:
    """The settings with every business rule checked and amounts written at their scale."""
    name = settings.name.strip()
    if not name:
        raise ValidationFailed("name: must not be blank", field="name")
    code = settings.base_currency.strip().upper()
    try:
        currency = get_currency(code)
    except LedgerInputError as exc:
        raise ValidationFailed(f"base_currency: {exc.reason}", field="base_currency") from None
    if settings.inception_date > today + INCEPTION_HORIZON:
        raise ValidationFailed(
            f"inception_date: must be within {INCEPTION_HORIZON.days} days from today, "
            f"got {settings.inception_date}",
            field="inception_date",
        )
    with _fields_under():
        nav = check_nav_per_unit(settings.initial_nav_per_unit, "initial_nav_per_unit")
        minimum = check_cash(settings.minimum_subscription, currency, "minimum_subscription")
    kind = settings.kind
    classes = _validated_share_classes(settings, currency)
    return PoolSettings(
        name=name,
        kind=kind,
        base_currency=currency.code,
        inception_date=settings.inception_date,
        initial_nav_per_unit=nav,
        management_fee=_validated_management_fee(settings.management_fee, kind, settings.inception_date),
        performance_fee=_validated_performance_fee(settings.performance_fee, kind),
        waterfall=_validated_waterfall(settings.waterfall, kind, currency),
        minimum_subscription=minimum,
        share_classes=classes,
    )


def _validated_share_classes(settings: PoolSettings, currency: Currency) -> list[ShareClassTerms]:
    """Classes belong to an open-ended pool, and each carries the fees its holders pay: the
    pool's own fee terms would charge every class alike, so they cannot sit beside classes."""
    if not settings.share_classes:
        return []
    if settings.kind is not PoolKind.OPEN_ENDED:
        raise ValidationFailed(
            "share_classes: only an open-ended pool issues share classes; a closed-ended pool's "
            "investors differ by side letter",
            field="share_classes",
        )
    for name in ("management_fee", "performance_fee"):
        if getattr(settings, name) is not None:
            raise ValidationFailed(
                f"{name}: a pool with share classes charges each class's own {name}_rate; "
                f"set the rate on the classes and leave {name} empty",
                field=name,
            )
    seen: set[str] = set()
    out = []
    for i, share_class in enumerate(settings.share_classes):
        field = f"share_classes[{i}]"
        key = share_class.class_id.upper()
        if key in seen:
            raise ValidationFailed(
                f"{field}.class_id: {share_class.class_id!r} appears twice (codes are case-insensitive)",
                field=f"{field}.class_id",
            )
        seen.add(key)
        rates = {
            name: _check_rate(getattr(share_class, name), f"{field}.{name}")
            for name in ("management_fee_rate", "performance_fee_rate")
        }
        class_currency = _class_currency(share_class, currency, field)
        with _fields_under(f"{field}."):
            minimums = {
                name: check_cash(getattr(share_class, name), class_currency, name)
                for name in ("minimum_subscription", "minimum_subsequent_subscription")
            }
            launch = share_class.initial_nav_per_unit
            if launch is not None:
                launch = check_nav_per_unit(launch, "initial_nav_per_unit")
        out.append(
            share_class.model_copy(
                update={
                    **rates,
                    **minimums,
                    "initial_nav_per_unit": launch,
                    "name": share_class.name.strip(),
                    # The base currency is written as empty: one spelling per meaning.
                    "currency": None if class_currency == currency else class_currency.code,
                }
            )
        )
    return out


def _class_currency(share_class: ShareClassTerms, base: Currency, field: str) -> Currency:
    """The currency a class deals in; hedging is only for a class in another currency."""
    code = (share_class.currency or "").strip().upper()
    try:
        currency = get_currency(code) if code else base
    except LedgerInputError as exc:
        raise ValidationFailed(f"{field}.currency: {exc.reason}", field=f"{field}.currency") from None
    if share_class.hedged and currency == base:
        raise ValidationFailed(
            f"{field}.hedged: class {share_class.class_id} deals in the pool's base currency "
            f"{base.code}; only a class in another currency is hedged",
            field=f"{field}.hedged",
        )
    return currency


def _validated_management_fee(
    terms: ManagementFeeTerms | None, kind: PoolKind, inception: date
) -> ManagementFeeTerms | None:
    if terms is None:
        return None
    rate = _check_rate(terms.rate, "management_fee.rate")
    if terms.basis not in _FEE_BASES_BY_KIND[kind]:
        allowed = ", ".join(sorted(_FEE_BASES_BY_KIND[kind]))
        raise ValidationFailed(
            f"management_fee.basis: a {kind} pool charges on {allowed}, not {terms.basis}",
            field="management_fee.basis",
        )
    step_rate = terms.step_down_rate
    if terms.step_down_on is None:
        if step_rate is not None:
            raise ValidationFailed(
                "management_fee.step_down_on: a step-down rate needs the day it starts",
                field="management_fee.step_down_on",
            )
    else:
        if terms.basis is not FeeBasis.COMMITTED:
            raise ValidationFailed(
                "management_fee.step_down_on: only a fee on commitments steps down to invested capital",
                field="management_fee.step_down_on",
            )
        if terms.step_down_on <= inception:
            raise ValidationFailed(
                f"management_fee.step_down_on: must be after the pool's inception on {inception}, "
                f"got {terms.step_down_on}",
                field="management_fee.step_down_on",
            )
        if step_rate is not None:
            step_rate = _check_rate(step_rate, "management_fee.step_down_rate")
    offset = terms.offset_rate
    if offset is not None:
        offset = _check_rate(offset, "management_fee.offset_rate")
    _check_nav_point(terms)
    return terms.model_copy(update={"rate": rate, "step_down_rate": step_rate, "offset_rate": offset})


def _check_nav_point(terms: ManagementFeeTerms) -> None:
    point = terms.nav_point
    if point is None:
        return
    if terms.basis is not FeeBasis.NAV:
        raise ValidationFailed(
            f"management_fee.nav_point: only a fee on NAV has one, not a fee on {terms.basis}",
            field="management_fee.nav_point",
        )
    if terms.timing is FeeTiming.IN_ADVANCE and point is not NavPoint.BEGINNING:
        # In advance the period's end is not known yet.
        raise ValidationFailed(
            f"management_fee.nav_point: a fee charged in advance is on the beginning NAV, not the {point}",
            field="management_fee.nav_point",
        )


def _validated_performance_fee(
    terms: PerformanceFeeTerms | None, kind: PoolKind
) -> PerformanceFeeTerms | None:
    if terms is None:
        return None
    if kind is not PoolKind.OPEN_ENDED:
        # A closed-ended pool pays the GP through the waterfall's carried interest instead.
        raise ValidationFailed(
            "performance_fee: only an open-ended pool has a performance fee; use the waterfall's "
            "carried interest",
            field="performance_fee",
        )
    rate = _check_rate(terms.rate, "performance_fee.rate")
    hurdle = _check_rate(terms.hurdle_rate, "performance_fee.hurdle_rate")
    catch_up = terms.catch_up_rate
    if catch_up is not None:
        catch_up = _check_rate(catch_up, "performance_fee.catch_up_rate")
    with _fields_under("performance_fee."):
        # The ledger's own terms type: what passes here, the fee maths will accept.
        ledger_fees.PerformanceFeeTerms(
            rate=rate,
            high_water_mark=terms.high_water_mark,
            hurdle_rate=hurdle,
            hurdle=terms.hurdle,
            catch_up_rate=catch_up,
            crystallisation=terms.crystallisation,
            gain_basis=terms.gain_basis,
        )
    return terms.model_copy(update={"rate": rate, "hurdle_rate": hurdle, "catch_up_rate": catch_up})


def _validated_waterfall(
    terms: WaterfallTerms | None, kind: PoolKind, currency: Currency
) -> WaterfallTerms | None:
    if kind is PoolKind.OPEN_ENDED:
        if terms is not None:
            raise ValidationFailed(
                "waterfall: only a closed-ended pool distributes through a waterfall", field="waterfall"
            )
        return None
    if terms is None:
        raise ValidationFailed("waterfall: a closed-ended pool needs its waterfall terms", field="waterfall")
    rates = {
        name: _check_rate(getattr(terms, name), f"waterfall.{name}")
        for name in ("preferred_return_rate", "catch_up_rate", "carried_interest_rate")
    }
    with _fields_under("waterfall."):
        # The ledger's own terms: carry below 100%, catch-up 0 or above the carry rate.
        ledger_waterfall.WaterfallTerms(
            currency=currency,
            compounding=terms.compounding,
            day_count=terms.day_count,
            **rates,
        )
    equalisation = _check_rate(terms.equalisation_interest_rate, "waterfall.equalisation_interest_rate")
    tax_rate = _check_rate(terms.clawback_tax_rate, "waterfall.clawback_tax_rate")
    _check_clawback(terms, tax_rate)
    return terms.model_copy(
        update={**rates, "equalisation_interest_rate": equalisation, "clawback_tax_rate": tax_rate}
    )


def _check_clawback(terms: WaterfallTerms, tax_rate: Decimal) -> None:
    """Clawback terms belong to the American waterfall: the European one pays the GP only on
    the whole fund's figures, so it has no deal-by-deal excess to give back."""
    if terms.style is WaterfallStyle.EUROPEAN:
        for name, default in (
            ("clawback_tax_offset", TaxOffset.NONE),
            ("clawback_tax_rate", Decimal(0)),
            ("interim_clawback", False),
        ):
            if getattr(terms, name) != default:
                raise ValidationFailed(
                    f"waterfall.{name}: the clawback is a term of the American (deal-by-deal) waterfall",
                    field=f"waterfall.{name}",
                )
    if terms.clawback_tax_offset is TaxOffset.NONE and tax_rate:
        raise ValidationFailed(
            "waterfall.clawback_tax_rate: a tax rate needs a clawback_tax_offset that uses it",
            field="waterfall.clawback_tax_rate",
        )
