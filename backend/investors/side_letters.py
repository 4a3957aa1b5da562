"""Side letters: one investor's own fee and carry terms in a closed-ended pool.

A pool's managers record them (or an admin), for investors committed to the pool; one per
investor and pool, replaced as a whole when it changes, each change audited with the terms
before and after. The ledger's fee and distribution rules read them when they post
(backend.finance.investor_terms says how they apply); the entries keep the rates they
applied in their workings, so a later change never rewrites what was booked.

A withdrawn letter stays as a row marked withdrawn (`withdrawn_at`) and reads as absent
everywhere: the time of the withdrawal is then a change of the pool's terms like any other.

Who sees them: the pool's managers and admins, all of the pool's; the investor, their own.
Analysts, even granted the pool, do not: a side letter is a commercial term between the
manager and one investor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from backend.audit.interface import AuditService
from backend.investors.models import PoolCommitment, SideLetter
from backend.investors.schemas import SideLetterOut, SideLetterPage, SideLetterTerms
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.platform.orm import RATE_SCALE, utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from backend.pools.interface import PoolKind, PoolOut, PoolService, PoolStatus

_AUDITED = {
    "reference",
    "management_fee_rate",
    "management_fee_waiver",
    "carried_interest_rate",
    "gp_commitment",
    "management_fee_holiday_until",
}


def _shown(rate: Decimal | None) -> Decimal | None:
    """Stored at 6 places; shown as written (0.015, not 0.015000)."""
    if rate is None:
        return None
    return rate.normalize() if rate else Decimal(0)


def _out(row: SideLetter) -> SideLetterOut:
    return SideLetterOut(
        pool_id=row.pool_id,
        investor_id=row.investor_id,
        reference=row.reference,
        management_fee_rate=_shown(row.management_fee_rate),
        management_fee_waiver=_shown(row.management_fee_waiver) or Decimal(0),
        carried_interest_rate=_shown(row.carried_interest_rate),
        gp_commitment=row.gp_commitment,
        management_fee_holiday_until=row.management_fee_holiday_until,
        updated_at=row.updated_at,
    )


def _rate(value: Decimal | None, field: str, *, high: Decimal, what: str) -> None:
    if value is None:
        return
    if not value.is_finite() or value < 0 or value > high:
        raise ValidationFailed(f"{field}: must be from 0 to {high} ({what}), got {value}", field=field)
    if -value.as_tuple().exponent > RATE_SCALE:  # type: ignore[operator]
        raise ValidationFailed(
            f"{field}: at most {RATE_SCALE} decimal places (0.015 is 1.5%), got {value}", field=field
        )


def check_terms(pool: PoolOut, terms: SideLetterTerms) -> None:
    """The letter's rates are rates, and it may lower the pool's carry, never raise it (the
    waterfall sizes the GP's tiers at the pool's rate)."""
    _rate(terms.management_fee_rate, "management_fee_rate", high=Decimal(1), what="a fraction a year")
    _rate(terms.management_fee_waiver, "management_fee_waiver", high=Decimal(1), what="1 waives it all")
    holiday = terms.management_fee_holiday_until
    if holiday is not None and holiday < pool.inception_date:
        raise ValidationFailed(
            f"management_fee_holiday_until: {holiday} is before the pool's inception {pool.inception_date}",
            field="management_fee_holiday_until",
        )
    carry = terms.carried_interest_rate
    if carry is None:
        return
    if pool.waterfall is None:
        raise ValidationFailed(
            f"carried_interest_rate: pool {pool.id} has no waterfall terms, so no carried interest to change",
            field="carried_interest_rate",
        )
    _rate(carry, "carried_interest_rate", high=pool.waterfall.carried_interest_rate, what="the pool's carry")


class SideLetterBook:
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        pools: PoolService,
        *,
        own_investor_ids: Callable[[Actor], list[int]],
    ) -> None:
        self._db = db
        self._audit = audit
        self._pools = pools
        self._own_investor_ids = own_investor_ids

    def check_side_letter(
        self, actor: Actor, pool_id: int, investor_id: int, terms: SideLetterTerms
    ) -> SideLetterOut | None:
        """Every check :meth:`put_side_letter` makes, writing nothing (a preview); the
        investor's letter as it stands, or None."""
        self._checked_pool(actor, pool_id, terms)
        with UnitOfWork(self._db, actor.reader_key) as uow:
            self._check_committed(uow, pool_id, investor_id)
            row = uow.session.scalar(
                select(SideLetter).where(SideLetter.pool_id == pool_id, SideLetter.investor_id == investor_id)
            )
            return _out(row) if row is not None and row.withdrawn_at is None else None

    def _checked_pool(self, actor: Actor, pool_id: int, terms: SideLetterTerms) -> PoolOut:
        pool = self._pools.require_manage(actor, pool_id)
        if pool.kind is not PoolKind.CLOSED_ENDED:
            raise ValidationFailed(
                f"pool_id: pool {pool_id} is open-ended; its investors' terms differ by share class, "
                "not by side letter",
                field="pool_id",
            )
        if pool.status is PoolStatus.LIQUIDATED:
            raise Conflict(f"status: pool {pool_id} is liquidated; its terms are final", field="status")
        check_terms(pool, terms)
        return pool

    @staticmethod
    def _check_committed(uow: UnitOfWork, pool_id: int, investor_id: int) -> None:
        committed = uow.session.scalar(
            select(PoolCommitment.id)
            .where(PoolCommitment.pool_id == pool_id, PoolCommitment.investor_id == investor_id)
            .limit(1)
        )
        if committed is None:
            raise ValidationFailed(
                f"investor_id: investor {investor_id} has no commitment to pool {pool_id}",
                field="investor_id",
            )

    def put_side_letter(
        self, actor: Actor, pool_id: int, investor_id: int, terms: SideLetterTerms
    ) -> SideLetterOut:
        self._checked_pool(actor, pool_id, terms)
        with UnitOfWork(self._db, actor.reader_key) as uow:
            self._check_committed(uow, pool_id, investor_id)
            row = uow.session.scalar(
                select(SideLetter)
                .where(SideLetter.pool_id == pool_id, SideLetter.investor_id == investor_id)
                .with_for_update()
            )
            live = row is not None and row.withdrawn_at is None
            before = _out(row).model_dump(mode="json", include=_AUDITED) if row is not None and live else None
            if row is None:
                row = SideLetter(pool_id=pool_id, investor_id=investor_id)
                uow.session.add(row)
            row.withdrawn_at = None
            row.reference = terms.reference.strip()
            row.management_fee_rate = terms.management_fee_rate
            row.management_fee_waiver = terms.management_fee_waiver
            row.carried_interest_rate = terms.carried_interest_rate
            row.gp_commitment = terms.gp_commitment
            row.management_fee_holiday_until = terms.management_fee_holiday_until
            row.updated_by_user_id = actor.user_id
            uow.session.flush()
            uow.session.refresh(row)
            out = _out(row)
            self._audit.record(
                uow.session,
                actor,
                "side_letter.recorded",
                "side_letter",
                row.id,
                before=before,
                after={
                    "pool_id": pool_id,
                    "investor_id": investor_id,
                    **out.model_dump(mode="json", include=_AUDITED),
                },
            )
            uow.commit()
            return out

    def delete_side_letter(self, actor: Actor, pool_id: int, investor_id: int) -> None:
        pool = self._pools.require_manage(actor, pool_id)
        if pool.status is PoolStatus.LIQUIDATED:
            raise Conflict(f"status: pool {pool_id} is liquidated; its terms are final", field="status")
        with UnitOfWork(self._db, actor.reader_key) as uow:
            row = uow.session.scalar(
                select(SideLetter)
                .where(SideLetter.pool_id == pool_id, SideLetter.investor_id == investor_id)
                .with_for_update()
            )
            if row is None or row.withdrawn_at is not None:
                raise NotFound(f"investor {investor_id} has no side letter in pool {pool_id}")
            before = _out(row).model_dump(mode="json", include=_AUDITED)
            self._audit.record(
                uow.session, actor, "side_letter.withdrawn", "side_letter", row.id, before=before
            )
            row.withdrawn_at = utcnow()
            row.updated_by_user_id = actor.user_id
            uow.commit()

    def list_side_letters(self, actor: Actor, pool_id: int) -> SideLetterPage:
        """All of a pool's side letters to its managers (and admins); an investor's own to the
        investor; nothing to an analyst."""
        self._pools.get_pool(actor, pool_id)  # NotFound unless the actor may see the pool
        stmt = (
            select(SideLetter)
            .where(SideLetter.pool_id == pool_id, SideLetter.withdrawn_at.is_(None))
            .order_by(SideLetter.investor_id)
        )
        if actor.role is Role.INVESTOR:
            stmt = stmt.where(SideLetter.investor_id.in_(self._own_investor_ids(actor)))
        elif not self._pools.can_manage(actor, pool_id):
            raise PermissionDenied("side letters are shown to the pool's managers and to each investor")
        with ReadView(self._db, actor.reader_key) as view:
            return SideLetterPage(items=[_out(r) for r in view.session.scalars(stmt)])

    def side_letters_for_pool(self, pool_id: int) -> dict[int, SideLetterOut]:
        """{investor id: side letter} for the ledger's rules, on the primary, so a letter just
        recorded applies to the next entry."""
        stmt = (
            select(SideLetter)
            .where(SideLetter.pool_id == pool_id, SideLetter.withdrawn_at.is_(None))
            .order_by(SideLetter.investor_id)
        )
        with UnitOfWork(self._db) as view:
            return {row.investor_id: _out(row) for row in view.session.scalars(stmt)}

    def side_letters_changed_at(self, pool_id: int) -> datetime | None:
        """When any of the pool's side letters last changed, withdrawals included; None when it
        never had one (system, primary)."""
        with UnitOfWork(self._db) as view:
            changed: datetime | None = view.session.scalar(
                select(func.max(SideLetter.updated_at)).where(SideLetter.pool_id == pool_id)
            )
            return changed
