"""The three topologies bench/topology.py measures, as processes on 127.0.0.1: where the
clients send their requests, what each topology starts, and stopping all of it whatever
happens. Every process started leads a session of its own, so its workers can be found (for
their CPU time) and killed with it."""

from __future__ import annotations

import http.client
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from backend.composition.rpc_commands import SERVICES
from bench.api_write import _free_port
from tests.integration.nginx_support import (
    AppServer,
    Nginx,
    start_app_server,
    start_nginx,
    wait_until_healthy,
)

ROOT = Path(__file__).resolve().parents[1]
RPC_START_SECONDS = 60.0

TOPOLOGIES = {
    "embedded": "client -HTTP-> app.py serve (gunicorn); every service in process",
    "nginx": "client -TLS-> nginx -HTTP-> 2 x app.py serve; every service in process",
    "grpc": "client -TLS-> nginx -HTTP-> 2 x app.py serve -gRPC-> app.py rpc serve SERVICE (one per service)",
}


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
class Processes:
    """What a topology started, stopped in reverse order whatever happens."""

    servers: list[AppServer] = field(default_factory=list)
    nginx: Nginx | None = None
    rpc: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def groups(self) -> dict[str, set[int]]:
        """The sessions of what was started, by what it is: the app servers, nginx, each gRPC
        service. Every process started leads a session of its own (its workers are in it)."""
        named = {"app servers": {server.process.pid for server in self.servers}}
        if self.nginx is not None and self.nginx.process is not None:
            named["nginx"] = {self.nginx.process.pid}
        for proc in self.rpc:
            # [python, app.py, rpc, serve, SERVICE, ...]; a service's copies are one group
            named.setdefault(str(proc.args[4]), set()).add(proc.pid)  # type: ignore[index]
        return named

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


def start_rpc(
    service: str, folder: Path, env: dict[str, str], endpoints: str, workers: int, *, copy: int = 1
) -> subprocess.Popen[bytes]:
    """`app.py rpc serve SERVICE` on its port of `endpoints` (not waited for: wait_serving).
    A second `copy` binds the same port: gRPC sets SO_REUSEPORT, and the kernel hands each new
    connection to one of them, as a Kubernetes Service spreads connections over its pods."""
    port = dict(item.split("=", 1) for item in endpoints.split(","))[service].rsplit(":", 1)[1]
    log = _rpc_log(folder, service, copy)
    return subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "app.py", "rpc", "serve", service, "--port", port, "--workers", str(workers)],
        cwd=ROOT,
        env={**env, "SERVICE_ENDPOINTS": endpoints, "SERVICE_NAME": f"rpc-{service}"},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _rpc_log(folder: Path, service: str, copy: int) -> Path:
    return folder / (f"rpc-{service}.log" if copy == 1 else f"rpc-{service}-{copy}.log")


def wait_serving(service: str, address: str, folder: Path, copies: int = 1) -> None:
    """Until every copy says it serves and the service's health service says SERVING."""
    deadline = time.monotonic() + RPC_START_SECONDS
    for copy in range(1, copies + 1):
        log = _rpc_log(folder, service, copy)
        while not (log.exists() and b"serving " in log.read_bytes()):
            if time.monotonic() > deadline:
                said = log.read_text() if log.exists() else "(no log)"
                raise SystemExit(f"app.py rpc serve {service} (copy {copy}) did not start:\n{said}")
            time.sleep(0.1)
    channel = grpc.insecure_channel(address)
    try:
        grpc.channel_ready_future(channel).result(timeout=RPC_START_SECONDS)
        answer = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=SERVICES[service].contract.full_service), timeout=10
        )
        if answer.status != health_pb2.HealthCheckResponse.SERVING:
            raise RuntimeError(f"health: {answer.status}")
    except Exception as exc:
        said = _rpc_log(folder, service, 1).read_text()
        raise SystemExit(f"app.py rpc serve {service} did not start ({exc!r}):\n{said}") from exc
    finally:
        channel.close()


@contextmanager
def topology(
    name: str, folder: Path, env: dict[str, str], workers: int, threads: int, *, service_copies: int = 1
) -> Iterator[tuple[Target, int, Processes]]:
    """Start topology `name`; yields where clients send requests, an app server's port (for
    the token: the password endpoint is rate-limited at the edge) and what it started."""
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
            yield Target(server.port), server.port, started
            return
        app_env = dict(env)
        if name == "grpc":
            endpoints = ",".join(f"{service}=127.0.0.1:{_free_port()}" for service in SERVICES)
            # Enough threads for every app server thread to have a call under way.
            rpc_workers = max(16, 2 * workers * threads)
            for service in SERVICES:
                for copy in range(1, service_copies + 1):
                    started.rpc.append(start_rpc(service, here, env, endpoints, rpc_workers, copy=copy))
            for service, address in (item.split("=", 1) for item in endpoints.split(",")):
                wait_serving(service, address, here, service_copies)
            app_env["SERVICE_ENDPOINTS"] = endpoints
        for n in (1, 2):
            started.servers.append(
                start_app_server(f"app{n}", here, app_env, workers=workers, threads=threads)
            )
        for server in started.servers:
            wait_until_healthy(server)
        started.nginx = start_nginx(here / "nginx", [server.address for server in started.servers])
        yield Target(started.nginx.port, started.nginx.ca), started.servers[0].port, started
    finally:
        started.stop()
