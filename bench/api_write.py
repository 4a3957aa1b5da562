"""Benchmark: single writes through the API against bare SQL of the same shape, same run.
A script, not a test; it prints figures.

The API side: `python app.py serve --workers W --threads T` (gunicorn) on a fresh MariaDB
database, as production runs it (Redis cache, a broker configured so the outbox is relayed by
its own process, which is not started: publishing is not on the request path). One open-ended
pool with a 20% performance fee, marked on the day, and one KYC-approved investor per client.
C clients, each on its own keep-alive connection, post N subscriptions in all
(`POST /api/v1/pools/{id}/transactions` with an Idempotency-Key), timed from request to
response.

The floor: the same shape of work as bare SQL from C threads on scratch tables in the same
database: lock the pool's head row, insert an entry and two postings, update two balances
and the head, commit.

Prints for each: entries/s, p50, p95 and p99 latency; then the ratio API / SQL. First, the
commands one subscription sends the database from the service layer (in this process,
counted at the driver: statements, commits, rollbacks and pings, each a round trip).

    python bench/api_write.py [--clients 8] [--entries 800] [--workers 2] [--threads 4] [--keep]

The database is BENCH_DATABASE_URL or mysql+pymysql://root@127.0.0.1:3306/pools_bench_api,
created (dropped first) and migrated by the script, dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pymysql  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from backend.composition.container import Container  # noqa: E402
from backend.investors.interface import InvestorCreate, InvestorType, KycStatus  # noqa: E402
from backend.platform.actors import Actor, Role  # noqa: E402
from backend.platform.config import load_settings  # noqa: E402
from backend.pools.interface import PoolCreate  # noqa: E402
from backend.users.interface import UserCreate  # noqa: E402
from bench.databases import drop_database, fresh_database  # noqa: E402
from ledger.interface import TransactionRequest, ValuationRequest  # noqa: E402

DEFAULT_URL = "mysql+pymysql://root@127.0.0.1:3306/pools_bench_api"
OPERATOR = Actor.operator("bench-api-write")
PASSWORD = "bench-manager-" + uuid.uuid4().hex[:12]
DAY = date(2025, 6, 30)
AMOUNT = "10000.00"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _set_up(url: str, clients: int) -> tuple[int, list[int]]:
    """A manager with a password, the pool, one investor per client, each subscribed once at
    launch and the pool marked on DAY, so every timed subscription is struck at that mark."""
    container = Container(load_settings(DATABASE_URL=url, VAR_DIR=tempfile.mkdtemp()))
    user = container.users.create_user(
        OPERATOR, UserCreate(email="manager@bench.test", role=Role.MANAGER, password=PASSWORD)
    )
    manager = Actor(user_id=user.id, role=Role.MANAGER, label="manager@bench.test")
    body = {
        "name": "Bench Growth Fund",
        "kind": "open_ended",
        "base_currency": "USD",
        "inception_date": "2025-01-01",
        "initial_nav_per_unit": "100.000000",
        "management_fee": None,
        "performance_fee": {"rate": "0.2", "high_water_mark": True},
        "minimum_subscription": "1000.00",
    }
    pool = container.pools.create_pool(manager, PoolCreate.model_validate(body)).id
    investors = []
    for i in range(clients):
        holder = container.users.create_user(
            OPERATOR, UserCreate(email=f"holder{i}@bench.test", role=Role.INVESTOR, password=PASSWORD)
        )
        investors.append(
            container.investors.create_investor(
                manager,
                InvestorCreate(
                    user_id=holder.id,
                    legal_name=f"Holder {i}",
                    investor_type=InvestorType.INDIVIDUAL,
                    country="GB",
                    kyc_status=KycStatus.APPROVED,
                ),
            ).id
        )
    t = container.transactions
    for investor in investors:
        first = {
            "type": "subscription",
            "investor_id": investor,
            "amount": AMOUNT,
            "effective_date": "2025-01-02",
        }
        t.record(manager, pool, TransactionRequest.model_validate(first), str(uuid.uuid4()))
    nav = f"{10000 * clients * 1.05:.2f}"
    t.record_valuation(
        manager, pool, ValuationRequest.model_validate({"as_of": DAY, "net_asset_value": nav}), "v1"
    )
    container.db.dispose()
    return pool, investors


def _round_trips(url: str, pool: int, investor: int) -> dict[str, int]:
    """The commands one subscription (recorded in process, as the API's handler does) sends
    the database, counted at the driver: every one is a round trip."""
    # As _serve runs it: the outbox is relayed by its own process, not on the request path.
    container = Container(
        load_settings(
            DATABASE_URL=url,
            VAR_DIR=tempfile.mkdtemp(),
            REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
            CELERY_BROKER_URL=os.environ.get("BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"),
        )
    )
    manager = Actor(user_id=1, role=Role.MANAGER, label="manager@bench.test")
    request = TransactionRequest.model_validate(
        {"type": "subscription", "investor_id": investor, "amount": AMOUNT, "effective_date": DAY.isoformat()}
    )
    sent: list[str] = []
    real = pymysql.connections.Connection._execute_command

    def counted(self: pymysql.connections.Connection, command: int, sql: Any) -> Any:
        text = sql.decode(errors="replace") if isinstance(sql, (bytes, bytearray)) else str(sql)
        ping = command == pymysql.constants.COMMAND.COM_PING
        sent.append("ping" if ping else text.split(" ", 1)[0].lower())
        return real(self, command, sql)

    container.transactions.record(manager, pool, request, str(uuid.uuid4()))  # warm the pool
    pymysql.connections.Connection._execute_command = counted  # type: ignore[method-assign]
    try:
        container.transactions.record(manager, pool, request, str(uuid.uuid4()))
    finally:
        pymysql.connections.Connection._execute_command = real  # type: ignore[method-assign]
        container.db.dispose()
    counts: dict[str, int] = {}
    for kind in sent:
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _serve(url: str, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"),
        "PORT": str(port),
        "VAR_DIR": tempfile.mkdtemp(),
        "LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "app.py", "serve", "--workers", str(workers), "--threads", str(threads)],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"app.py serve did not start: {log.read_text()}")
        time.sleep(0.3)


def _token(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = json.dumps({"email": "manager@bench.test", "password": PASSWORD})
    conn.request("POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    answer = conn.getresponse()
    payload = json.loads(answer.read())
    if answer.status != 200:
        raise SystemExit(f"no token: {answer.status} {payload}")
    return str(payload["access_token"])


def _run_clients(
    clients: int, per_client: int, work: Callable[[int], Callable[[], None]]
) -> tuple[float, list[float]]:
    """Each client's ``work(i)`` returns the call it makes per_client times; (seconds, latencies)."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[BaseException] = []
    start = threading.Barrier(clients + 1)

    def client(i: int) -> None:
        call = work(i)
        start.wait()
        try:
            for _ in range(per_client):
                began = time.perf_counter()
                call()
                latencies[i].append(time.perf_counter() - began)
        except BaseException as exc:  # reported after the run
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise SystemExit(f"{len(errors)} clients failed; the first: {errors[0]!r}")
    return elapsed, [x for each in latencies for x in each]


def _api(port: int, token: str, pool: int, investors: list[int]) -> Callable[[int], Callable[[], None]]:
    def work(i: int) -> Callable[[], None]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        body = json.dumps(
            {
                "type": "subscription",
                "investor_id": investors[i],
                "amount": AMOUNT,
                "effective_date": DAY.isoformat(),
            }
        )

        def call() -> None:
            headers = {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": str(uuid.uuid4()),
            }
            conn.request("POST", f"/api/v1/pools/{pool}/transactions", body, headers)
            answer = conn.getresponse()
            text = answer.read()
            if answer.status != 201:
                raise RuntimeError(f"{answer.status}: {text[:300]!r}")

        return call

    return work


_SCRATCH = (
    "DROP TABLE IF EXISTS bench_postings, bench_entries, bench_balances, bench_heads",
    "CREATE TABLE bench_heads (pool_id INT PRIMARY KEY, last_seq INT NOT NULL, last_hash CHAR(64) NOT NULL)",
    "CREATE TABLE bench_balances (account_id INT PRIMARY KEY, pool_id INT NOT NULL, balance BIGINT NOT NULL)",
    "CREATE TABLE bench_entries (id BIGINT AUTO_INCREMENT PRIMARY KEY, pool_id INT NOT NULL,"
    " seq INT NOT NULL, entry_type VARCHAR(32) NOT NULL, effective_date DATE NOT NULL,"
    " entry_hash CHAR(64) NOT NULL, UNIQUE KEY (pool_id, seq))",
    "CREATE TABLE bench_postings (id BIGINT AUTO_INCREMENT PRIMARY KEY, entry_id BIGINT NOT NULL,"
    " account_id INT NOT NULL, amount BIGINT NOT NULL, KEY (entry_id))",
    "INSERT INTO bench_heads VALUES (1, 0, REPEAT('0', 64))",
    "INSERT INTO bench_balances VALUES (1, 1, 0), (2, 1, 0)",
)


def _sql(url: str) -> Callable[[int], Callable[[], None]]:
    parsed = make_url(url)
    params: dict[str, Any] = {
        "host": parsed.host or "127.0.0.1",
        "port": parsed.port or 3306,
        "user": parsed.username or "root",
        "password": parsed.password or "",
        "database": parsed.database,
        "autocommit": False,
    }
    setup = pymysql.connect(**params)
    with setup.cursor() as cur:
        for statement in _SCRATCH:
            cur.execute(statement)
    setup.commit()
    setup.close()

    def work(_: int) -> Callable[[], None]:
        conn = pymysql.connect(**params)

        def call() -> None:
            with conn.cursor() as cur:
                cur.execute("SELECT last_seq, last_hash FROM bench_heads WHERE pool_id = 1 FOR UPDATE")
                seq, _hash = cur.fetchone()
                cur.execute(
                    "INSERT INTO bench_entries (pool_id, seq, entry_type, effective_date, entry_hash)"
                    " VALUES (1, %s, 'subscription', %s, %s)",
                    (seq + 1, DAY, uuid.uuid4().hex * 2),
                )
                entry = cur.lastrowid
                cur.executemany(
                    "INSERT INTO bench_postings (entry_id, account_id, amount) VALUES (%s, %s, %s)",
                    [(entry, 1, 1_000_000), (entry, 2, -1_000_000)],
                )
                cur.execute("UPDATE bench_balances SET balance = balance + 1000000 WHERE account_id = 1")
                cur.execute("UPDATE bench_balances SET balance = balance - 1000000 WHERE account_id = 2")
                cur.execute(
                    "UPDATE bench_heads SET last_seq = %s, last_hash = %s WHERE pool_id = 1",
                    (seq + 1, "f" * 64),
                )
            conn.commit()

        return call

    return work


def _figures(name: str, elapsed: float, latencies: list[float]) -> float:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    rate = len(latencies) / elapsed
    print(
        f"{name:<5} {len(latencies):>5} entries in {elapsed:6.2f} s: {rate:7.1f} entries/s, "
        f"p50 {pct(0.50):6.1f} ms, p95 {pct(0.95):6.1f} ms, p99 {pct(0.99):6.1f} ms, "
        f"mean {statistics.fmean(latencies) * 1000:6.1f} ms"
    )
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--entries", type=int, default=800)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    per_client = max(args.entries // args.clients, 1)
    fresh_database(url)
    log = Path(tempfile.mkdtemp()) / "serve.log"
    server: subprocess.Popen[bytes] | None = None
    try:
        pool, investors = _set_up(url, args.clients)
        trips = _round_trips(url, pool, investors[0])
        print(
            f"one subscription, service layer: {sum(trips.values())} round trips to the database "
            f"({', '.join(f'{n} {kind}' for kind, n in sorted(trips.items()))})"
        )
        port = _free_port()
        server = _serve(url, port, args.workers, args.threads, log)
        token = _token(port)
        _run_clients(args.clients, 2, _api(port, token, pool, investors))  # warm both workers
        print(
            f"{args.clients} clients, {per_client * args.clients} subscriptions; "
            f"app.py serve --workers {args.workers} --threads {args.threads} on {make_url(url).database}"
        )
        api_rate = _figures(
            "API", *_run_clients(args.clients, per_client, _api(port, token, pool, investors))
        )
        sql_rate = _figures("SQL", *_run_clients(args.clients, per_client, _sql(url)))
        print(f"ratio API / SQL: {api_rate / sql_rate:.3f}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep:
            drop_database(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
