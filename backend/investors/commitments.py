"""Commitments: the capital an investor signs up to give a closed-ended pool, drawn later by
capital calls.

Commitments are taken by the managers of an open, closed-ended pool (or an admin), from
KYC-approved investors only, at the pool currency's precision. Several commitments of one
investor to one pool add up: rows are only ever added, so who committed what, when, stays
visible. The ledger calls capital pro rata to each investor's total.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from backend.audit.interface import AuditService
from backend.finance.errors import LedgerInputError
from backend.finance.money import Currency, check_cash, get_currency
from backend.investors.models import Investor, PoolCommitment
from backend.investors.paging import check_limit
from backend.investors.profiles import check_approved
from backend.investors.schemas import CommitmentCreate, CommitmentOut, CommitmentPage
from backend.platform.actors import Actor, Role
from backend.platform.db import Database
from backend.platform.errors import Conflict, ValidationFailed
from backend.platform.in_lists import in_slices, read_back
from backend.platform.unit_of_work import ReadView, UnitOfWork
from backend.pools.interface import DEFAULT_PAGE_SIZE, PoolKind, PoolService, PoolStatus


def _commitment_out(row: PoolCommitment) -> CommitmentOut:
    return CommitmentOut(
        id=row.id,
        pool_id=row.pool_id,
        investor_id=row.investor_id,
        amount=row.amount.quantize(get_currency(row.currency).quantum),
        currency=row.currency,
        effective_date=row.effective_date,
        created_at=row.created_at,
    )


_AUDITED = {"pool_id", "investor_id", "amount", "currency", "effective_date"}
"""What the audit trail keeps of a new commitment."""


def _committed_amount(request: CommitmentCreate, currency: Currency) -> Decimal:
    try:
        amount = check_cash(request.amount, currency, "amount")
    except LedgerInputError as exc:
        raise ValidationFailed(f"amount: {exc.reason}", field="amount") from None
    if amount <= 0:
        raise ValidationFailed(f"amount: must be more than 0, got {amount}", field="amount")
    return amount


class CommitmentBook:
    def __init__(
        self,
        db: Database,
        audit: AuditService,
        pools: PoolService,
        *,
        own_investor_ids: Callable[[Actor], list[int]],
        today: Callable[[], date],
    ) -> None:
        self._db = db
        self._audit = audit
        self._pools = pools
        self._own_investor_ids = own_investor_ids
        self._today = today

    def create_commitment(self, actor: Actor, pool_id: int, request: CommitmentCreate) -> CommitmentOut:
        return self.create_commitments(actor, pool_id, [request])[0]

    def create_commitments(
        self, actor: Actor, pool_id: int, requests: Sequence[CommitmentCreate]
    ) -> list[CommitmentOut]:
        """Commitments to one pool in one transaction, all or none (a first close's book of
        subscription agreements), each checked as one alone would be, in a few statements."""
        # NotFound when the actor may not see the pool; PermissionDenied when read-only.
        pool = self._pools.require_manage(actor, pool_id)
        if pool.kind is not PoolKind.CLOSED_ENDED:
            raise ValidationFailed(
                f"pool_id: pool {pool_id} is open-ended; investors subscribe for units there instead",
                field="pool_id",
            )
        if pool.status is not PoolStatus.OPEN:
            raise Conflict(
                f"status: pool {pool_id} is {pool.status}; it takes no new commitments", field="status"
            )
        currency = get_currency(pool.base_currency)
        amounts = [_committed_amount(request, currency) for request in requests]
        with UnitOfWork(self._db, actor.reader_key) as uow:
            # Locked so a KYC decision made meanwhile is either seen here or waits for us;
            # in id order, as every writer that locks several profiles takes them.
            wanted = sorted({request.investor_id for request in requests})
            investors: dict[int, Investor] = {}
            for chunk in in_slices(wanted):
                lock = select(Investor).where(Investor.id.in_(chunk)).order_by(Investor.id).with_for_update()
                locked = uow.session.scalars(lock).all()
                investors |= {investor.id: investor for investor in locked}
            for request in requests:
                investor = investors.get(request.investor_id)
                if investor is None:
                    raise ValidationFailed(
                        f"investor_id: investor {request.investor_id} not found", field="investor_id"
                    )
                check_approved(investor)
            rows = [
                PoolCommitment(
                    investor_id=request.investor_id,
                    pool_id=pool_id,
                    amount=amount,
                    currency=currency.code,
                    effective_date=request.effective_date or self._today(),
                    created_by_user_id=actor.user_id,
                )
                for request, amount in zip(requests, amounts, strict=True)
            ]
            uow.session.add_all(rows)
            uow.session.flush()
            read_back(uow.session, PoolCommitment, [row.id for row in rows])
            out = [_commitment_out(row) for row in rows]
            self._audit.record_many(
                uow.session,
                actor,
                "commitment.created",
                "commitment",
                [(made.id, made.model_dump(mode="json", include=_AUDITED)) for made in out],
            )
            uow.commit()
            return out

    def list_commitments(
        self, actor: Actor, pool_id: int, *, cursor: int | None = None, limit: int = DEFAULT_PAGE_SIZE
    ) -> CommitmentPage:
        """A pool's commitments, to whoever may see the pool; an investor sees only their own."""
        check_limit(limit)
        self._pools.get_pool(actor, pool_id)
        stmt = (
            select(PoolCommitment)
            .where(PoolCommitment.pool_id == pool_id)
            .order_by(PoolCommitment.id)
            .limit(limit + 1)
        )
        if actor.role is Role.INVESTOR:
            stmt = stmt.where(PoolCommitment.investor_id.in_(self._own_investor_ids(actor)))
        if cursor is not None:
            stmt = stmt.where(PoolCommitment.id > cursor)
        with ReadView(self._db, actor.reader_key) as view:
            rows = list(view.session.scalars(stmt).all())
            more = len(rows) > limit
            rows = rows[:limit]
            return CommitmentPage(
                items=[_commitment_out(r) for r in rows], next_cursor=rows[-1].id if more else None
            )

    def commitments_for_pool(self, pool_id: int) -> list[tuple[int, Decimal]]:
        """(investor id, total committed) per investor, in investor id order: the ledger's
        basis for pro rata capital calls and commitment-based fees. Read on the primary, so a
        commitment just recorded is never left out of a call: on its autocommit reader
        (ReadView(primary=True)), as every check gating a write is; a writer's session here
        cost each capital call the ROLLBACK that ended its read-only transaction."""
        stmt = (
            select(
                PoolCommitment.investor_id,
                func.sum(PoolCommitment.amount),
                func.min(PoolCommitment.currency),
            )
            .where(PoolCommitment.pool_id == pool_id)
            .group_by(PoolCommitment.investor_id)
            .order_by(PoolCommitment.investor_id)
        )
        with ReadView(self._db, primary=True) as view:
            return [
                (investor_id, Decimal(total).quantize(get_currency(code).quantum))
                for investor_id, total, code in view.session.execute(stmt)
            ]

    def has_commitments(self, pool_id: int) -> bool:
        """Whether anything was committed to the pool (then it cannot be deleted). On the primary."""
        with UnitOfWork(self._db) as view:
            found = view.session.scalar(
                select(PoolCommitment.id).where(PoolCommitment.pool_id == pool_id).limit(1)
            )
            return found is not None
