"""The pools service as its callers see it: pools, their terms, their managers and analysts (a
Protocol) and the types that go in and out.

Callers import this module only. The container binds `DatabasePoolService` (service.py); the
gRPC client of a later issue implements the same Protocol."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from backend.platform.actors import Actor
from backend.pools.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ExactDecimal,
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
    ShareClassTerms,
    WaterfallStyle,
    WaterfallTerms,
)
from backend.pools.team_schemas import AnalystGrantOut, PoolTeamOut, TeamMember, UserRef

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "AnalystGrantOut",
    "ExactDecimal",
    "FeeBasis",
    "ManagementFeeTerms",
    "PerformanceFeeTerms",
    "PoolCreate",
    "PoolKind",
    "PoolOut",
    "PoolPage",
    "PoolService",
    "PoolSettings",
    "PoolStatus",
    "PoolTeamOut",
    "PoolUpdate",
    "ShareClassTerms",
    "TeamMember",
    "UserRef",
    "WaterfallStyle",
    "WaterfallTerms",
]


class PoolService(Protocol):
    def create_pool(self, actor: Actor, request: PoolCreate) -> PoolOut: ...

    def check_pool(self, actor: Actor, request: PoolCreate) -> PoolSettings:
        """The settings create_pool would store for `request`, or the error it would raise
        (ValidationFailed naming the field, PermissionDenied); writes nothing. For previews."""
        ...

    def get_pool(self, actor: Actor, pool_id: int) -> PoolOut: ...

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

    def pool_names(self, actor: Actor, pool_ids: Collection[int]) -> dict[int, str]:
        """{pool id: name} for the ids the actor may see, in one read (a list's names)."""

    def pool_terms(self, pool_id: int) -> PoolOut:
        """The pool and all its terms, for a service acting as the system (no actor, no
        authorisation: the caller has already decided the request may go ahead). Read on the
        primary, so terms just changed are seen at once."""

    def terms_of_pools(self, pool_ids: Collection[int]) -> dict[int, PoolOut]:
        """pool_terms for each of the pools, read together ({pool id: pool}), on the primary;
        NotFound for an id that is no pool."""

    def all_pool_ids(self) -> list[int]:
        """Every pool's id, for jobs acting as the system (the nightly snapshots)."""

    def can_read(self, actor: Actor, pool_id: int) -> bool:
        """Whether the pool exists and the actor may see it (get_pool would answer)."""

    def can_manage(self, actor: Actor, pool_id: int) -> bool:
        """Whether the pool exists and the actor may change it: one of its managers, or an admin
        (for services acting on a pool's behalf)."""

    def managed_among(self, actor: Actor, pool_ids: Collection[int]) -> set[int]:
        """Those of the pools that exist and the actor may change (can_manage for each), in one
        read however many are asked."""

    def require_manage(self, actor: Actor, pool_id: int) -> PoolOut:
        """The pool, if the actor may change it; else NotFound (cannot see it) or PermissionDenied
        (may see it, read-only) -- the same answers the pool's own changes give. For gating a write
        elsewhere, so it reads the primary: a manager removed a moment ago is refused."""

    def update_pool(self, actor: Actor, pool_id: int, update: PoolUpdate) -> PoolOut: ...

    def check_update(self, actor: Actor, pool_id: int, update: PoolUpdate) -> PoolSettings:
        """The pool's settings as update_pool would leave them, or the error it would raise;
        writes nothing. For previews."""
        ...

    def close_pool(self, actor: Actor, pool_id: int) -> PoolOut:
        """Stop taking new money: no new investors, subscriptions or commitments."""

    def liquidate_pool(self, actor: Actor, pool_id: int) -> PoolOut:
        """Start winding the pool up: only distributions and redemptions remain."""

    def finish_liquidation(self, actor: Actor, pool_id: int) -> PoolOut:
        """Mark a liquidating pool liquidated: final, its settings freeze."""

    def delete_pool(self, actor: Actor, pool_id: int) -> None:
        """Remove a pool that never had anything booked (set up by mistake); otherwise close it."""

    def team(self, actor: Actor, pool_id: int) -> PoolTeamOut:
        """The pool's managers and analysts by name, for its managers and admins (who also see
        email addresses); anyone else who may see the pool gets PermissionDenied."""

    def add_manager(self, actor: Actor, pool_id: int, user: int | str) -> PoolOut:
        """Add an active manager-role user (by id, or by email address) as a co-manager."""

    def remove_manager(self, actor: Actor, pool_id: int, user_id: int) -> PoolOut:
        """Remove a manager, themselves included, as long as another manager stays."""

    def grant_analyst(self, actor: Actor, pool_id: int, user: int | str) -> AnalystGrantOut:
        """Give an active analyst-role user (by id, or by email address) read access."""

    def revoke_analyst(self, actor: Actor, pool_id: int, user_id: int) -> None: ...
