"""Benchmark: the cost of each hop, as numbers. A script, not a test; it prints figures.

The same mixed workload goes through three topologies, one after the other, on one fresh
MariaDB database (Redis cache; a RabbitMQ broker configured so the outbox is relayed by its
own process, which is not started: publishing is not on the request path):

  1. embedded  `app.py serve` answered directly over HTTP, every service in process;
  2. nginx     nginx (TLS, deploy/nginx/) -> two `app.py serve` servers, services in process;
  3. grpc      nginx (TLS) -> two `app.py serve` servers with SERVICE_ENDPOINTS naming every
               service -> one `app.py rpc serve SERVICE` process per service (every service
               `rpc serve` knows is reached over gRPC, as the local stack and Kubernetes run it).

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

Prints for each topology: throughput, p50/p95/p99 of reads and of writes, and the errors
(any answer but 200/201, or a broken connection; there must be none); then the ratios
grpc / nginx (the gRPC hop; the issue's target: within 1.5x at p50) and nginx / embedded.

    python bench/topology.py [--clients 8] [--requests 2000] [--workers 2] [--threads 4] [--keep]

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
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import grpc  # noqa: E402
import redis  # noqa: E402
from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from backend.composition.container import Container  # noqa: E402
from backend.composition.rpc_commands import SERVICES  # noqa: E402
from backend.platform.config import load_settings  # noqa: E402
from bench.api_write import AMOUNT, DAY, _free_port, _set_up, _token  # noqa: E402
from bench.databases import drop_database, fresh_database  # noqa: E402
from tests.integration.nginx_support import (  # noqa: E402
    AppServer,
    Nginx,
    app_server_env,
    start_app_server,
    start_nginx,
    wait_until_healthy,
)

DEFAULT_URL = "mysql+pymysql://root@127.0.0.1:3306/pools_bench_topology"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
READS = ("list", "pool", "positions")
WRITE = "write"
WRITE_SHARE = 0.2
WARM_PER_CLIENT = 12
RPC_START_SECONDS = 60.0
TARGET_GRPC_P50 = 1.5


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


@dataclass(frozen=True)
class Target:
    """Where the clients send their requests: an app server over HTTP, or nginx over TLS
    (its dev CA trusted, the certificate checked)."""

    port: int
    ca: Path | None = None

    def connect(self) -> http.client.HTTPConnection:
        if self.ca is None:
            return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        context = ssl.create_default_context(cafile=str(self.ca))
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=60, context=context)


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


# -- the processes -------------------------------------------------------------------------


@dataclass
class Processes:
    """What a topology started, stopped in reverse order whatever happens."""

    servers: list[AppServer] = field(default_factory=list)
    nginx: Nginx | None = None
    rpc: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for server in self.servers:
            server.stop()
        for proc in self.rpc:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.rpc:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def _start_rpc(
    service: str, folder: Path, env: dict[str, str], endpoints: str, workers: int
) -> subprocess.Popen[bytes]:
    """`app.py rpc serve SERVICE` on its port of `endpoints` (not waited for: _wait_serving)."""
    port = dict(item.split("=", 1) for item in endpoints.split(","))[service].rsplit(":", 1)[1]
    log = folder / f"rpc-{service}.log"
    return subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "app.py", "rpc", "serve", service, "--port", port, "--workers", str(workers)],
        cwd=ROOT,
        env={**env, "SERVICE_ENDPOINTS": endpoints, "SERVICE_NAME": f"rpc-{service}"},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_serving(service: str, address: str, folder: Path) -> None:
    """Until the service's health service says SERVING."""
    channel = grpc.insecure_channel(address)
    try:
        grpc.channel_ready_future(channel).result(timeout=RPC_START_SECONDS)
        answer = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=SERVICES[service].contract.full_service), timeout=10
        )
        if answer.status != health_pb2.HealthCheckResponse.SERVING:
            raise RuntimeError(f"health: {answer.status}")
    except Exception as exc:
        log = (folder / f"rpc-{service}.log").read_text()
        raise SystemExit(f"app.py rpc serve {service} did not start ({exc!r}):\n{log}") from exc
    finally:
        channel.close()


@contextmanager
def _topology(
    name: str, folder: Path, env: dict[str, str], workers: int, threads: int
) -> Iterator[tuple[Target, int]]:
    """Start topology `name`; yields where clients send requests and an app server's port
    (for the token: the password endpoint is rate-limited at the edge)."""
    here = folder / name
    here.mkdir()
    started = Processes()
    try:
        if name == "embedded":
            # No proxy in front: nothing's X-Forwarded-* is to be believed.
            direct = {k: v for k, v in env.items() if k != "TRUSTED_PROXY_HOPS"}
            server = start_app_server("app1", here, direct, workers=workers, threads=threads)
            started.servers.append(server)
            wait_until_healthy(server)
            yield Target(server.port), server.port
            return
        app_env = dict(env)
        if name == "grpc":
            endpoints = ",".join(f"{service}=127.0.0.1:{_free_port()}" for service in SERVICES)
            # Enough threads for every app server thread to have a call under way.
            rpc_workers = max(16, 2 * workers * threads)
            for service in SERVICES:
                started.rpc.append(_start_rpc(service, here, env, endpoints, rpc_workers))
            for service, address in (item.split("=", 1) for item in endpoints.split(",")):
                _wait_serving(service, address, here)
            app_env["SERVICE_ENDPOINTS"] = endpoints
        for n in (1, 2):
            started.servers.append(
                start_app_server(f"app{n}", here, app_env, workers=workers, threads=threads)
            )
        for server in started.servers:
            wait_until_healthy(server)
        started.nginx = start_nginx(here / "nginx", [server.address for server in started.servers])
        yield Target(started.nginx.port, started.nginx.ca), started.servers[0].port
    finally:
        started.stop()


# -- the figures ---------------------------------------------------------------------------


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")


@dataclass(frozen=True)
class Row:
    name: str
    run: Run
    warm_errors: list[str]

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
    print(f"{row.name:<9} {row.rate:8.1f}  {cells[0]}   {cells[1]}   {len(row.run.errors):>6}", flush=True)


def _print_ratio(label: str, top: Row, bottom: Row, target: float | None = None) -> None:
    parts = []
    for kind in ("reads", "writes"):
        ratio = top.p50(kind) / bottom.p50(kind)
        verdict = "" if target is None else (" (within target)" if ratio <= target else " (OVER target)")
        parts.append(f"{kind} {ratio:5.2f}x{verdict}")
    print(f"{label}: p50 {', '.join(parts)}; req/s {top.rate / bottom.rate:5.2f}x")


TOPOLOGIES = {
    "embedded": "client -HTTP-> app.py serve (gunicorn); every service in process",
    "nginx": "client -TLS-> nginx -HTTP-> 2 x app.py serve; every service in process",
    "grpc": "client -TLS-> nginx -HTTP-> 2 x app.py serve -gRPC-> app.py rpc serve SERVICE (one per service)",
}


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
        f"--workers {args.workers} --threads {args.threads}"
    )
    for name, meaning in TOPOLOGIES.items():
        print(f"  {name:<9} {meaning}")
    print(
        "latencies in ms, from request sent to answer read at the client; req/s over the whole run; "
        "nginx and grpc run two app servers (twice embedded's workers) on the same cores"
    )
    print(
        f"{'topology':<9} {'req/s':>8}  {'reads':>5} {'p50':>7} {'p95':>7} {'p99':>7}   "
        f"{'writes':>5} {'p50':>6} {'p95':>7} {'p99':>7}   {'errors':>6}",
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
        with _topology(name, folder, env, args.workers, args.threads) as (target, app_port):
            token = _token(app_port)
            warmed = _drive(target, token, pool, investors, warm)
            rows[name] = Row(name, _drive(target, token, pool, investors, plans), warmed.errors)
        _print_row(rows[name])
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
