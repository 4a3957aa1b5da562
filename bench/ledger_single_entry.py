"""Benchmark: one contribution posted through TransactionService.record, at several pool sizes.
A script, not a test; it prints figures.

For each N: a closed-ended pool with N KYC-approved investors committed 1,000.00 each (users,
investors and commitments bulk-inserted: set-up, not measured), one capital call of 100.00
each, then P single contributions (one per investor, through `record`, type contribution)
posted one after another. Prints entries/s, and per post the SQL statements sent and the
rows they returned (a cursor-execute counter); with --profile, the top of a cProfile of the
posts sorted by cumulative time.

    python bench/ledger_single_entry.py [--investors 500,2000,10000] [--posts 200] [--profile]
        [--prior-contributions] [--keep]

With --prior-contributions, every other investor's contribution is posted first (batches,
set-up), so the journal holds about N entries, as at the end of a payment run.

The database is DATABASE_URL or mysql+pymysql://root@127.0.0.1:3306/pools_bench_single,
created (dropped first) and migrated by the script for each N, dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, event, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from backend.composition.container import Container  # noqa: E402
from backend.platform.actors import Actor, Role  # noqa: E402
from backend.platform.cache import InProcessCache  # noqa: E402
from backend.platform.config import load_settings  # noqa: E402
from backend.platform.db import Database  # noqa: E402
from backend.platform.orm import CASH_SCALE, ScaledDecimal  # noqa: E402
from backend.platform.unit_of_work import UnitOfWork  # noqa: E402
from backend.pools.interface import PoolCreate  # noqa: E402
from backend.users.interface import UserCreate  # noqa: E402
from bench.databases import drop_database, fresh_database  # noqa: E402
from ledger.interface import CapitalCallRequest, TransactionRequest  # noqa: E402
from ledger.service import DatabaseLedgerService  # noqa: E402
from ledger.transactions import DatabaseTransactionService  # noqa: E402

OPERATOR = Actor.operator("bench-single")
SHARE = Decimal("100.00")
DAY = date(2025, 6, 30)
DEFAULT_URL = "mysql+pymysql://root@127.0.0.1:3306/pools_bench_single"
_COMMITMENT = Decimal("1000.00")


def _bulk_investors(db: Database, pool_id: int, count: int) -> list[int]:
    """KYC-approved investors committed 1,000.00 each, inserted in bulk (set-up only). Plain
    SQL: a benchmark reaches no other service's tables through their models."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)  # DATETIME columns hold UTC
    with UnitOfWork(db) as uow:
        s = uow.session
        s.execute(
            text(
                "INSERT INTO users (email, display_name, role, password_hash, is_active, created_at,"
                " updated_at) VALUES (:email, :name, 'investor', 'x', 1, :now, :now)"
            ),
            [{"email": f"payer{i}@bench.test", "name": f"Payer {i}", "now": now} for i in range(count)],
        )
        users = s.execute(
            text("SELECT id, email FROM users WHERE email LIKE 'payer%@bench.test' ORDER BY id")
        ).all()
        s.execute(
            text(
                "INSERT INTO investors (user_id, legal_name, investor_type, country, kyc_status,"
                " kyc_changed_at, created_at, updated_at)"
                " VALUES (:user_id, :name, 'individual', 'DE', 'approved', :now, :now, :now)"
            ),
            [{"user_id": uid, "name": email, "now": now} for uid, email in users],
        )
        ids = [
            int(i)
            for i in s.scalars(
                text(
                    "SELECT i.id FROM investors i JOIN users u ON u.id = i.user_id"
                    " WHERE u.email LIKE 'payer%@bench.test' ORDER BY i.id"
                )
            )
        ]
        s.execute(
            text(
                "INSERT INTO pool_commitments (investor_id, pool_id, amount, currency, effective_date,"
                " created_at) VALUES (:investor_id, :pool_id, :amount, 'EUR', :on, :now)"
            ).bindparams(bindparam("amount", type_=ScaledDecimal(CASH_SCALE))),  # stored scaled
            [
                {
                    "investor_id": i,
                    "pool_id": pool_id,
                    "amount": _COMMITMENT,
                    "on": date(2025, 1, 1),
                    "now": now,
                }
                for i in ids
            ],
        )
        uow.commit()
    return ids


def _contribute(
    transactions: DatabaseTransactionService, manager: Actor, pool: int, investors: list[int]
) -> None:
    """The journal as a payment run leaves it: these investors' contributions already posted
    (in batches: set-up, not measured)."""
    rows = [
        {"type": "contribution", "investor_id": i, "amount": "50.00", "effective_date": DAY.isoformat()}
        for i in investors
    ]
    for start in range(0, len(rows), 200):
        transactions.record_batch(manager, pool, rows[start : start + 200], str(uuid.uuid4()))


class _Counter:
    def __init__(self) -> None:
        self.statements = 0
        self.rows = 0
        self.on = False

    def attach(self, target: Any) -> None:
        @event.listens_for(target, "after_cursor_execute")
        def _after(*args: Any) -> None:
            cursor = args[1]
            if not self.on:
                return
            self.statements += 1
            if cursor.description is not None:
                # Fetch-based counting would consume the rows; PyMySQL buffers them, so the
                # rowcount of a SELECT is the number of rows returned.
                self.rows += max(cursor.rowcount, 0)


def run(url: str, investors: int, posts: int, *, profile: bool, prior: bool) -> dict[str, float]:
    fresh_database(url)
    db = Database(url, positions=InProcessCache())
    c = Container(load_settings(DATABASE_URL=url, VAR_DIR=tempfile.mkdtemp()), db=db, cache=InProcessCache())
    try:
        started = time.perf_counter()
        user = c.users.create_user(
            OPERATOR, UserCreate(email="manager@bench.test", role=Role.MANAGER, password="m" * 16)
        )
        manager = Actor(user_id=user.id, role=Role.MANAGER, label="manager@bench.test")
        terms = {
            "name": "Single Entry Fund",
            "kind": "closed_ended",
            "base_currency": "EUR",
            "inception_date": "2025-01-01",
            "management_fee": None,
            "waterfall": {
                "preferred_return_rate": "0.08",
                "catch_up_rate": "1",
                "carried_interest_rate": "0.2",
            },
        }
        pool = c.pools.create_pool(manager, PoolCreate.model_validate(terms)).id
        ids = _bulk_investors(db, pool, investors)
        # The ledger alone: without the container's after-commit relay, which would hand each
        # event to the in-process consumers (payment requests, notices) inside the timing.
        ledger = DatabaseLedgerService(db)
        transactions = DatabaseTransactionService(ledger, c.pools, c.investors, c.audit)
        call = CapitalCallRequest(amount=SHARE * investors, due_date=DAY, effective_date=DAY)
        transactions.capital_call(manager, pool, call, str(uuid.uuid4()))
        chosen = ids[:: max(len(ids) // posts, 1)][:posts]
        if prior:
            _contribute(transactions, manager, pool, sorted(set(ids) - set(chosen)))
        setup = time.perf_counter() - started

        counter = _Counter()
        counter.attach(Engine)  # every engine: the primary and any replica a read may go to
        requests = [
            TransactionRequest.model_validate(
                {
                    "type": "contribution",
                    "investor_id": i,
                    "amount": str(SHARE),
                    "effective_date": DAY.isoformat(),
                }
            )
            for i in chosen
        ]
        prof = cProfile.Profile() if profile else None
        counter.on = True
        started = time.perf_counter()
        if prof:
            prof.enable()
        for request in requests:
            transactions.record(manager, pool, request, str(uuid.uuid4()))
        if prof:
            prof.disable()
        seconds = time.perf_counter() - started
        counter.on = False
        # A contribution above what is owed is still refused (not measured).
        over = TransactionRequest.model_validate(
            {
                "type": "contribution",
                "investor_id": chosen[0],
                "amount": "0.01",
                "effective_date": DAY.isoformat(),
            }
        )
        try:
            transactions.record(manager, pool, over, str(uuid.uuid4()))
            refused = "NOT REFUSED"
        except Exception as exc:  # printed: the refusal is what is checked
            refused = f"{type(exc).__name__}: {exc}"
        if not ledger.verify(pool).ok:
            raise SystemExit("the books do not verify")
        figures = {
            "setup_s": setup,
            "rate": len(requests) / seconds,
            "ms_per_post": seconds / len(requests) * 1000,
            "statements": counter.statements / len(requests),
            "rows": counter.rows / len(requests),
        }
        print(
            f"N={investors}: set-up {setup:.1f} s; {len(requests)} contributions in {seconds:.2f} s = "
            f"{figures['rate']:.1f} entries/s ({figures['ms_per_post']:.1f} ms each); per post "
            f"{figures['statements']:.1f} statements, {figures['rows']:.1f} rows read",
            flush=True,
        )
        print(f"  over-contribution: {refused}", flush=True)
        if prof:
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(35)
            print(out.getvalue(), flush=True)
        return figures
    finally:
        db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--investors", default="500,2000,10000")
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--prior-contributions",
        action="store_true",
        help="post every other investor's contribution first (a journal of about N entries)",
    )
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    results = {}
    try:
        for n in [int(x) for x in args.investors.split(",")]:
            results[n] = run(url, n, args.posts, profile=args.profile, prior=args.prior_contributions)
    finally:
        if not args.keep:
            drop_database(url)
    base = results[min(results)]["rate"]
    for n, fig in results.items():
        print(f"N={n}: {fig['rate']:.1f} entries/s ({fig['rate'] / base:.2f} of the smallest pool's)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
