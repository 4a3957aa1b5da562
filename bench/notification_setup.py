"""The benchmark's set-up, not measured: its database, cheap password hashes, the manager and
their pool through the services, and the investors bulk-inserted."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

from argon2 import PasswordHasher, Type
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from backend.composition.container import Container
from backend.payments.interface import CollectionAccountIn
from backend.platform import passwords
from backend.platform.actors import Actor, Role
from backend.platform.orm import utcnow
from backend.seed.pool_books import demo_iban
from backend.users.interface import UserCreate
from sql.all_models import metadata
from sql.migrate import upgrade
from tests.integration.pools_support import closed_pool

# The tables by name, not the services' models: set-up bulk-inserts rows no service would
# write in bulk, and a benchmark must not reach into another service's modules.
USERS = metadata.tables["users"]
INVESTORS = metadata.tables["investors"]
COMMITMENTS = metadata.tables["pool_commitments"]

OPERATOR = Actor.operator("bench-notifications")
COMMITMENT = Decimal("100000.00")
CHUNK = 2000


def database(backend: str, work: Path) -> str:
    if backend == "sqlite":
        url = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        url = f"mysql+pymysql://root@127.0.0.1:3306/bench_notifications_{os.getpid()}?charset=utf8mb4"
        parsed = make_url(url)
        server = create_engine(parsed.set(database=""), isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{parsed.database}`"))
            conn.execute(
                text(f"CREATE DATABASE `{parsed.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
            )
        server.dispose()
    upgrade(url)
    return url


def cheap_passwords() -> PasswordHasher:
    """Set-up only: bench users get cheap argon2 parameters (same code path)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    passwords._hasher = cheap  # type: ignore[attr-defined]
    passwords._DUMMY_HASH = cheap.hash("dummy password for timing")  # type: ignore[attr-defined]
    return cheap


def manager_and_pool(c: Container) -> tuple[Actor, int]:
    """The manager, through the services, and their pool with its collection account."""
    user = c.users.create_user(
        OPERATOR,
        UserCreate(
            email="manager@bench.test", role=Role.MANAGER, password="m" * 16, display_name="Mia Manager"
        ),
    )
    manager = Actor(user_id=user.id, role=Role.MANAGER, label="manager@bench.test")
    pool = c.pools.create_pool(manager, closed_pool(name="Harbour Notices Fund I")).id
    account = CollectionAccountIn(
        account_name="Harbour Notices Fund I collection account", iban=demo_iban(pool)
    )
    c.payments.set_collection_account(manager, pool, account)
    return manager, pool


def bulk_investors(c: Container, manager: Actor, pool: int, count: int, password_hash: str) -> list[int]:
    """`count` investor users, approved profiles and commitments, multi-row inserts (set-up)."""
    now, today = utcnow(), date.today()
    names = [
        f"Investor {i:05d} {('Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'García')[i % 5]}"
        for i in range(count)
    ]
    with c.db.writer_session() as session:
        for start in range(0, count, CHUNK):
            session.execute(
                insert(USERS),
                [
                    {
                        "email": f"notice-{i:05d}@bench.test",
                        "display_name": names[i],
                        "role": Role.INVESTOR.value,
                        "password_hash": password_hash,
                        "is_active": True,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(start + CHUNK, count))
                ],
            )
        found = session.execute(
            select(USERS.c.email, USERS.c.id).where(USERS.c.email.like("notice-%@bench.test"))
        )
        users = {address: user_id for address, user_id in found}
        for start in range(0, count, CHUNK):
            session.execute(
                insert(INVESTORS),
                [
                    {
                        "user_id": users[f"notice-{i:05d}@bench.test"],
                        "legal_name": names[i],
                        "investor_type": "individual",
                        "country": "DE",
                        "kyc_status": "approved",
                        "kyc_changed_at": now,
                        "created_by_user_id": manager.user_id,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(start + CHUNK, count))
                ],
            )
        ids = list(
            session.scalars(
                select(INVESTORS.c.id)
                .where(INVESTORS.c.user_id.in_(list(users.values())))
                .order_by(INVESTORS.c.id)
            )
        )
        for start in range(0, count, CHUNK):
            session.execute(
                insert(COMMITMENTS),
                [
                    {
                        "investor_id": investor,
                        "pool_id": pool,
                        "amount": COMMITMENT,
                        "currency": "EUR",
                        "effective_date": today,
                        "created_at": now,
                        "created_by_user_id": manager.user_id,
                    }
                    for investor in ids[start : start + CHUNK]
                ],
            )
        session.commit()
    return ids
