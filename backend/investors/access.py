"""Who may see an investor's profile, and whose contact details a manager may read or change.

Staff (admins and managers) find every investor profile, for KYC onboarding; an investor
sees only their own; an analyst sees none (personal data). A manager sees and changes the
contact details of their own investors only: those they onboarded, or who committed to or
hold units in a pool they manage. Otherwise one manager could read another's client list or
redirect their notices.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from backend.investors.models import Investor, PoolCommitment
from backend.investors.profiles import investor_out, not_found, without_contact
from backend.investors.schemas import InvestorOut
from backend.platform.actors import Actor, Role
from backend.platform.errors import PermissionDenied
from backend.platform.in_lists import in_slices
from backend.pools.interface import PoolService

HoldingPools = Callable[[Collection[int]], Mapping[int, Collection[int]]]
"""investor ids -> {investor id: the pools the books show them holding an account in}."""


def is_staff(actor: Actor) -> bool:
    return actor.is_admin or actor.role is Role.MANAGER


class InvestorAccess:
    def __init__(self, pools: PoolService, holding_pools: HoldingPools) -> None:
        self._pools = pools
        self._holding_pools = holding_pools

    def visible(self, actor: Actor) -> ColumnElement[bool]:
        if is_staff(actor):
            return true()
        if actor.role is Role.INVESTOR and actor.user_id is not None:
            return Investor.user_id == actor.user_id
        if actor.role is Role.ANALYST:
            raise PermissionDenied("analysts do not see investor profiles")
        return false()

    def investor_for(
        self, session: Session, actor: Actor, investor_id: int, *, lock: bool = False
    ) -> Investor:
        stmt = select(Investor).where(Investor.id == investor_id, self.visible(actor))
        investor = session.scalar(stmt.with_for_update() if lock else stmt)
        if investor is None:
            raise not_found(investor_id)
        return investor

    def as_seen_by(self, session: Session, actor: Actor, investors: Sequence[Investor]) -> list[InvestorOut]:
        """Profiles as ``actor`` may read them. A manager finds any approved investor by name
        (to onboard them to a pool), but sees contact details only of their own investors
        (:meth:`related`): another manager's clients' emails and phones are not theirs."""
        outs = [investor_out(i) for i in investors]
        if actor.is_admin or actor.role is not Role.MANAGER:
            return outs  # an investor reads only their own profile (visible)
        theirs = self.related_among(session, actor, investors)
        return [
            out if investor.id in theirs else without_contact(out)
            for investor, out in zip(investors, outs, strict=True)
        ]

    def related(self, session: Session, actor: Actor, investor: Investor) -> bool:
        """Whether the investor is this manager's: onboarded by them, or committed to or
        holding units in a pool they manage."""
        return investor.id in self.related_among(session, actor, [investor])

    def related_among(self, session: Session, actor: Actor, investors: Sequence[Investor]) -> set[int]:
        """The ids of those investors who are this manager's (:meth:`related`), in a fixed
        number of reads: a page of fifty names took two hundred statements one by one."""
        theirs = {
            i.id
            for i in investors
            if i.created_by_user_id is not None and i.created_by_user_id == actor.user_id
        }
        rest = sorted({i.id for i in investors} - theirs)
        if not rest:
            return theirs
        pools: dict[int, set[int]] = defaultdict(set)
        for chunk in in_slices(rest):
            committed = select(PoolCommitment.investor_id, PoolCommitment.pool_id).where(
                PoolCommitment.investor_id.in_(chunk)
            )
            for investor_id, pool_id in session.execute(committed.distinct()):
                pools[int(investor_id)].add(int(pool_id))
        for investor_id, held in self._holding_pools(rest).items():
            pools[investor_id].update(held)
        managed = self._pools.managed_among(actor, set().union(*pools.values()))
        return theirs | {i for i in rest if pools[i] & managed}

    def require_relationship(self, session: Session, actor: Actor, investor: Investor) -> None:
        """A manager changes an investor's profile (KYC, contact details) only when the investor
        is theirs (:meth:`related`). Otherwise one manager could reject another's investor or
        redirect their notices."""
        if self.related(session, actor, investor):
            return
        raise PermissionDenied(
            f"investor_id: investor {investor.id} is in none of your pools and was onboarded by "
            "another manager; an admin or one of their managers changes their profile",
            field="investor_id",
        )
