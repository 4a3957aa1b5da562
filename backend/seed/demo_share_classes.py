"""The demo's pool with share classes: the worked example of docs/business-logic.md
("Share classes in the books") as a live pool, so `make run` shows each class's NAV per
unit, fees and holders. The demo investor holds class A; the first other investor class I.
Dated in the last four months, so its marks are recent."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from backend.platform.actors import Actor, Role
from backend.platform.errors import DomainError
from backend.pools.interface import PoolCreate
from backend.seed.demo_logins import DemoLogin
from backend.seed.world import demo_actor
from backend.service_directory import Services
from ledger.interface import TransactionRequest, ValuationRequest

NAME = "Harbour Multi-Class Fund"
# The terms of docs/business-logic.md's worked example; its tests deal in these same classes.
CLASSES: list[dict[str, str]] = [
    {
        "class_id": "A",
        "name": "Retail",
        "management_fee_rate": "0.015",
        "performance_fee_rate": "0.2",
        "minimum_subscription": "1000.00",
        "minimum_subsequent_subscription": "100.00",
        "initial_nav_per_unit": "100.000000",
    },
    {
        "class_id": "I",
        "name": "Institutional",
        "management_fee_rate": "0.0075",
        "performance_fee_rate": "0.1",
        "minimum_subscription": "1000000.00",
        "initial_nav_per_unit": "100.000000",
    },
]


def _holders(container: Services, logins: list[DemoLogin], manager: Actor) -> tuple[int, int] | None:
    investor = demo_actor(logins, container, Role.INVESTOR)
    own = container.investors.investor_for_user(investor.user_id) if investor and investor.user_id else None
    others = [
        i.id
        for i in container.investors.list_investors(manager, limit=20).items
        if own is None or i.id != own.id
    ]
    if own is None or not others:
        return None
    return own.id, others[0]


def open_demo_share_classes(container: Services, logins: list[DemoLogin], today: date) -> list[str]:
    """Create the pool and post its history; what was done, one line each (nothing if the demo
    has no manager or investors, or the pool refuses)."""
    manager = demo_actor(logins, container, Role.MANAGER)
    if manager is None:
        return []
    holders = _holders(container, logins, manager)
    if holders is None:
        return []
    retail, institution = holders
    launch = today - timedelta(days=120)
    mark_on = today - timedelta(days=30)
    pool = container.pools.create_pool(
        manager,
        PoolCreate.model_validate(
            {
                "name": NAME,
                "kind": "open_ended",
                "base_currency": "USD",
                "inception_date": launch.isoformat(),
                "share_classes": CLASSES,
            }
        ),
    ).id
    t = container.transactions
    key = f"demo-classes:{pool}:{uuid.uuid4()}"
    try:
        for n, (who, cls, amount) in enumerate(
            ((retail, "A", "500000.00"), (institution, "I", "1500000.00"))
        ):
            deal = {"type": "subscription", "investor_id": who, "amount": amount, "share_class": cls}
            t.record(
                manager,
                pool,
                TransactionRequest.model_validate(deal | {"effective_date": launch}),
                f"{key}:{n}",
            )
        mark = ValuationRequest(
            as_of=mark_on, net_asset_value=Decimal("2200000.00"), memo="demo: monthly mark"
        )
        t.record_valuation(manager, pool, mark, f"{key}:mark")
        fee = {"type": "performance_fee", "share_class": "A", "effective_date": mark_on}
        t.record(manager, pool, TransactionRequest.model_validate(fee), f"{key}:fee")
    except DomainError as exc:
        return [f"{NAME}: stopped ({exc})"]
    return [f"{NAME}: classes A and I, marked {mark_on}, class A's performance fee crystallised"]
