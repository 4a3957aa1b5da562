"""The demo's open capital calls: one per closed-ended pool of the demo manager, due in three
weeks and unpaid, so the demo investor has something to pay (by wire or "Pay now") and the
manager something to follow on the payments page."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from backend.platform.actors import Role
from backend.platform.errors import DomainError
from backend.pools.interface import PoolKind
from backend.seed.demo_logins import DemoLogin
from backend.seed.world import demo_actor
from backend.service_directory import Services
from ledger.interface import CapitalCallRequest

CALLED = Decimal("0.05")
"""Of each commitment: small enough to leave every seeded pool unfunded commitment to call."""
DUE_IN = timedelta(days=21)


def open_demo_calls(container: Services, logins: list[DemoLogin], today: date) -> list[str]:
    """Issue the calls; what was called, one line per pool (a pool that refuses is skipped)."""
    manager = demo_actor(logins, container, Role.MANAGER)
    if manager is None:
        return []
    called: list[str] = []
    pools = container.pools.list_pools(manager, kind=PoolKind.CLOSED_ENDED, limit=200).items
    for pool in pools:
        request = CapitalCallRequest(
            percent_of_commitment=CALLED,
            due_date=today + DUE_IN,
            effective_date=today,
            memo="demo: open capital call",
        )
        try:
            container.transactions.capital_call(
                manager, pool.id, request, f"demo-call:{pool.id}:{uuid.uuid4()}"
            )
        except DomainError as exc:  # a pool fully called, or closed: nothing to ask for
            called.append(f"{pool.name}: no call ({exc})")
            continue
        called.append(f"{pool.name}: {int(CALLED * 100)}% of commitments called, due {today + DUE_IN}")
    return called
