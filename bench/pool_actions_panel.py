"""Benchmark: how long a manager waits for a pool page's actions panel (and the Pools page's
KYC form) on a book with thousands of investors. A script, not a test: it prints timings.

It builds a throwaway SQLite book (one manager, --investors investor profiles, most of them
KYC-approved, a few awaiting review; one open-ended pool with --holders unit holders; one
closed-ended pool), signs the manager in to the real app and POSTs the callbacks a browser
fires, --repeat times each, printing the median and the response size:

1. the pool page's actions panel (pool-actions.children), for each pool;
2. the investor picker's search (what typing part of a name runs), when the portal has one.

    python bench/pool_actions_panel.py [--investors 5000] [--holders 200] [--repeat 7]
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from argon2 import PasswordHasher, Type

from backend.composition.container import Container
from backend.composition.web import create_app
from backend.investors.interface import InvestorCreate, InvestorType, InvestorUpdate, KycStatus
from backend.platform import passwords
from backend.platform.actors import Actor, Role
from backend.platform.config import load_settings
from backend.pools.interface import PoolCreate
from backend.users.interface import UserCreate
from ledger.interface import TransactionRequest
from sql.migrate import upgrade

OPERATOR = Actor.operator("bench-pool-actions")
PASSWORD = secrets.token_urlsafe(16)  # throwaway users: a fresh password per run
SURNAMES = ("Harbour", "Meridian", "Ashford", "Calloway", "Lindqvist", "Okafor", "Tanaka", "Moreau")


def _book(container: Container, investors: int, holders: int) -> tuple[Actor, int, int]:
    # Throwaway users never sign in: a cheap hash saves minutes (as the seed does).
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    manager_id = container.users.create_user(
        OPERATOR, UserCreate(email="manager@bench.local", role=Role.MANAGER, password=PASSWORD)
    ).id
    manager = Actor(user_id=manager_id, role=Role.MANAGER, label="manager@bench.local")
    open_pool = container.pools.create_pool(
        manager,
        PoolCreate.model_validate(
            {
                "name": "Bench Growth Fund",
                "kind": "open_ended",
                "base_currency": "USD",
                "inception_date": "2025-01-01",
            }
        ),
    ).id
    closed_pool = container.pools.create_pool(
        manager,
        PoolCreate.model_validate(
            {
                "name": "Bench Private Equity I",
                "kind": "closed_ended",
                "base_currency": "EUR",
                "inception_date": "2025-01-01",
                "waterfall": {
                    "preferred_return_rate": "0.08",
                    "catch_up_rate": "1",
                    "carried_interest_rate": "0.2",
                },
            }
        ),
    ).id
    approved: list[int] = []
    for k in range(investors):
        user = container.users.create_user(
            OPERATOR, UserCreate(email=f"investor{k:05d}@bench.local", role=Role.INVESTOR, password=PASSWORD)
        ).id
        profile = container.investors.create_investor(
            OPERATOR,
            InvestorCreate(
                user_id=user,
                legal_name=f"{SURNAMES[k % len(SURNAMES)]} Family Office {k:05d}",
                investor_type=InvestorType.ENTITY,
                country="GB",
            ),
        )
        if k % 10:  # one in ten still awaits its KYC review
            container.investors.update_investor(
                OPERATOR, profile.id, InvestorUpdate(kyc_status=KycStatus.APPROVED)
            )
            approved.append(profile.id)
    for n, investor_id in enumerate(approved[:holders]):
        container.transactions.record(
            manager,
            open_pool,
            TransactionRequest.model_validate(
                {
                    "type": "subscription",
                    "investor_id": investor_id,
                    "amount": "100000.00",
                    "effective_date": "2025-02-03",
                }
            ),
            f"bench-sub-{n}",
        )
    return manager, open_pool, closed_pool


def _timed(call: Any, repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(call())
        times.append(time.perf_counter() - start)
    return statistics.median(times), size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--investors", type=int, default=5000)
    parser.add_argument("--holders", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        upgrade(url)
        container = Container(load_settings(DATABASE_URL=url, VAR_DIR=tmp))
        start = time.perf_counter()
        _, open_pool, closed_pool = _book(container, args.investors, args.holders)
        print(
            f"book: {args.investors} investors, {args.holders} holders "
            f"(built in {time.perf_counter() - start:.0f} s)"
        )
        client = create_app(container).test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        client.post(
            "/login", data={"email": "manager@bench.local", "password": PASSWORD, "csrf_token": token}
        )
        cookie = client.get_cookie("_csrf_token")
        headers = {"X-CSRFToken": cookie.value if cookie else ""}
        deps = client.get("/_dash-dependencies").get_json()

        def post(body: dict[str, Any]) -> bytes:
            response = client.post("/_dash-update-component", json=body, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code}: {response.get_data(as_text=True)[:500]}")
            return response.get_data()

        def actions(pool_id: int) -> bytes:
            return post(
                {
                    "output": "pool-actions.children",
                    "outputs": {"id": "pool-actions", "property": "children"},
                    "inputs": [{"id": "pool-id", "property": "data", "value": pool_id}],
                    "changedPropIds": ["pool-id.data"],
                    "state": [],
                }
            )

        for label, pool_id in (("open-ended", open_pool), ("closed-ended", closed_pool)):
            median, size = _timed(lambda pid=pool_id: actions(pid), args.repeat)
            print(f"actions panel, {label} pool: median {median * 1000:.0f} ms, {size / 1024:.0f} KiB")

        search = next((d for d in deps if "search_value" in json.dumps(d["inputs"])), None)
        if search is None:
            print("no investor search callback in this portal")
            return 0
        output = search["output"]

        def find(text: str) -> bytes:
            ident = {"type": "af", "action": "subscription", "field": "investor_id"}
            return post(
                {
                    "output": output,
                    "outputs": {"id": ident, "property": "options"},
                    "inputs": [{"id": ident, "property": "search_value", "value": text}],
                    "changedPropIds": [
                        json.dumps(ident, sort_keys=True, separators=(",", ":")) + ".search_value"
                    ],
                    "state": [
                        {"id": ident, "property": "value", "value": None},
                        {"id": "pool-id", "property": "data", "value": open_pool},
                    ],
                }
            )

        for text in ("okafor", "Family Office 04", "#1234"):
            median, size = _timed(lambda t=text: find(t), args.repeat)
            print(f"picker search {text!r}: median {median * 1000:.0f} ms, {size / 1024:.1f} KiB")
        container.db.dispose()
    print(f"(measured {date.today().isoformat()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
