"""Set-up the benchmarks share: a container on the bench database, bench users with cheap
password hashes, KYC-approved investors, open-ended pools, and a pool's history planned as
batches for TransactionService.record_batch. Set-up only: none of it is measured."""

from __future__ import annotations

import random
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from backend.composition.container import Container
from backend.investors.interface import InvestorCreate, InvestorType, InvestorUpdate, KycStatus
from backend.platform.actors import Actor, Role
from backend.platform.config import load_settings
from backend.pools.interface import PoolCreate
from backend.users.interface import UserCreate
from ledger.service import DatabaseLedgerService

INCEPTION = date(2020, 1, 1)
PASSWORD = "bench password long enough"  # noqa: S105 - a throwaway bench user
OPERATOR = Actor.operator("bench")


def bench_container(url: str) -> Container:
    container = Container(load_settings(DATABASE_URL=url, VAR_DIR=tempfile.mkdtemp(prefix="bench-")))
    # No in-process relay after each commit: the relay is a process of its own in production.
    container.__dict__["ledger"] = DatabaseLedgerService(container.db)
    return container


def cheap_passwords() -> None:
    """Bench users are made with cheap argon2 parameters (same code path)."""
    from argon2 import PasswordHasher, Type

    from backend.platform import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    passwords._hasher = cheap  # type: ignore[attr-defined]
    passwords._DUMMY_HASH = cheap.hash("dummy password for timing")  # type: ignore[attr-defined]


def bench_manager(container: Container) -> int:
    """The bench's manager (manager@bench.test, PASSWORD): their user id."""
    return container.users.create_user(
        OPERATOR, UserCreate(email="manager@bench.test", role=Role.MANAGER, password=PASSWORD)
    ).id


def open_pool_body(name: str, manager_id: int | None = None) -> PoolCreate:
    return PoolCreate.model_validate(
        {
            "name": name,
            "kind": "open_ended",
            "base_currency": "USD",
            "inception_date": INCEPTION.isoformat(),
            "initial_nav_per_unit": "1.000000",
            "management_fee": {"rate": "0.015", "basis": "nav"},
            "minimum_subscription": "0.00",
            **({"manager_user_id": manager_id} if manager_id else {}),
        }
    )


def approved_investors(container: Container, count: int, tag: str) -> list[int]:
    """KYC-approved investor profiles, through the user and investor services."""
    ids = []
    for i in range(count):
        user = container.users.create_user(
            OPERATOR, UserCreate(email=f"{tag}-{i}@bench.test", role=Role.INVESTOR, password=PASSWORD)
        )
        profile = container.investors.create_investor(
            OPERATOR,
            InvestorCreate(
                user_id=user.id,
                legal_name=f"Investor {i}",
                investor_type=InvestorType.INDIVIDUAL,
                country="GB",
            ),
        )
        container.investors.update_investor(
            OPERATOR, profile.id, InvestorUpdate(kyc_status=KycStatus.APPROVED)
        )
        ids.append(profile.id)
    return ids


def pool_history(
    investors: list[int], postings: int, rows_per_batch: int, rng: random.Random
) -> list[list[dict[str, Any]]]:
    """Batches of rows for one pool, until about `postings` postings: a subscription per
    investor, a purchase, then daily valuations (a random walk) and expenses, each allocated
    to every investor."""
    rows: list[dict[str, Any]] = [
        {"type": "subscription", "investor_id": inv, "amount": "10000.00", "effective_date": INCEPTION}
        for inv in investors
    ]
    total_cash = Decimal(10000) * len(investors)
    rows.append({"type": "purchase", "amount": str(total_cash * Decimal("0.9")), "effective_date": INCEPTION})
    expected = 5 * len(investors) + 2
    nav = total_cash
    day = INCEPTION
    while expected < postings:
        day += timedelta(days=1)
        nav = (nav * Decimal(str(1 + rng.gauss(0.0003, 0.01)))).quantize(Decimal("0.01"))
        rows.append({"type": "valuation", "amount": str(nav), "effective_date": day})
        rows.append({"type": "expense", "amount": "25.00", "effective_date": day})
        nav -= Decimal("25.00")
        expected += 2 * (len(investors) + 1)
    return [rows[i : i + rows_per_batch] for i in range(0, len(rows), rows_per_batch)]
