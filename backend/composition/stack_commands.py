"""`python app.py stack ...`: the production shape on this machine, every part its own process
on 127.0.0.1 (docs/deployment.md, "The local stack").

    stack up [--dir D] [--base-port 18000]   start it all; print where each part listens
    stack status [--dir D]                   each part: running, answering, its log
    stack down [--dir D] [--purge]           stop it all (--purge: and delete its data)

nginx (TLS) -> two app servers -> one gRPC server per service -> MariaDB primary and replica,
Redis, RabbitMQ; the Celery worker and beat, the outbox relay, the two consumers; exporters
for MariaDB and Redis (RabbitMQ's own plugin) and a Prometheus scraping every part. Logs are
in D/logs/, one file per part."""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path
from typing import Any

from backend.composition.rpc_commands import SERVICES
from backend.composition.stack import bootstrap
from backend.composition.stack.layout import Stack, Tier, plan
from backend.composition.stack.ports import Ports
from backend.composition.stack.processes import Launcher, StackError, forget, log_tail, read_state, stop
from backend.platform.config import Settings

DEFAULT_BASE_PORT = 18000
# Settings of the shell that would point the stack's processes elsewhere than the stack.
_NOT_INHERITED = (
    "DATABASE_URL",
    "DATABASE_REPLICA_URLS",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "SERVICE_ENDPOINTS",
    "PROMETHEUS_MULTIPROC_DIR",
    "METRICS_PORT",
    "PORT",
    "SECRET_KEY",
)


def add_stack_parser(sub: Any) -> None:
    stack = sub.add_parser("stack", help="the production shape as local processes: up, status, down")
    verbs = stack.add_subparsers(dest="stack_command", required=True)
    up = verbs.add_parser("up", help="start every part on 127.0.0.1")
    up.add_argument("--base-port", type=int, default=DEFAULT_BASE_PORT, help="ports are offsets from it")
    down = verbs.add_parser("down", help="stop every part")
    down.add_argument("--purge", action="store_true", help="delete the stack's data and logs too")
    verbs.add_parser("status", help="which parts run and answer")
    for verb in (up, down, verbs.choices["status"]):
        verb.add_argument("--dir", type=Path, default=None, help="the stack's folder (default VAR_DIR/stack)")
    stack.set_defaults(func=cmd_stack)


def cmd_stack(args: argparse.Namespace, settings: Settings) -> int:
    folder = (args.dir or settings.var_dir / "stack").resolve()
    if args.stack_command == "up":
        return _up(Stack(folder, Ports(args.base_port), tuple(SERVICES)))
    running = read_state(Stack(folder, Ports(DEFAULT_BASE_PORT), ()))
    if not running:
        print(f"no stack in {folder}")
        return 1
    if args.stack_command == "status":
        return _status(running)
    killed = stop(running)
    forget(Stack(folder, Ports(DEFAULT_BASE_PORT), ()))
    print(f"stopped {len(running)} parts" + (f" (killed after {killed} ignored SIGTERM)" if killed else ""))
    if args.purge:
        shutil.rmtree(folder)
        print(f"deleted {folder}")
    return 0


def _up(stack: Stack) -> int:
    earlier = read_state(stack)
    if earlier and earlier[0].port != Ports(stack.ports.base).primary:
        print(f"the stack in {stack.folder} was started with another --base-port: `stack down` first")
        return 1
    # `up` on a stack that runs starts only what is not running: after a crash, the way back.
    still_running = [entry for entry in earlier if entry.alive()]
    running_names = {entry.name for entry in still_running}
    root = os.geteuid() == 0
    environment = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    launcher = Launcher(stack, still_running)
    try:
        parts = [p for p in plan(stack, running_as_root=root) if p.name not in running_names]
        if not parts:
            print(f"every part already runs from {stack.folder}")
            return _status(still_running)
        began = time.monotonic()
        bootstrap.prepare(stack, running_as_root=root)
        say("starting the stores (MariaDB primary and replica, Redis, RabbitMQ)")
        launcher.start_tier([p for p in parts if p.tier is Tier.STORES], environment)
        say(f"  answering after {time.monotonic() - began:.1f} s")
        bootstrap.set_up_databases(stack, say)
        logins = bootstrap.migrate_and_seed(stack, environment, say)
        say(f"  schema and demo data after {time.monotonic() - began:.1f} s")
        for tier, what in (
            (Tier.SERVICES, "the gRPC services and the exporters"),
            (Tier.APPLICATION, "the app servers, worker, beat, relay and consumers"),
            (Tier.EDGE, "nginx and Prometheus"),
        ):
            say(f"starting {what}")
            launcher.start_tier([p for p in parts if p.tier is tier], environment)
            say(f"  answering after {time.monotonic() - began:.1f} s")
    except (StackError, FileNotFoundError, OSError) as exc:
        print(f"error: {exc}\nstopping what this command started")
        launcher.stop_started()
        return 1
    except KeyboardInterrupt:
        launcher.stop_started()
        return 130
    _status(launcher.running)
    print(f"\n  Portal and API: {stack.url}  (trust {stack.ca_certificate})")
    print(f"  Prometheus:     http://127.0.0.1:{stack.ports.prometheus}/")
    print(f"  Logs:           {stack.logs}/\n\n  Demo logins:")
    for line in logins:
        print(f"    {line}")
    print("\n  python app.py stack status | python app.py stack down\n", flush=True)
    return 0


def _status(running: list[Any]) -> int:
    problems = 0
    print(f"{'part':<24} {'pid':>7}  {'port':>5}  {'state':<14} what")
    for entry in running:
        alive = entry.alive()
        answering = alive and entry.answering()
        state = "up" if answering else ("not answering" if alive else "stopped")
        problems += state != "up"
        print(f"{entry.name:<24} {entry.pid:>7}  {entry.port:>5}  {state:<14} {entry.what}")
        if state != "up":
            print("    " + log_tail(entry.log, 5).replace("\n", "\n    "))
    return 0 if problems == 0 else 3


def say(line: str) -> None:
    print(line, flush=True)
