"""Benchmark: batch ingest into the books against a plain multi-row INSERT, and single-entry
API throughput. A script, not a test; it prints figures.

1. Batch path: N postings through TransactionService.record_batch (the whole path: rows
   validated, posting rules applied in memory under the pool lock, entries hashed, entries,
   postings, balances, details and outbox events bulk-inserted) into a few open-ended pools:
   subscriptions for every investor, a purchase, then valuations (a random walk) and
   expenses, each allocated to every investor. Then the same number of raw posting rows
   is inserted with a plain multi-row INSERT (executemany, which PyMySQL sends as multi-row
   INSERTs) into a scratch table of the same shape (CREATE TABLE ... LIKE ledger_postings),
   in as many transactions as the batch path used. Prints postings/s for both and the
   ratio (target >= 0.55 at N = 1M: the floor the batch path must keep).
2. API: 8 client threads (Flask test clients over the real app, JWT bearer tokens) post
   subscriptions and purchases through POST /pools/{id}/transactions; prints entries/s and
   p50/p99 latency.

    python bench/ledger_ingest.py [--postings 1000000] [--pools 4] [--investors 250]
        [--rows-per-batch 200] [--api-requests 800] [--api-clients 8] [--keep]

The database is DATABASE_URL or mysql+pymysql://root@127.0.0.1:3306/pools_bench_ingest,
created (dropped first) and migrated by the script, dropped at the end unless --keep.
The outbox relay is not run during the measurement (in production it is its own process:
`app.py ledger relay`); the events are written, as always, in the entries' transactions.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from backend.composition.container import Container  # noqa: E402
from bench.books import (  # noqa: E402
    OPERATOR,
    PASSWORD,
    approved_investors,
    bench_container,
    bench_manager,
    cheap_passwords,
    open_pool_body,
    pool_history,
)
from bench.databases import drop_database, fresh_database  # noqa: E402

DEFAULT_URL = "mysql+pymysql://root@127.0.0.1:3306/pools_bench_ingest?charset=utf8mb4"


# -- 1. batch path vs raw INSERT -----------------------------------------------------------


def bench_batch(container: Container, args: argparse.Namespace, manager: int) -> tuple[int, float, list[int]]:
    rng = random.Random(20240101)
    plans = []
    for p in range(args.pools):
        pool = container.pools.create_pool(OPERATOR, open_pool_body(f"Bench batch pool {p}", manager)).id
        investors = approved_investors(container, args.investors, f"batch{p}")
        plans.append((pool, pool_history(investors, args.postings // args.pools, args.rows_per_batch, rng)))
    postings = 0
    per_batch: list[int] = []
    started = time.perf_counter()
    rounds = max(len(batches) for _, batches in plans)
    for index in range(rounds):  # interleave pools, as a migration of several pools would
        for pool, batches in plans:
            if index < len(batches):
                result = container.transactions.record_batch(
                    OPERATOR, pool, batches[index], str(uuid.uuid4())
                )
                postings += result.postings
                per_batch.append(result.postings)
    elapsed = time.perf_counter() - started
    for pool, _ in plans:
        report = container.ledger.verify(pool)
        if not report.ok:
            raise SystemExit(f"verify failed: {report.describe()}")
    return postings, elapsed, per_batch


def bench_raw(url: str, per_batch: list[int]) -> tuple[int, float]:
    engine = create_engine(url, isolation_level="READ COMMITTED")
    rng = random.Random(7)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_raw_postings"))
        conn.execute(text("CREATE TABLE bench_raw_postings LIKE ledger_postings"))
    batches = [
        [(1 + i // 200, 1, rng.randint(1, 5000), rng.randint(-(10**12), 10**12)) for i in range(count)]
        for count in per_batch
    ]
    sql = "INSERT INTO bench_raw_postings (entry_id, pool_id, account_id, amount) VALUES (%s, %s, %s, %s)"
    started = time.perf_counter()
    with engine.connect() as conn:
        for rows in batches:
            with conn.begin():
                conn.exec_driver_sql(sql, rows)
    elapsed = time.perf_counter() - started
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_raw_postings"))
    engine.dispose()
    return sum(per_batch), elapsed


# -- 2. single-entry API throughput -----------------------------------------------------------


def bench_api(container: Container, args: argparse.Namespace, manager: int) -> tuple[int, float, list[float]]:
    from backend.composition.web import create_app

    pools = [
        container.pools.create_pool(OPERATOR, open_pool_body(f"Bench API pool {p}", manager)).id
        for p in range(4)
    ]
    investors = approved_investors(container, 8, "api")
    app = create_app(container)
    token_client = app.test_client()
    token = token_client.post(
        "/api/v1/auth/token", json={"email": "manager@bench.test", "password": PASSWORD}
    ).get_json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    today = date.today().isoformat()
    for pool in pools:  # every pool has holders, so an income has someone to go to
        for inv in investors[:2]:
            body = {"type": "subscription", "investor_id": inv, "amount": "1000.00", "effective_date": today}
            response = token_client.post(
                f"/api/v1/pools/{pool}/transactions",
                json=body,
                headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
            )
            if response.status_code != 201:
                raise SystemExit(f"setup failed: {response.get_json()}")

    per_client = args.api_requests // args.api_clients
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        http = app.test_client()
        mine: list[float] = []
        for i in range(per_client):
            pool = pools[(number + i) % len(pools)]
            body: dict[str, Any]
            if i % 2:
                # a purchase at cost leaves NAV per unit alone, so the day's deals stay open at
                # the launch price (forward pricing refuses a deal after income until a revaluation)
                body = {"type": "purchase", "amount": "1.23", "effective_date": today}
            else:
                inv = investors[number]
                body = {
                    "type": "subscription",
                    "investor_id": inv,
                    "amount": "100.00",
                    "effective_date": today,
                }
            t0 = time.perf_counter()
            response = http.post(
                f"/api/v1/pools/{pool}/transactions",
                json=body,
                headers={**auth, "Idempotency-Key": str(uuid.uuid4())},
            )
            mine.append(time.perf_counter() - t0)
            if response.status_code != 201:
                with lock:
                    failures.append(f"{response.status_code} {response.get_data(as_text=True)[:200]}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.api_clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} API requests failed, e.g. {failures[0]}")
    for pool in pools:
        if not container.ledger.verify(pool).ok:
            raise SystemExit(f"verify failed for pool {pool}")
    return len(latencies), elapsed, latencies


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--pools", type=int, default=4)
    parser.add_argument("--investors", type=int, default=250, help="per pool")
    parser.add_argument("--rows-per-batch", type=int, default=200)
    parser.add_argument("--api-requests", type=int, default=800)
    parser.add_argument("--api-clients", type=int, default=8)
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("mysql"):
        raise SystemExit("this benchmark runs against MariaDB/MySQL (DATABASE_URL=mysql+pymysql://...)")
    print(f"database: {make_url(url).render_as_string(hide_password=True)}", flush=True)
    fresh_database(url)
    container = bench_container(url)
    cheap_passwords()
    try:
        manager = bench_manager(container)
        postings, batch_seconds, per_batch = bench_batch(container, args, manager)
        batch_rate = postings / batch_seconds
        print(
            f"batch path : {postings:>10,} postings in {batch_seconds:8.2f}s = "
            f"{batch_rate:>10,.0f} postings/s "
            f"({len(per_batch)} batches of up to {args.rows_per_batch} rows, {args.pools} pools x "
            f"{args.investors} investors; books verified)",
            flush=True,
        )
        raw_rows, raw_seconds = bench_raw(url, per_batch)
        raw_rate = raw_rows / raw_seconds
        print(
            f"raw INSERT : {raw_rows:>10,} rows     in {raw_seconds:8.2f}s = {raw_rate:>10,.0f} rows/s",
            flush=True,
        )
        print(f"ratio batch/raw = {batch_rate / raw_rate:.2f} (target >= 0.55 at 1M postings)", flush=True)
        if not args.skip_api:
            count, seconds, latencies = bench_api(container, args, manager)
            q = statistics.quantiles(latencies, n=100)
            print(
                f"API        : {count} single entries, {args.api_clients} clients, {seconds:.2f}s = "
                f"{count / seconds:,.0f} entries/s; "
                f"latency p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms",
                flush=True,
            )
    finally:
        container.db.dispose()
        if not args.keep:
            drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
