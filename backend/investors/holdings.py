"""What each investor holds in each pool: committed, contributed, unfunded, distributed, fees
borne, units and capital account, from the commitments kept here and the position the books
hold (the ledger provides it).

Whether a user participates in a pool also decides which pools an investor may see.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import func, select

from backend.finance.money import get_currency
from backend.investors.access import InvestorAccess
from backend.investors.models import Investor, PoolCommitment
from backend.investors.schemas import Participation, Position
from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import NotFound
from backend.platform.unit_of_work import ReadView
from backend.pools.interface import PoolKind, PoolService

PositionProvider = Callable[[int, int], Position]
"""(investor id, pool id) -> the investor's position in the pool as the books have it."""


class InvestorHoldings:
    def __init__(
        self, db: Database, pools: PoolService, access: InvestorAccess, *, positions: PositionProvider
    ) -> None:
        self._db = db
        self._pools = pools
        self._access = access
        self._positions = positions

    def participates(self, user_id: int, pool_id: int) -> bool:
        """Whether this user is an investor in the pool. Until the ledger exists that means
        a commitment; holding units of an open-ended pool will count too."""
        with ReadView(self._db) as view:
            found = view.session.scalar(
                select(PoolCommitment.id)
                .join(Investor, Investor.id == PoolCommitment.investor_id)
                .where(Investor.user_id == user_id, PoolCommitment.pool_id == pool_id)
                .limit(1)
            )
            return found is not None

    def participating_pool_ids(self, user_id: int) -> set[int]:
        with ReadView(self._db) as view:
            rows = view.session.scalars(
                select(PoolCommitment.pool_id)
                .join(Investor, Investor.id == PoolCommitment.investor_id)
                .where(Investor.user_id == user_id)
                .distinct()
            )
            return set(rows)

    def participation(self, actor: Actor, investor_id: int, pool_id: int) -> Participation:
        """One investor's figures in one pool, for the investor themselves or the pool's staff."""
        with ReadView(self._db, actor.reader_key) as view:
            self._access.investor_for(view.session, actor, investor_id)
            committed = view.session.scalar(
                select(func.sum(PoolCommitment.amount)).where(
                    PoolCommitment.investor_id == investor_id, PoolCommitment.pool_id == pool_id
                )
            )
        pool = self._pools.get_pool(actor, pool_id)
        currency = get_currency(pool.base_currency)
        zero = Decimal(0).quantize(currency.quantum)
        committed_amount = Decimal(committed or 0).quantize(currency.quantum)
        position = self._positions(investor_id, pool_id)
        if pool.kind is not PoolKind.CLOSED_ENDED:
            committed_amount = zero  # nothing is committed to an open-ended pool
        unfunded = (
            committed_amount - position.called + position.recallable
            if pool.kind is PoolKind.CLOSED_ENDED
            else zero
        )
        return Participation(
            investor_id=investor_id,
            pool_id=pool_id,
            pool_kind=pool.kind,
            currency=currency.code,
            committed=committed_amount,
            contributed=position.contributed,
            unfunded=unfunded,
            distributed=position.distributed,
            fees_borne=position.fees_borne,
            units_held=position.units_held,
            capital_account=position.capital_account,
        )

    def holdings(self, actor: Actor, investor_id: int) -> list[Participation]:
        """The investor's participation in every pool they are in that the actor may see."""
        with ReadView(self._db, actor.reader_key) as view:
            self._access.investor_for(view.session, actor, investor_id)
            pool_ids = sorted(
                view.session.scalars(
                    select(PoolCommitment.pool_id).where(PoolCommitment.investor_id == investor_id).distinct()
                )
            )
        holdings = []
        for pool_id in pool_ids:
            try:
                holdings.append(self.participation(actor, investor_id, pool_id))
            except NotFound:  # a manager sees this investor's stake in their own pools only
                continue
        return holdings
