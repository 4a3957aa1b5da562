"""What the local topology runs: every part, its command, its port and its place in the start
order. Pure: nothing here starts anything, so the plan can be read and tested on its own.

Which port each part listens on is ports.py's; the RabbitMQ node's settings are rabbitmq.py's."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

from backend.composition.stack import rabbitmq
from backend.composition.stack.ports import Ports

ROOT = Path(__file__).resolve().parents[3]
APP = ROOT / "app.py"
MARIADB_CONFIGS = ROOT / "deploy" / "mariadb"
NGINX_RENDER = ROOT / "deploy" / "nginx" / "render.py"
PROMETHEUS_RULES = ROOT / "deploy" / "prometheus" / "rules"
DATABASE = "pools"
APP_SERVERS = 2
# A unix socket's path is capped at 108 bytes by the kernel.
SOCKET_PATH_LIMIT = 100


class Tier(IntEnum):
    """Start order: a tier starts once every part of the one before answers; stop is reversed."""

    STORES = 0  # MariaDB primary and replica, Redis, RabbitMQ
    SERVICES = 1  # one gRPC server per service, the stores' exporters
    APPLICATION = 2  # the app servers, Celery worker and beat, the relay, the consumers
    EDGE = 3  # nginx and Prometheus


class Probe(IntEnum):
    """How `status` and `up` tell a part answers, beyond its port being open."""

    PORT = 0
    HTTP_HEALTH = 1  # GET /healthz answers 200


@dataclass(frozen=True)
class Part:
    name: str
    tier: Tier
    argv: tuple[str, ...]
    port: int
    env: Mapping[str, str] = field(default_factory=dict)
    probe: Probe = Probe.PORT
    run_as: str | None = None
    """The system user the part's program switches to (RabbitMQ's start script does): its
    folder must be that user's."""
    what: str = ""
    pid_file: Path | None = None
    """Where the program writes its server's pid when that server leaves the part's session
    (su, in RabbitMQ's start script, starts a session of its own): stop signals it too."""


@dataclass(frozen=True)
class Stack:
    """One local topology: its folder (data, logs, state) and its ports."""

    folder: Path
    ports: Ports
    services: tuple[str, ...]
    """The services that run as gRPC servers (every service `app.py rpc serve` knows)."""

    @property
    def logs(self) -> Path:
        return self.folder / "logs"

    @property
    def var_dir(self) -> Path:
        """VAR_DIR of every platform process: one session secret, one set of JWT keys and
        one internal token key, made once before any starts."""
        return self.folder / "var"

    @property
    def state_file(self) -> Path:
        return self.folder / "stack.json"

    def server_dir(self, name: str) -> Path:
        return self.folder / name

    def socket_path(self, name: str) -> Path:
        return self.server_dir(name) / "mysqld.sock"

    def database_url(self, port: int, user: str = "root") -> str:
        return f"mysql+pymysql://{user}@127.0.0.1:{port}/{DATABASE}?charset=utf8mb4"

    @property
    def primary_url(self) -> str:
        return self.database_url(self.ports.primary)

    @property
    def replica_url(self) -> str:
        return self.database_url(self.ports.replica)

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.ports.redis}/0"

    @property
    def broker_url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.ports.rabbitmq}//"

    @property
    def service_endpoints(self) -> str:
        return ",".join(f"{name}=127.0.0.1:{self.ports.rpc(i)}" for i, name in enumerate(self.services))

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.ports.nginx}/"

    @property
    def nginx_prefix(self) -> Path:
        return self.folder / "nginx"

    @property
    def ca_certificate(self) -> Path:
        return self.nginx_prefix / "tls" / "ca.pem"

    def platform_env(self, service_name: str) -> dict[str, str]:
        """The settings every platform process shares, and the name its logs and traces carry."""
        return {
            "DATABASE_URL": self.primary_url,
            "DATABASE_REPLICA_URLS": self.replica_url,
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.broker_url,
            "VAR_DIR": str(self.var_dir),
            "SERVICE_ENDPOINTS": self.service_endpoints,
            "SERVICE_NAME": service_name,
        }


def binary(*names: str) -> str:
    """The first of `names` installed (Debian keeps servers in sbin, off a user's PATH)."""
    for name in names:
        found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin:/usr/bin")
        if found:
            return found
    raise FileNotFoundError(f"{names[0]} is not installed (make services installs it)")


def _app(*args: str) -> tuple[str, ...]:
    return (sys.executable, str(APP), *args)


def _mariadb(stack: Stack, name: str, config: str, port: int, running_as_root: bool) -> Part:
    home = stack.server_dir(name)
    argv = (
        binary("mariadbd", "mysqld"),
        # The production options (binary log with GTIDs, semi-sync, read-only replica), then
        # this machine's paths and small buffers, which win because they come later.
        f"--defaults-file={MARIADB_CONFIGS / config}",
        *(("--user=root",) if running_as_root else ()),
        f"--datadir={home / 'data'}",
        f"--socket={stack.socket_path(name)}",
        f"--port={port}",
        "--bind-address=127.0.0.1",
        f"--pid-file={home / 'mysqld.pid'}",
        f"--log-error={home / 'error.log'}",
        f"--tmpdir={home}",
        "--innodb-buffer-pool-size=128M",
        "--innodb-log-file-size=32M",
        "--max-connections=400",
        "--skip-name-resolve",
    )
    return Part(name, Tier.STORES, argv, port, what=f"MariaDB {name.split('-')[1]} ({config})")


def plan(stack: Stack, *, running_as_root: bool) -> list[Part]:
    """Every process of the local topology, in start order."""
    ports = stack.ports
    parts = [
        _mariadb(stack, "mariadb-primary", "primary.cnf", ports.primary, running_as_root),
        _mariadb(stack, "mariadb-replica", "replica.cnf", ports.replica, running_as_root),
        Part(
            "redis",
            Tier.STORES,
            (
                binary("redis-server"),
                "--bind",
                "127.0.0.1",
                "--port",
                str(ports.redis),
                # The cache and locks only: nothing in Redis needs to outlive the process.
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(stack.server_dir("redis")),
            ),
            ports.redis,
            what="Redis (cache, locks)",
        ),
        Part(
            "rabbitmq",
            Tier.STORES,
            (binary("rabbitmq-server"),),
            ports.rabbitmq,
            env=rabbitmq.rabbitmq_env(ports, stack.server_dir("rabbitmq")),
            run_as=rabbitmq.SYSTEM_USER if running_as_root else None,
            pid_file=rabbitmq.pid_file(stack.server_dir("rabbitmq")),
            what="RabbitMQ (Celery tasks, ledger events)",
        ),
    ]
    for index, service in enumerate(stack.services):
        parts.append(
            Part(
                f"rpc-{service}",
                Tier.SERVICES,
                _app(
                    "rpc",
                    "serve",
                    service,
                    "--port",
                    str(ports.rpc(index)),
                    "--metrics-port",
                    str(ports.rpc_metrics(index)),
                ),
                ports.rpc(index),
                env=stack.platform_env(f"rpc-{service}"),
                what=f"the {service} service over gRPC (metrics on {ports.rpc_metrics(index)})",
            )
        )
    parts += _exporters(stack)
    for n in range(1, APP_SERVERS + 1):
        parts.append(
            Part(
                f"app-{n}",
                Tier.APPLICATION,
                _app("serve", "--workers", "2", "--threads", "4"),
                ports.app_server(n),
                env={
                    **stack.platform_env(f"app-{n}"),
                    "PORT": str(ports.app_server(n)),
                    "TRUSTED_PROXY_HOPS": "1",
                    "PORTAL_URL": stack.url.rstrip("/"),
                },
                probe=Probe.HTTP_HEALTH,
                what="API gateway and portal (gunicorn)",
            )
        )
    workers = (
        (
            "worker",
            _app("worker", "--pool", "prefork", "--concurrency", "2"),
            ports.worker_metrics,
            "Celery worker",
        ),
        ("beat", _app("beat"), ports.beat_metrics, "Celery beat (exactly one)"),
        ("relay", _app("ledger", "relay"), ports.relay_metrics, "the outbox relay"),
        (
            "notifications-consumer",
            _app("notifications", "consume"),
            ports.notifications_metrics,
            "notifications from ledger events",
        ),
        (
            "payments-consumer",
            _app("payments", "consume"),
            ports.payments_metrics,
            "payment requests from calls",
        ),
    )
    for name, argv, port, what in workers:
        parts.append(
            Part(
                name,
                Tier.APPLICATION,
                (*argv, "--metrics-port", str(port)),
                port,
                env=stack.platform_env(name),
                what=what,
            )
        )
    parts += [
        Part(
            "nginx",
            Tier.EDGE,
            (binary("nginx"), "-p", str(stack.nginx_prefix), "-c", str(stack.nginx_prefix / "nginx.conf")),
            ports.nginx,
            what="load balancer (TLS, HTTP/2)",
        ),
        Part(
            "prometheus",
            Tier.EDGE,
            (
                binary("prometheus"),
                f"--config.file={stack.folder / 'prometheus' / 'prometheus.yml'}",
                f"--storage.tsdb.path={stack.folder / 'prometheus' / 'data'}",
                f"--web.listen-address=127.0.0.1:{ports.prometheus}",
            ),
            ports.prometheus,
            what="Prometheus (scrapes every part)",
        ),
    ]
    return parts


def _exporters(stack: Stack) -> list[Part]:
    ports = stack.ports
    parts = []
    for role, port, extra in (
        ("primary", ports.mysqld_exporter_primary, ()),
        ("replica", ports.mysqld_exporter_replica, ("--collect.slave_status",)),
    ):
        parts.append(
            Part(
                f"mysqld-exporter-{role}",
                Tier.SERVICES,
                (
                    binary("prometheus-mysqld-exporter"),
                    f"--config.my-cnf={stack.server_dir('exporters') / f'{role}.my.cnf'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                    *extra,
                ),
                port,
                what=f"MariaDB {role} metrics",
            )
        )
    parts.append(
        Part(
            "redis-exporter",
            Tier.SERVICES,
            (
                binary("prometheus-redis-exporter"),
                f"-redis.addr=redis://127.0.0.1:{ports.redis}",
                f"-web.listen-address=127.0.0.1:{ports.redis_exporter}",
            ),
            ports.redis_exporter,
            what="Redis metrics",
        )
    )
    return parts
