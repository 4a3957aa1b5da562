"""Pool service: create and run investment pools, and decide who may see or change each one.

Who may do what, per pool (decided here, never only in the portal or the API):

* admin: everything, on every pool.
* manager: creates pools (becoming their first manager); sees and changes only the pools
  they manage. Anyone else's pool answers NotFound, exactly like a missing one, so pool
  ids of other managers are never confirmed.
* analyst: reads the pools an admin or one of the pool's managers granted; never changes one.
* investor: reads the pools they participate in (the investor service knows which).

Someone who may see a pool but not change it (an analyst, an investor) gets PermissionDenied
for a change; someone who may not see it gets NotFound.

Status transitions (anything else is a Conflict naming `status`):

    close               open                -> closed
    liquidate           open | closed       -> liquidating
    finish_liquidation  liquidating         -> liquidated   (final; settings freeze)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, delete, false, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.audit.service import AuditService
from backend.finance import fees as ledger_fees
from backend.finance import waterfall as ledger_waterfall
from backend.finance.daycount import DayCount
from backend.finance.errors import LedgerInputError
from backend.finance.fees import AccrualFrequency
from backend.finance.money import (
    Currency,
    check_cash,
    check_nav_per_unit,
    check_rate,
    check_scale,
    get_currency,
)
from backend.finance.waterfall import Compounding
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.platform.orm import RATE_SCALE, utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork, take_sqlite_writer_lock
from backend.pools.models import Pool, PoolAnalystGrant, PoolManager
from backend.pools.schemas import (
    AnalystGrantOut,
    FeeBasis,
    ManagementFeeTerms,
    PerformanceFeeTerms,
    PoolCreate,
    PoolKind,
    PoolOut,
    PoolPage,
    PoolSettings,
    PoolStatus,
    PoolUpdate,
    WaterfallStyle,
    WaterfallTerms,
)
from backend.users.service import UserService

HasEntries = Callable[[int], bool]
PoolDeleted = Callable[[Session, int], None]
"""Told, inside the deleting transaction, that a pool is gone: another service drops what it
kept for the pool (a benchmark assignment, snapshots), so nothing outlives its pool."""
"""pool id -> whether the books hold anything for the pool (then it can only be closed)."""
Participates = Callable[[int, int], bool]
"""(user id, pool id) -> whether that user is an investor in the pool."""
ParticipatingPoolIds = Callable[[int], set[int]]
"""user id -> ids of the pools that user is an investor in."""

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

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
    {"name", "kind", "base_currency", "inception_date", "initial_nav_per_unit", "minimum_subscription"}
)


def _utc_today() -> date:
    return utcnow().date()


def _not_found(pool_id: int) -> NotFound:
    return NotFound(f"pool {pool_id} not found")


@contextmanager
def _fields_under(prefix: str = "") -> Iterator[None]:
    """Turn the ledger's input errors into ValidationFailed naming the field as the caller sent it."""
    try:
        yield
    except LedgerInputError as exc:
        field = f"{prefix}{exc.field}"
        raise ValidationFailed(f"{field}: {exc.reason}", field=field) from None


def _check_rate(value: Decimal, field: str) -> Decimal:
    with _fields_under():
        rate = check_rate(value, field)
        # Stored at RATE_SCALE places; more would be refused by the column, not rounded.
        check_scale(rate, RATE_SCALE, field, "rates")
    return rate


def _validated(settings: PoolSettings, today: date) -> PoolSettings:
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
    return PoolSettings(
        name=name,
        kind=kind,
        base_currency=currency.code,
        inception_date=settings.inception_date,
        initial_nav_per_unit=nav,
        management_fee=_validated_management_fee(settings.management_fee, kind),
        performance_fee=_validated_performance_fee(settings.performance_fee, kind),
        waterfall=_validated_waterfall(settings.waterfall, kind, currency),
        minimum_subscription=minimum,
    )


def _validated_management_fee(terms: ManagementFeeTerms | None, kind: PoolKind) -> ManagementFeeTerms | None:
    if terms is None:
        return None
    rate = _check_rate(terms.rate, "management_fee.rate")
    if terms.basis not in _FEE_BASES_BY_KIND[kind]:
        allowed = ", ".join(sorted(_FEE_BASES_BY_KIND[kind]))
        raise ValidationFailed(
            f"management_fee.basis: a {kind} pool charges on {allowed}, not {terms.basis}",
            field="management_fee.basis",
        )
    return terms.model_copy(update={"rate": rate})


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
    with _fields_under("performance_fee."):
        # The ledger's own terms type: what passes here, the fee maths will accept.
        ledger_fees.PerformanceFeeTerms(rate=rate, high_water_mark=terms.high_water_mark, hurdle_rate=hurdle)
    return terms.model_copy(update={"rate": rate, "hurdle_rate": hurdle})


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
    return terms.model_copy(update=rates)


def _write_settings(pool: Pool, settings: PoolSettings) -> None:
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
    perf = settings.performance_fee
    pool.performance_fee_rate = perf.rate if perf else None
    pool.performance_fee_high_water_mark = perf.high_water_mark if perf else None
    pool.performance_fee_hurdle_rate = perf.hurdle_rate if perf else None
    wf = settings.waterfall
    pool.waterfall_style = wf.style.value if wf else None
    pool.preferred_return_rate = wf.preferred_return_rate if wf else None
    pool.waterfall_compounding = wf.compounding.value if wf else None
    pool.catch_up_rate = wf.catch_up_rate if wf else None
    pool.carried_interest_rate = wf.carried_interest_rate if wf else None
    pool.waterfall_day_count = wf.day_count.value if wf else None


def _stored(value: str | None) -> str:
    if value is None:  # written together with the term that guards the read
        raise RuntimeError("pool terms are incomplete in the database")
    return value


def _rate(value: Decimal | None) -> Decimal:
    if value is None:  # written together with the term that guards the read
        raise RuntimeError("pool terms are incomplete in the database")
    # Stored at 6 places; shown as written (0.02, not 0.020000).
    return value.normalize() if value else Decimal(0)


def _settings_of(pool: Pool) -> PoolSettings:
    currency = get_currency(pool.base_currency)
    management_fee = None
    if pool.management_fee_basis is not None:
        management_fee = ManagementFeeTerms(
            rate=_rate(pool.management_fee_rate),
            basis=FeeBasis(pool.management_fee_basis),
            frequency=AccrualFrequency(_stored(pool.management_fee_frequency)),
            day_count=DayCount(_stored(pool.management_fee_day_count)),
        )
    performance_fee = None
    if pool.performance_fee_rate is not None:
        performance_fee = PerformanceFeeTerms(
            rate=_rate(pool.performance_fee_rate),
            high_water_mark=bool(pool.performance_fee_high_water_mark),
            hurdle_rate=_rate(pool.performance_fee_hurdle_rate),
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
    )


def _out(pool: Pool, manager_ids: list[int]) -> PoolOut:
    settings = _settings_of(pool)
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


def _summary(settings: PoolSettings) -> dict[str, Any]:
    summary: dict[str, Any] = settings.model_dump(mode="json")
    return summary


class PoolService:
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        users: UserService,
        *,
        has_entries: HasEntries,
        participates: Participates,
        participating_pool_ids: ParticipatingPoolIds,
        on_delete: Sequence[PoolDeleted] = (),
        today: Callable[[], date] = _utc_today,
    ) -> None:
        self._on_delete = tuple(on_delete)
        self._db = db
        self._audit = audit
        self._users = users
        self._has_entries = has_entries
        self._participates = participates
        self._participating_pool_ids = participating_pool_ids
        self._today = today

    # -- create and read -------------------------------------------------------------

    def create_pool(self, actor: Actor, request: PoolCreate) -> PoolOut:
        manager_id = self._first_manager(actor, request.manager_user_id)
        settings = _validated(request, self._today())
        with UnitOfWork(self._db, actor.reader_key) as uow:
            pool = Pool(status=PoolStatus.OPEN.value)
            _write_settings(pool, settings)
            uow.session.add(pool)
            uow.session.flush()
            uow.session.add(PoolManager(pool_id=pool.id, user_id=manager_id))
            uow.session.flush()
            # Read back as stored: MariaDB keeps whole seconds, so the answer matches later reads.
            uow.session.refresh(pool)
            out = _out(pool, [manager_id])
            self._audit.record(
                uow.session,
                actor,
                "pool.created",
                "pool",
                pool.id,
                after={**_summary(settings), "status": pool.status, "manager_ids": [manager_id]},
            )
            uow.commit()
            return out

    def get_pool(self, actor: Actor, pool_id: int) -> PoolOut:
        with ReadView(self._db, actor.reader_key) as view:
            pool = view.session.get(Pool, pool_id)
            if pool is None or not self._can_see(view.session, actor, pool_id):
                raise _not_found(pool_id)
            return _out(pool, self._manager_ids(view.session, [pool_id])[pool_id])

    def list_pools(
        self,
        actor: Actor,
        *,
        status: PoolStatus | None = None,
        kind: PoolKind | None = None,
        cursor: int | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
    ) -> PoolPage:
        """The pools this actor may see, in id order, `limit` at a time after the id `cursor`."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValidationFailed(f"limit: must be 1..{MAX_PAGE_SIZE}, got {limit}", field="limit")
        with ReadView(self._db, actor.reader_key) as view:
            stmt = select(Pool).order_by(Pool.id).limit(limit + 1)
            visible = self._visible(actor)
            if visible is not None:
                stmt = stmt.where(visible)
            if status is not None:
                stmt = stmt.where(Pool.status == status.value)
            if kind is not None:
                stmt = stmt.where(Pool.kind == kind.value)
            if cursor is not None:
                stmt = stmt.where(Pool.id > cursor)
            pools = list(view.session.scalars(stmt).all())
            more = len(pools) > limit
            pools = pools[:limit]
            managers = self._manager_ids(view.session, [p.id for p in pools])
            return PoolPage(
                items=[_out(p, managers[p.id]) for p in pools],
                next_cursor=pools[-1].id if more else None,
            )

    def pool_terms(self, pool_id: int) -> PoolOut:
        """The pool and all its terms, for a service acting as the system (no actor, no
        authorisation: the caller has already decided the request may go ahead).
        Read on the primary, so terms just changed are seen at once."""
        with UnitOfWork(self._db) as uow:
            pool = uow.session.get(Pool, pool_id)
            if pool is None:
                raise NotFound(f"pool {pool_id} not found", field="pool_id")
            return _out(pool, self._manager_ids(uow.session, [pool_id])[pool_id])

    def all_pool_ids(self) -> list[int]:
        """Every pool's id, for jobs acting as the system (the nightly snapshots)."""
        with ReadView(self._db) as view:
            return list(view.session.scalars(select(Pool.id).order_by(Pool.id)).all())

    def can_read(self, actor: Actor, pool_id: int) -> bool:
        """Whether the pool exists and the actor may see it (get_pool would answer)."""
        with ReadView(self._db, actor.reader_key) as view:
            return view.session.get(Pool, pool_id) is not None and self._can_see(view.session, actor, pool_id)

    def can_manage(self, actor: Actor, pool_id: int) -> bool:
        """Whether the pool exists and the actor may change it: one of its managers, or an admin
        (for services acting on a pool's behalf)."""
        with ReadView(self._db, actor.reader_key) as view:
            return view.session.get(Pool, pool_id) is not None and self._manages(view.session, actor, pool_id)

    def require_manage(self, actor: Actor, pool_id: int) -> PoolOut:
        """The pool, if the actor may change it; else NotFound (cannot see it) or
        PermissionDenied (may see it, read-only) -- the same answers the pool's own changes give.
        For gating a write elsewhere, so it reads the primary: a manager removed a moment ago is refused."""
        with UnitOfWork(self._db, actor.reader_key) as uow:
            session = uow.session
            pool = session.get(Pool, pool_id)
            if pool is None or not self._can_see(session, actor, pool_id):
                raise _not_found(pool_id)
            if not self._manages(session, actor, pool_id):
                raise PermissionDenied(f"read-only access to pool {pool_id}")
            return _out(pool, self._manager_ids(session, [pool_id])[pool_id])

    # -- change settings -------------------------------------------------------------

    def update_pool(self, actor: Actor, pool_id: int, update: PoolUpdate) -> PoolOut:
        changed = update.model_fields_set
        for name in sorted(changed & _NOT_NULLABLE_UPDATES):
            if getattr(update, name) is None:
                raise ValidationFailed(f"{name}: must not be null", field=name)
        with UnitOfWork(self._db, actor.reader_key) as uow:
            pool = self._pool_to_change(uow.session, actor, pool_id)
            if pool.status == PoolStatus.LIQUIDATED:
                raise Conflict(f"pool {pool_id} is liquidated; its settings are final", field="status")
            current = _settings_of(pool)
            merged = PoolSettings.model_validate(
                {**dict(current), **{name: getattr(update, name) for name in changed}}
            )
            new = _validated(merged, self._today())
            before_json, after_json = _summary(current), _summary(new)
            diff = sorted(k for k in after_json if after_json[k] != before_json[k])
            if not diff:
                return _out(pool, self._manager_ids(uow.session, [pool_id])[pool_id])
            # What the books are kept in and priced from cannot move under existing entries.
            for name in ("kind", "base_currency", "initial_nav_per_unit"):
                if name in diff and self._has_entries(pool_id):
                    raise Conflict(
                        f"{name}: cannot change once the pool has entries in its books", field=name
                    )
            _write_settings(pool, new)
            uow.session.flush()
            uow.session.refresh(pool)
            out = _out(pool, self._manager_ids(uow.session, [pool_id])[pool_id])
            self._audit.record(
                uow.session,
                actor,
                "pool.updated",
                "pool",
                pool_id,
                before={k: before_json[k] for k in diff},
                after={k: after_json[k] for k in diff},
            )
            uow.commit()
            return out

    # -- lifecycle -------------------------------------------------------------------

    def close_pool(self, actor: Actor, pool_id: int) -> PoolOut:
        """Stop taking new money: no new investors, subscriptions or commitments."""
        return self._transition(actor, pool_id, "close")

    def liquidate_pool(self, actor: Actor, pool_id: int) -> PoolOut:
        """Start winding the pool up: only distributions and redemptions remain."""
        return self._transition(actor, pool_id, "liquidate")

    def finish_liquidation(self, actor: Actor, pool_id: int) -> PoolOut:
        """Mark a liquidating pool liquidated: final, its settings freeze.

        The ledger will call this once the final distribution leaves nothing in the pool;
        until the ledger exists, nothing checks that here."""
        return self._transition(actor, pool_id, "finish_liquidation")

    def delete_pool(self, actor: Actor, pool_id: int) -> None:
        """Remove a pool that never had anything booked (set up by mistake); otherwise close it."""
        with UnitOfWork(self._db, actor.reader_key) as uow:
            pool = self._pool_to_change(uow.session, actor, pool_id)
            if self._has_entries(pool_id):
                raise Conflict(
                    f"pool {pool_id} has entries in its books and cannot be deleted; close it instead",
                    field="pool_id",
                )
            before = {**_summary(_settings_of(pool)), "status": pool.status}
            uow.session.execute(delete(PoolAnalystGrant).where(PoolAnalystGrant.pool_id == pool_id))
            uow.session.execute(delete(PoolManager).where(PoolManager.pool_id == pool_id))
            for forget in self._on_delete:
                forget(uow.session, pool_id)
            uow.session.delete(pool)
            try:
                uow.session.flush()
            except IntegrityError as exc:
                # Something was recorded against the pool after the check above.
                raise Conflict(
                    f"pool {pool_id} has records against it and cannot be deleted; close it instead",
                    field="pool_id",
                ) from exc
            self._audit.record(uow.session, actor, "pool.deleted", "pool", pool_id, before=before)
            uow.commit()

    # -- managers and analysts ------------------------------------------------------

    def add_manager(self, actor: Actor, pool_id: int, user_id: int) -> PoolOut:
        with UnitOfWork(self._db, actor.reader_key) as uow:
            # Authorised first: someone without rights on the pool learns nothing about the user.
            pool = self._pool_to_change(uow.session, actor, pool_id)
            self._require_user_with_role(user_id, Role.MANAGER, "user_id")
            if uow.session.get(PoolManager, (pool_id, user_id)) is not None:
                raise Conflict(f"user {user_id} already manages pool {pool_id}", field="user_id")
            uow.session.add(PoolManager(pool_id=pool_id, user_id=user_id))
            try:
                uow.session.flush()
            except IntegrityError as exc:  # a concurrent add won the race
                raise Conflict(f"user {user_id} already manages pool {pool_id}", field="user_id") from exc
            managers = self._manager_ids(uow.session, [pool_id])[pool_id]
            self._audit.record(
                uow.session, actor, "pool.manager_added", "pool", pool_id, after={"user_id": user_id}
            )
            out = _out(pool, managers)
            uow.commit()
            return out

    def remove_manager(self, actor: Actor, pool_id: int, user_id: int) -> PoolOut:
        with UnitOfWork(self._db, actor.reader_key) as uow:
            # The pool row lock serialises removals, so two managers removing each other
            # at once cannot leave the pool with none.
            pool = self._pool_to_change(uow.session, actor, pool_id)
            link = uow.session.get(PoolManager, (pool_id, user_id))
            if link is None:
                raise NotFound(f"user {user_id} does not manage pool {pool_id}", field="user_id")
            count = uow.session.scalar(
                select(func.count()).select_from(PoolManager).where(PoolManager.pool_id == pool_id)
            )
            if (count or 0) <= 1:
                raise Conflict(
                    f"user {user_id} is the last manager of pool {pool_id}; add another first",
                    field="user_id",
                )
            uow.session.delete(link)
            uow.session.flush()
            managers = self._manager_ids(uow.session, [pool_id])[pool_id]
            self._audit.record(
                uow.session, actor, "pool.manager_removed", "pool", pool_id, before={"user_id": user_id}
            )
            out = _out(pool, managers)
            uow.commit()
            return out

    def grant_analyst(self, actor: Actor, pool_id: int, user_id: int) -> AnalystGrantOut:
        with UnitOfWork(self._db, actor.reader_key) as uow:
            self._pool_to_change(uow.session, actor, pool_id)
            self._require_user_with_role(user_id, Role.ANALYST, "user_id")
            if uow.session.get(PoolAnalystGrant, (pool_id, user_id)) is not None:
                raise Conflict(f"analyst {user_id} already has access to pool {pool_id}", field="user_id")
            grant = PoolAnalystGrant(pool_id=pool_id, user_id=user_id, granted_by_user_id=actor.user_id)
            uow.session.add(grant)
            try:
                uow.session.flush()
            except IntegrityError as exc:
                raise Conflict(
                    f"analyst {user_id} already has access to pool {pool_id}", field="user_id"
                ) from exc
            uow.session.refresh(grant)
            out = AnalystGrantOut(pool_id=pool_id, user_id=user_id, granted_at=grant.granted_at)
            self._audit.record(
                uow.session, actor, "pool.analyst_granted", "pool", pool_id, after={"user_id": user_id}
            )
            uow.commit()
            return out

    def revoke_analyst(self, actor: Actor, pool_id: int, user_id: int) -> None:
        with UnitOfWork(self._db, actor.reader_key) as uow:
            self._pool_to_change(uow.session, actor, pool_id)
            grant = uow.session.get(PoolAnalystGrant, (pool_id, user_id))
            if grant is None:
                raise NotFound(f"analyst {user_id} has no access to pool {pool_id}", field="user_id")
            uow.session.delete(grant)
            self._audit.record(
                uow.session, actor, "pool.analyst_revoked", "pool", pool_id, before={"user_id": user_id}
            )
            uow.commit()

    # -- internals -------------------------------------------------------------------

    def _transition(self, actor: Actor, pool_id: int, action: str) -> PoolOut:
        allowed_from, target, event = _TRANSITIONS[action]
        with UnitOfWork(self._db, actor.reader_key) as uow:
            pool = self._pool_to_change(uow.session, actor, pool_id)
            current = PoolStatus(pool.status)
            if current not in allowed_from:
                allowed = " or ".join(sorted(allowed_from))
                raise Conflict(
                    f"status: cannot {action.replace('_', ' ')} a pool that is {current}; "
                    f"only from {allowed}",
                    field="status",
                )
            pool.status = target.value
            pool.status_changed_at = utcnow()
            uow.session.flush()
            uow.session.refresh(pool)
            out = _out(pool, self._manager_ids(uow.session, [pool_id])[pool_id])
            self._audit.record(
                uow.session,
                actor,
                event,
                "pool",
                pool_id,
                before={"status": current.value},
                after={"status": target.value},
            )
            uow.commit()
            return out

    def _first_manager(self, actor: Actor, named: int | None) -> int:
        if actor.is_admin:
            if named is None:
                raise ValidationFailed(
                    "manager_user_id: an admin creating a pool names its manager", field="manager_user_id"
                )
            self._require_user_with_role(named, Role.MANAGER, "manager_user_id")
            return named
        if actor.role is not Role.MANAGER or actor.user_id is None:
            raise PermissionDenied("only a manager or an admin may create pools")
        if named is not None and named != actor.user_id:
            raise PermissionDenied(
                "a manager creates pools for themselves; an admin may name another manager",
                field="manager_user_id",
            )
        return actor.user_id

    def _require_user_with_role(self, user_id: int, role: Role, field: str) -> None:
        user = self._users.active_user(user_id)
        if user is None or user.role is not role:
            raise ValidationFailed(f"{field}: user {user_id} is not an active {role} user", field=field)

    def _visible(self, actor: Actor) -> ColumnElement[bool] | None:
        """A filter on Pool for what the actor may see; None when they may see every pool."""
        if actor.is_admin:
            return None
        user_id = actor.user_id
        if user_id is None:
            return false()
        if actor.role is Role.MANAGER:
            return Pool.id.in_(select(PoolManager.pool_id).where(PoolManager.user_id == user_id))
        if actor.role is Role.ANALYST:
            return Pool.id.in_(select(PoolAnalystGrant.pool_id).where(PoolAnalystGrant.user_id == user_id))
        if actor.role is Role.INVESTOR:
            return Pool.id.in_(sorted(self._participating_pool_ids(user_id)))
        return false()

    def _can_see(self, session: Session, actor: Actor, pool_id: int) -> bool:
        if actor.is_admin or self._manages(session, actor, pool_id):
            return True
        user_id = actor.user_id
        if user_id is None:
            return False
        if actor.role is Role.ANALYST:
            return session.get(PoolAnalystGrant, (pool_id, user_id)) is not None
        if actor.role is Role.INVESTOR:
            return self._participates(user_id, pool_id)
        return False

    @staticmethod
    def _manages(session: Session, actor: Actor, pool_id: int) -> bool:
        if actor.is_admin:
            return True
        if actor.role is not Role.MANAGER or actor.user_id is None:
            return False
        return session.get(PoolManager, (pool_id, actor.user_id)) is not None

    def _pool_to_change(self, session: Session, actor: Actor, pool_id: int) -> Pool:
        """The pool locked for change, after checking the actor may change it."""
        # On SQLite the writer lock first, or two changes racing each other both read the
        # old state and the second fails "database is locked" instead of seeing the first.
        take_sqlite_writer_lock(session, Pool.__tablename__, "status")
        if not self._manages(session, actor, pool_id):
            if session.get(Pool, pool_id) is not None and self._can_see(session, actor, pool_id):
                raise PermissionDenied(f"read-only access to pool {pool_id}")
            raise _not_found(pool_id)
        pool = session.get(Pool, pool_id, with_for_update=True)
        if pool is None:
            raise _not_found(pool_id)
        return pool

    @staticmethod
    def _manager_ids(session: Session, pool_ids: list[int]) -> dict[int, list[int]]:
        managers: dict[int, list[int]] = {pool_id: [] for pool_id in pool_ids}
        if pool_ids:
            rows = session.execute(
                select(PoolManager.pool_id, PoolManager.user_id)
                .where(PoolManager.pool_id.in_(pool_ids))
                .order_by(PoolManager.pool_id, PoolManager.user_id)
            )
            for pool_id, user_id in rows:
                managers[pool_id].append(user_id)
        return managers
