"""The services' slices the datasets read: the report service's figures, the pool's name, the
investors' legal names.

Apart from the row builders because every family of datasets reads through them, and because
they are the one place that says what this module needs of each service.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any, Protocol

from backend.platform.actors import Actor
from backend.platform.errors import PermissionDenied
from reports.schemas import (
    CapitalAccountStatement,
    Frequency,
    NavHistory,
    PoolPerformance,
)


class ReportReads(Protocol):
    """What the datasets read from the report service (its interface names the whole of it;
    this module is part of that interface, so it states the slice it needs here)."""

    def pool_performance(
        self, actor: Actor, pool_id: int, *, as_of: date | None = None
    ) -> PoolPerformance: ...

    def nav_history(
        self,
        actor: Actor,
        pool_id: int,
        *,
        start: date | None = None,
        end: date | None = None,
        frequency: Frequency = Frequency.DAILY,
    ) -> NavHistory: ...

    def statement(
        self,
        actor: Actor,
        investor_id: int,
        pool_id: int,
        *,
        period: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> CapitalAccountStatement: ...


class PoolNames(Protocol):
    """The pool service's slice the business view reads: the pool, as the actor sees it."""

    def get_pool(self, actor: Actor, pool_id: int) -> Any: ...


class InvestorNames(Protocol):
    """The investor service's slice the business view reads: legal names, one read a page."""

    def legal_names(self, actor: Actor, investor_ids: Collection[int]) -> dict[int, str]: ...


def legal_names(investors: InvestorNames, actor: Actor, ids: Collection[int]) -> dict[int, str]:
    """The names this actor may read: an analyst sees the books of a pool granted to them but
    no investor's profile, so their views carry ids and leave the names blank."""
    if not ids:
        return {}
    try:
        return investors.legal_names(actor, ids)
    except PermissionDenied:
        return {}
