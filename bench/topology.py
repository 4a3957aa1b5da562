"""Benchmark: the cost of each hop, as numbers. A script, not a test; it prints figures.

The same mixed workload goes through three topologies, one after the other, on one fresh
MariaDB database (Redis cache; a RabbitMQ broker configured so the outbox is relayed by its
own process, which is not started: publishing is not on the request path):

  1. embedded  `app.py serve` answered directly over HTTP, every service in process;
  2. nginx     nginx (TLS, deploy/nginx/) -> two `app.py serve` servers, services in process;
  3. grpc      nginx (TLS) -> two `app.py serve` servers with SERVICE_ENDPOINTS naming every
               service -> `app.py rpc serve SERVICE` per service (every service `rpc serve`
               knows is reached over gRPC), two processes of each on its port by default:
               Kubernetes runs at least two pods of every service (minReplicas 2), as this
               runs two app servers; the kernel spreads connections over the two as a Service
               spreads them over pods. --service-copies 1 is the local stack's shape.

Every `app.py serve` runs --workers W --threads T. All processes share one VAR_DIR (made
before any starts), so the JWT keys, the session secret and the internal token key are the
same everywhere.

The workload: C clients, each on its own keep-alive connection, send N requests in all, 80%
reads (GET /api/v1/pools, /api/v1/pools/{id}, /api/v1/pools/{id}/positions, in equal shares)
and 20% subscriptions (POST /api/v1/pools/{id}/transactions with an Idempotency-Key), in a
shuffled order fixed per client, so each topology gets exactly the same requests. The pool
and investors are bench/api_write.py's: one open-ended pool marked on the day, one
KYC-approved investor per client. Each topology is warmed (every client sends a few requests
of every kind) before it is timed.

Prints for each topology: throughput, p50/p95/p99 of reads and of writes, the errors (any
answer but 200/201, or a broken connection; there must be none) and the CPU each timed request
cost the topology's own processes and the database (bench/process_cpu.py: steadier than latency
when the machine is not quiet); then the ratios grpc / nginx (the gRPC hop; the issue's target:
within 1.5x at p50) and nginx / embedded, of p50 latency and of CPU per request.

    python bench/topology.py [--clients 8] [--requests 2000] [--workers 2] [--threads 4]
                             [--service-copies 2] [--keep]

The database is BENCH_DATABASE_URL or mysql+pymysql://root@127.0.0.1:3306/pools_bench_topology,
created (dropped first) and migrated by the script, dropped at the end unless --keep (which
also keeps the processes' logs). Redis is BENCH_REDIS_URL or redis://127.0.0.1:6379/13, a
database the script empties before and after (its cache keys would otherwise outlive the
database they were read from); the broker is BENCH_BROKER_URL.
Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from backend.composition.container import Container  # noqa: E402
from backend.platform.config import load_settings  # noqa: E402
from bench.api_write import AMOUNT, DAY, _set_up, _token  # noqa: E402
from bench.databases import drop_database, fresh_database  # noqa: E402
from bench.process_cpu import seconds_of_commands, seconds_of_sessions  # noqa: E402
from bench.topology_processes import TOPOLOGIES, Target, topology  # noqa: E402
from tests.integration.nginx_support import app_server_env  # noqa: E402

DEFAULT_URL = "mysql+pymysql://root@127.0.0.1:3306/pools_bench_topology"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
READS = ("list", "pool", "positions")
WRITE = "write"
WRITE_SHARE = 0.2
WARM_PER_CLIENT = 12
TARGET_GRPC_P50 = 1.5
SHARED_SERVERS = ("mariadbd", "redis-server")


# -- the workload --------------------------------------------------------------------------


def _plan(clients: int, per_client: int, seed: int) -> list[list[str]]:
    """Each client's requests: exactly WRITE_SHARE writes, the reads in equal shares, in an
    order shuffled by a fixed seed, so every topology is sent the same sequence."""
    plans = []
    for i in range(clients):
        writes = round(per_client * WRITE_SHARE)
        kinds = [WRITE] * writes + [READS[n % len(READS)] for n in range(per_client - writes)]
        random.Random(seed * 1000 + i).shuffle(kinds)
        plans.append(kinds)
    return plans


@dataclass
class Run:
    elapsed: float
    latencies: dict[str, list[float]]
    errors: list[str]

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values()) + len(self.errors)


def _drive(target: Target, token: str, pool: int, investors: list[int], plans: list[list[str]]) -> Run:
    """Every client sends its plan on one keep-alive connection, all starting together;
    a failed request is counted (the connection opened again) and the client goes on."""
    clients = len(plans)
    reads: list[list[float]] = [[] for _ in range(clients)]
    writes: list[list[float]] = [[] for _ in range(clients)]
    errors: list[list[str]] = [[] for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    bearer = f"Bearer {token}"
    paths = {
        "list": "/api/v1/pools",
        "pool": f"/api/v1/pools/{pool}",
        "positions": f"/api/v1/pools/{pool}/positions",
    }

    def client(i: int) -> None:
        conn = target.connect()
        body = json.dumps(
            {
                "type": "subscription",
                "investor_id": investors[i],
                "amount": AMOUNT,
                "effective_date": DAY.isoformat(),
            }
        )
        start.wait()
        for kind in plans[i]:
            began = time.perf_counter()
            try:
                if kind == WRITE:
                    headers = {
                        "Authorization": bearer,
                        "Content-Type": "application/json",
                        "Idempotency-Key": str(uuid.uuid4()),
                    }
                    conn.request("POST", f"/api/v1/pools/{pool}/transactions", body, headers)
                    expected = 201
                else:
                    conn.request("GET", paths[kind], headers={"Authorization": bearer})
                    expected = 200
                answer = conn.getresponse()
                text = answer.read()
            except (OSError, http.client.HTTPException) as exc:
                errors[i].append(f"{kind}: {exc!r}")
                conn.close()
                conn = target.connect()
                continue
            took = time.perf_counter() - began
            if answer.status != expected:
                errors[i].append(f"{kind}: {answer.status} {text[:200]!r}")
            else:
                (writes if kind == WRITE else reads)[i].append(took)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return Run(
        elapsed=elapsed,
        latencies={
            "reads": [x for each in reads for x in each],
            "writes": [x for each in writes for x in each],
        },
        errors=[e for each in errors for e in each],
    )


# -- the figures ---------------------------------------------------------------------------


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")


@dataclass(frozen=True)
class Row:
    name: str
    run: Run
    warm_errors: list[str]
    cpu_ms: tuple[float, float]
    """CPU per timed request: the topology's own processes, and MariaDB with Redis."""

    @property
    def rate(self) -> float:
        return self.run.requests / self.run.elapsed

    def p50(self, kind: str) -> float:
        return _pct(self.run.latencies[kind], 0.50)


def _print_row(row: Row) -> None:
    cells = []
    for kind in ("reads", "writes"):
        values = row.run.latencies[kind]
        cells.append(
            f"{len(values):>5} {_pct(values, 0.50):7.1f} {_pct(values, 0.95):7.1f} {_pct(values, 0.99):7.1f}"
        )
    own, shared = row.cpu_ms
    print(
        f"{row.name:<9} {row.rate:8.1f}  {cells[0]}   {cells[1]}   {len(row.run.errors):>6}"
        f"   {own:6.1f} {shared:6.1f}",
        flush=True,
    )


def _print_cpu_ratio(label: str, top: Row, bottom: Row) -> None:
    print(f"{label}: CPU per request {sum(top.cpu_ms) / sum(bottom.cpu_ms):5.2f}x (database included)")


def _print_ratio(label: str, top: Row, bottom: Row, target: float | None = None) -> None:
    parts = []
    for kind in ("reads", "writes"):
        ratio = top.p50(kind) / bottom.p50(kind)
        verdict = "" if target is None else (" (within target)" if ratio <= target else " (OVER target)")
        parts.append(f"{kind} {ratio:5.2f}x{verdict}")
    print(f"{label}: p50 {', '.join(parts)}; req/s {top.rate / bottom.rate:5.2f}x")


def _terminate(signum: int, _frame: FrameType | None) -> None:
    # SIGTERM unwinds like Ctrl-C, so the finally blocks stop every process we started.
    raise SystemExit(128 + signum)


def _share_keys(url: str, var: Path) -> None:
    """Make the keys every process signs and verifies with, once, before any starts: two
    processes making their own at the same moment would sign with different keys."""
    shared = Container(
        load_settings(DATABASE_URL=url, VAR_DIR=str(var), REDIS_URL=REDIS_URL, CELERY_BROKER_URL=BROKER_URL)
    )
    made = (shared.secret_key, shared.jwt_keys_dir, shared.internal_tokens)
    shared.db.dispose()
    if not (made[0] and made[1].is_dir()):
        raise SystemExit(f"no session secret or JWT keys under {var}")


def _print_context(args: argparse.Namespace, url: str, per_client: int) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: {os.cpu_count()} cores, load average {load} at start; Python "
        f"{platform.python_version()}; database {make_url(url).database} (MariaDB on 127.0.0.1)"
    )
    print(
        f"workload: {args.clients} keep-alive clients x {per_client} requests = "
        f"{args.clients * per_client} per topology, {1 - WRITE_SHARE:.0%} reads "
        f"(GET pools list / one pool / its positions) and {WRITE_SHARE:.0%} keyed subscriptions, "
        f"after {WARM_PER_CLIENT} warm-up requests per client; each app server: "
        f"--workers {args.workers} --threads {args.threads}; each gRPC service: {args.service_copies} "
        "process(es) on one port"
    )
    for name, meaning in TOPOLOGIES.items():
        print(f"  {name:<9} {meaning}")
    print(
        "latencies in ms, from request sent to answer read at the client; req/s over the whole run; "
        "nginx and grpc run two app servers (twice embedded's workers) on the same cores; cpu: ms of "
        "CPU per request in the topology's own processes, db: in MariaDB and Redis"
    )
    print(
        f"{'topology':<9} {'req/s':>8}  {'reads':>5} {'p50':>7} {'p95':>7} {'p99':>7}   "
        f"{'writes':>5} {'p50':>6} {'p95':>7} {'p99':>7}   {'errors':>6}   {'cpu':>6} {'db':>6}",
        flush=True,
    )


def _measure(args: argparse.Namespace, url: str, folder: Path, per_client: int) -> dict[str, Row]:
    pool, investors = _set_up(url, args.clients)
    var = folder / "var"
    _share_keys(url, var)
    env = {**app_server_env(url, var, REDIS_URL, BROKER_URL), "SERVICE_ENDPOINTS": ""}
    _print_context(args, url, per_client)
    rows: dict[str, Row] = {}
    plans = _plan(args.clients, per_client, seed=1)
    warm = _plan(args.clients, WARM_PER_CLIENT, seed=2)
    for name in args.topologies:
        with topology(
            name, folder, env, args.workers, args.threads, service_copies=args.service_copies
        ) as (target, app_port, started):
            token = _token(app_port)
            warmed = _drive(target, token, pool, investors, warm)
            groups = started.groups()
            before = {group: seconds_of_sessions(leaders) for group, leaders in groups.items()}
            shared_before = seconds_of_commands(SHARED_SERVERS)
            run = _drive(target, token, pool, investors, plans)
            shared_after = seconds_of_commands(SHARED_SERVERS)
            # The topology's own CPU is the sum of its groups': every process is in one.
            by_group = {
                group: (seconds_of_sessions(leaders) - before[group]) * 1000 / run.requests
                for group, leaders in groups.items()
            }
            per_request = (sum(by_group.values()), (shared_after - shared_before) * 1000 / run.requests)
            rows[name] = Row(name, run, warmed.errors, per_request)
        _print_row(rows[name])
        if len(by_group) > 1:
            ranked = sorted(by_group.items(), key=lambda item: -item[1])
            shares = ", ".join(f"{group} {ms:.1f}" for group, ms in ranked)
            print(f"    cpu ms per request by process: {shares}")
        if warmed.errors:
            print(f"    {len(warmed.errors)} errors while warming; the first: {warmed.errors[0]}")
        for error in rows[name].run.errors[:5]:
            print(f"    error: {error}")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8, help="keep-alive clients (one investor each)")
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per topology, in all")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs afterwards")
    parser.add_argument(
        "--service-copies",
        type=int,
        default=2,
        help="processes per gRPC service on its port (2: Kubernetes' minReplicas, like the two app servers)",
    )
    parser.add_argument(
        "--topologies",
        type=lambda text: [name for name in text.split(",") if name],
        default=list(TOPOLOGIES),
        help="which to run, comma-separated (default: all three; the ratios need their pairs)",
    )
    args = parser.parse_args()
    if unknown := set(args.topologies) - set(TOPOLOGIES):
        parser.error(f"--topologies: no topology named {', '.join(sorted(unknown))}")
    signal.signal(signal.SIGTERM, _terminate)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    per_client = max(args.requests // args.clients, 1)
    folder = Path(tempfile.mkdtemp(prefix="bench-topology-"))
    cache = redis.Redis.from_url(REDIS_URL)
    failed = True  # until the run ends without an error: the logs are kept for a look
    cache.flushdb()
    fresh_database(url)
    try:
        rows = _measure(args, url, folder, per_client)
        for label, top, bottom, target in (
            ("grpc / nginx (the gRPC hop)", "grpc", "nginx", TARGET_GRPC_P50),
            ("nginx / embedded (the TLS proxy hop)", "nginx", "embedded", None),
            ("grpc / embedded (both hops)", "grpc", "embedded", None),
        ):
            if top in rows and bottom in rows:
                _print_ratio(label, rows[top], rows[bottom], target)
                _print_cpu_ratio(label, rows[top], rows[bottom])
        print(f"target: gRPC mode within {TARGET_GRPC_P50}x of in-process at p50 (issue 17)")
        errors = sum(len(row.run.errors) + len(row.warm_errors) for row in rows.values())
        print(f"errors in all (warm-up included): {errors}")
        failed = errors > 0
    finally:
        if not args.keep:
            drop_database(url)
            cache.flushdb()
            if not failed:
                shutil.rmtree(folder, ignore_errors=True)
        if args.keep or failed:
            print(f"logs kept in {folder}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
