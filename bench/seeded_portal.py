"""What the portal benches share: a seeded database opened with one new user per role over
its first pools (bench/portal.py times the callbacks over HTTP, bench/browser.py the pages in
Chromium), and `app.py serve` started on a loopback port as production runs it."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from backend.composition.container import Container
from backend.investors.interface import InvestorCreate, InvestorType, InvestorUpdate, KycStatus
from backend.platform.actors import Actor, Role
from backend.platform.config import load_settings
from backend.platform.errors import DomainError, ValidationFailed
from backend.tasks.snapshots import snapshot_pool
from backend.users.interface import UserCreate
from ledger.interface import TransactionRequest, ValuationRequest
from sql.migrate import upgrade

OPERATOR = Actor.operator("bench-portal")
PASSWORD = secrets.token_urlsafe(16)  # a throwaway user: a fresh password per run


def people(
    container: Container, pool_ids: list[int]
) -> tuple[dict[str, str], dict[str, int], dict[str, list[str]]]:
    """One signed-in user per role, over the first pools of the seeded book (their emails and
    user ids by role), and the pages each walks: a manager of the pools, an investor
    subscribed to the open-ended ones today, an analyst granted them, an admin."""
    stamp = int(time.time())
    logins: dict[str, str] = {}
    users: dict[str, int] = {}
    for role in (Role.MANAGER, Role.INVESTOR, Role.ANALYST, Role.ADMIN):
        email = f"bench-{role.value}-{stamp}@bench.example"
        users[role.value] = container.users.create_user(
            OPERATOR, UserCreate(email=email, role=role, password=PASSWORD)
        ).id
        logins[role.value] = email
    profile = container.investors.create_investor(
        OPERATOR,
        InvestorCreate(
            user_id=users["investor"],
            legal_name="Bench Investor",
            investor_type=InvestorType.INDIVIDUAL,
            country="GB",
        ),
    )
    container.investors.update_investor(OPERATOR, profile.id, InvestorUpdate(kyc_status=KycStatus.APPROVED))
    for pool_id in pool_ids:
        container.pools.add_manager(OPERATOR, pool_id, users["manager"])
        container.pools.grant_analyst(OPERATOR, pool_id, users["analyst"])
        pool = container.pools.get_pool(OPERATOR, pool_id)
        if pool.kind.value == "open_ended":
            # forward pricing: today's deal is struck at today's mark, so confirm the NAV first
            nav = container.transactions.pool_positions(OPERATOR, pool_id).net_asset_value
            # Already marked today (the seed dealt, or an earlier run): the deal is at that mark.
            with contextlib.suppress(ValidationFailed):
                container.transactions.record_valuation(
                    OPERATOR,
                    pool_id,
                    ValuationRequest(as_of=date.today(), net_asset_value=nav),
                    f"bench-mark-{stamp}-{pool_id}",
                )
            amount = max(Decimal(1_000_000), pool.minimum_subscription)
            request = TransactionRequest.model_validate(
                {
                    "type": "subscription",
                    "investor_id": profile.id,
                    "amount": amount,
                    "effective_date": date.today(),
                }
            )
            try:
                container.transactions.record(OPERATOR, pool_id, request, f"bench-{stamp}-{pool_id}")
            except ValidationFailed as exc:
                print(f"pool {pool_id}: the bench investor could not subscribe ({exc})", file=sys.stderr)
    paths = {
        "manager": ["/manager", *(f"/manager/pools/{p}" for p in pool_ids)],
        "investor": ["/investor"],
        "analyst": ["/analyst"],
        "admin": ["/admin", "/admin/users", "/admin/audit", "/admin/system"],
    }
    return logins, users, paths


@dataclass(frozen=True)
class SeededBook:
    """A seeded database opened for a bench, with its bench users (people)."""

    var: Path
    container: Container
    pool_ids: list[int]
    logins: dict[str, str]
    users: dict[str, int]
    paths: dict[str, list[str]]

    def leave(self, more_pools: Iterable[int] = ()) -> None:
        """Take the bench's manager and analyst off the pools they were given (and
        `more_pools`). Each run makes new ones: a set benched all day had gathered a manager
        per run on its first pools' teams (25 by the evening), which the pool page and its
        Team tab then carried."""
        for pool_id in dict.fromkeys([*self.pool_ids, *more_pools]):
            with contextlib.suppress(DomainError):
                self.container.pools.remove_manager(OPERATOR, pool_id, self.users["manager"])
            with contextlib.suppress(DomainError):
                self.container.pools.revoke_analyst(OPERATOR, pool_id, self.users["analyst"])


def seeded_book(database_url: str, var_dir: str | None, pools: int, prefix: str) -> SeededBook:
    """Migrate the seeded database at `database_url`, open its services with the seed's
    VAR_DIR (a new one named after `prefix` if None) and give one new user per role the
    first `pools` pools."""
    upgrade(database_url)
    var = Path(var_dir) if var_dir else Path(tempfile.mkdtemp(prefix=prefix))
    container = Container(load_settings(DATABASE_URL=database_url, VAR_DIR=str(var)))
    pool_ids = container.pools.all_pool_ids()[:pools]
    logins, users, paths = people(container, pool_ids)
    return SeededBook(var, container, pool_ids, logins, users, paths)


def gunicorn(database_url: str, var: Path, workers: int) -> tuple[Callable[[], None], str]:
    """`app.py serve` (gunicorn, as production runs) on a free loopback port, in processes of
    its own: the users here no longer share the server's interpreter."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var),
        "PORT": str(port),
        "HOST": "127.0.0.1",
    }
    log = (var / "gunicorn.log").open("w")
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "app.py", "serve", "--workers", str(workers)],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(base + "/login", timeout=2).close()  # noqa: S310 - loopback
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"app.py serve did not start: see {var / 'gunicorn.log'}") from None
            time.sleep(0.3)

    def stop() -> None:
        proc.terminate()
        proc.wait(30)
        log.close()

    return stop, base


def run_snapshot_tasks(container: Container, pools: list[int]) -> None:
    """What the snapshot worker does after each entry in production (the bench users' own
    subscriptions and valuations just wrote to these pools): the pools' figures, NAV
    histories and each investor's part, computed into the aggregate cache the pages read."""
    started = time.perf_counter()
    for pool_id in pools:
        snapshot_pool(container.snapshots, pool_id, None)
    print(f"snapshot tasks for {len(pools)} pools: {time.perf_counter() - started:.1f} s of worker time")
