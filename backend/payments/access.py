"""Who may see and act on payments: the pool's managers and admins act; an investor sees only
their own requests and payments; nobody else learns that a payment exists (NotFound)."""

from __future__ import annotations

from backend.investors.interface import InvestorService
from backend.platform.actors import Actor, Role
from backend.platform.errors import NotFound
from backend.pools.interface import PoolService


class PaymentAccess:
    def __init__(self, pools: PoolService, investors: InvestorService) -> None:
        self._pools = pools
        self._investors = investors

    def own_investor(self, actor: Actor) -> int | None:
        """The investor profile of an investor-role actor; None for anyone else."""
        if actor.role is not Role.INVESTOR or actor.user_id is None:
            return None
        profile = self._investors.investor_for_user(actor.user_id)
        return profile.id if profile is not None else None

    def manages(self, actor: Actor, pool_id: int) -> bool:
        return actor.is_admin or (actor.role is Role.MANAGER and self._pools.can_manage(actor, pool_id))

    def may_see(self, actor: Actor, pool_id: int, investor_id: int) -> bool:
        return self.manages(actor, pool_id) or (
            self.own_investor(actor) is not None and self.own_investor(actor) == investor_id
        )

    def require_manage(self, actor: Actor, pool_id: int, what: str, field: str) -> None:
        if not self.manages(actor, pool_id):
            raise NotFound(f"{what} not found", field=field)
