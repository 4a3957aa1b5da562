"""nginx (deploy/nginx/) in front of `app.py serve` app servers, for the balancer tests.

Each app server is a gunicorn master and its workers in a session of their own, so a test can
`kill -9` the whole server (its process group) the way a host dies; nginx runs in the
foreground from a temporary prefix (`-p`) with its logs, pid and temporary files there, on a
free loopback port, with the dev certificate deploy/nginx/render.py generates.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.integration.replication import free_port
from tests.integration.served_app import ROOT

RENDERER = ROOT / "deploy" / "nginx" / "render.py"
START_SECONDS = 90.0
"""How long an app server may take to answer /healthz: each worker builds the portal."""


def renderer() -> ModuleType:
    """deploy/nginx/render.py, loaded by its path (deploy/ is not a package of the project)."""
    name = "deploy_nginx_render"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, RENDERER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None)
    if found is None:  # a broken machine, not a skip
        pytest.fail("nginx is not installed: run `make services` (Debian's nginx-light package)")
    return found


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class AppServer:
    """`python app.py serve` on 127.0.0.1:`port`, in its own session (process group)."""

    name: str
    port: int
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def kill_hard(self) -> None:
        """SIGKILL to the master and every worker at once (the process group), as when the
        host dies: no graceful shutdown, requests under way cut off. Returns once nothing
        listens on the port any more."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _port_open(self.port):
            assert time.monotonic() < deadline, f"{self.name} still listens after kill -9"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def start_app_server(
    name: str, folder: Path, env: dict[str, str], *, workers: int = 2, threads: int = 4
) -> AppServer:
    """Start one app server (not yet waited for: see `wait_until_healthy`)."""
    port = free_port()
    log = folder / f"{name}.log"
    process = subprocess.Popen(
        [sys.executable, "app.py", "serve", "--workers", str(workers), "--threads", str(threads)],
        cwd=ROOT,
        env={**env, "PORT": str(port), "SERVICE_NAME": name},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return AppServer(name=name, port=port, log=log, process=process)


def wait_until_healthy(server: AppServer) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        try:
            with urllib.request.urlopen(f"http://{server.address}/healthz", timeout=30):
                return
        except OSError:
            if server.process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise AssertionError(f"{server.name} did not start:\n{server.log.read_text()}") from None
            time.sleep(0.2)


def app_server_env(database_url: str, var_dir: Path, redis_url: str, broker_url: str) -> dict[str, str]:
    """The environment both app servers share: one database, one Redis, one var/ folder
    (the session-signing secret and the JWT keys, made before they start, are the same for
    both, so either can answer any cookie or token), and one proxy in front of them."""
    env = {**os.environ}
    for variable in ("PROMETHEUS_MULTIPROC_DIR", "DATABASE_REPLICA_URLS", "METRICS_PORT", "SECRET_KEY"):
        env.pop(variable, None)
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            # The books' events wait in the outbox for a relay (none runs here), as in
            # production, instead of being consumed inside the request.
            "CELERY_BROKER_URL": broker_url,
            "VAR_DIR": str(var_dir),
            "TRUSTED_PROXY_HOPS": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


@dataclass
class Nginx:
    prefix: Path
    conf: Path
    port: int
    ca: Path
    process: subprocess.Popen[bytes] | None = None
    log_offset: int = field(default=0)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.prefix / "logs" / "access.log"

    @property
    def error_log(self) -> Path:
        return self.prefix / "logs" / "error.log"

    def check(self) -> subprocess.CompletedProcess[str]:
        """`nginx -t` on the rendered configuration."""
        return subprocess.run(
            [nginx_binary(), "-t", "-p", str(self.prefix), "-c", str(self.conf)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def start(self) -> None:
        output = (self.prefix / "logs" / "nginx.out").open("wb")
        self.process = subprocess.Popen(
            [nginx_binary(), "-p", str(self.prefix), "-c", str(self.conf)],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while not _port_open(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"nginx did not start:\n{self.errors()}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # fast shutdown: the master stops its workers
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def errors(self) -> str:
        out = self.prefix / "logs" / "nginx.out"
        texts = [p.read_text(errors="replace") for p in (out, self.error_log) if p.exists()]
        return "\n".join(texts)

    def access_lines(self) -> list[str]:
        return self.access_log.read_text().splitlines() if self.access_log.exists() else []

    def tls_context(self, alpn: list[str] | None = None) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca))
        if alpn:
            context.set_alpn_protocols(alpn)
        return context


def start_nginx(
    folder: Path,
    addresses: list[str],
    *,
    max_fails: int = 1,
    login_rate: str = "5r/s",
    login_burst: int = 10,
) -> Nginx:
    """Render deploy/nginx/ for the app servers at `addresses` into `folder` (a dev
    certificate included), check it with `nginx -t` and start nginx on a free loopback port.
    max_fails=0 never takes a server out of the rotation."""
    render = renderer()
    certificate = render.write_dev_certificate(folder / "tls")
    port = free_port()
    site = render.NginxSite(
        prefix=folder,
        listen=f"127.0.0.1:{port}",
        upstreams=tuple(render.Upstream(address, max_fails=max_fails) for address in addresses),
        certificate=certificate.certificate,
        certificate_key=certificate.key,
        login_rate=login_rate,
        login_burst=login_burst,
        worker_user=render.default_worker_user(),
    )
    conf = render.write_site(site)
    nginx = Nginx(prefix=folder, conf=conf.resolve(), port=port, ca=certificate.ca)
    checked = nginx.check()
    assert checked.returncode == 0, f"nginx -t refused the rendered configuration:\n{checked.stderr}"
    nginx.start()
    return nginx


@dataclass(frozen=True)
class AccessLine:
    request: str
    status: int
    request_id: str
    upstreams: tuple[str, ...]
    upstream_statuses: tuple[str, ...]


_ACCESS = re.compile(
    r'^\S+ \[[^\]]+\] "(?P<request>[^"]*)" (?P<status>\d{3}) \d+ rid=(?P<rid>\S*) '
    r'upstream="(?P<upstream>[^"]*)" upstream_status="(?P<ustatus>[^"]*)"'
)


def parse_access_line(line: str) -> AccessLine:
    match = _ACCESS.match(line)
    assert match, f"not a line of the upstreams log format: {line!r}"

    def split(value: str) -> tuple[str, ...]:
        # "a, b" for a retry; "a : b" when an internal redirect (the keyed-write named
        # location) proxied again; "-" for nothing.
        return tuple(part for part in re.split(r"\s*[,:]\s+", value) if part and part != "-")

    return AccessLine(
        request=match["request"],
        status=int(match["status"]),
        request_id=match["rid"],
        upstreams=split(match["upstream"]),
        upstream_statuses=split(match["ustatus"]),
    )


def access_log_entries(nginx: Nginx) -> list[AccessLine]:
    return [parse_access_line(line) for line in nginx.access_lines()]


LOG_SECONDS = 10.0
"""nginx writes a request's access line after its answer has gone: a client can read the
answer before the line is there."""


def logged_since(nginx: Nginx, start: int, count: int) -> list[AccessLine]:
    """The access lines after the first `start`, once there are at least `count` of them."""
    deadline = time.monotonic() + LOG_SECONDS
    while True:
        lines = access_log_entries(nginx)[start:]
        if len(lines) >= count:
            return lines
        assert time.monotonic() < deadline, f"{len(lines)} access lines, not {count}, after {LOG_SECONDS} s"
        time.sleep(0.05)


def logged_request(nginx: Nginx, request_id: str) -> AccessLine:
    """The access line of the one request sent with X-Request-ID `request_id`."""
    deadline = time.monotonic() + LOG_SECONDS
    while True:
        lines = [line for line in access_log_entries(nginx) if line.request_id == request_id]
        if lines:
            assert len(lines) == 1, lines
            return lines[0]
        assert time.monotonic() < deadline, f"no access line for request {request_id}"
        time.sleep(0.05)


@dataclass
class Topology:
    """Two app servers and the nginx in front of them."""

    servers: list[AppServer]
    nginx: Nginx

    def server_at(self, address: str) -> AppServer:
        for server in self.servers:
            if server.address == address:
                return server
        raise AssertionError(f"no app server at {address}: {[s.address for s in self.servers]}")

    def stop(self) -> None:
        self.nginx.stop()
        for server in self.servers:
            server.stop()


def start_topology(folder: Path, env: dict[str, str], *, servers: int = 2) -> Topology:
    started = [start_app_server(f"app{n + 1}", folder, env) for n in range(servers)]
    try:
        for server in started:
            wait_until_healthy(server)
        nginx = start_nginx(folder / "nginx", [server.address for server in started])
    except BaseException:
        for server in started:
            server.stop()
        raise
    return Topology(servers=started, nginx=nginx)


def tls_alpn(nginx: Nginx, offered: list[str]) -> str | None:
    """The application protocol nginx picks from `offered` in the TLS handshake."""
    context = nginx.tls_context(offered)
    with (
        socket.create_connection(("127.0.0.1", nginx.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        return tls.selected_alpn_protocol()


def headers_named(response: Any, name: str) -> list[str]:
    """Every value of header `name` in a requests response (urllib3 keeps repeats apart)."""
    raw = response.raw.headers
    return list(raw.getlist(name)) if hasattr(raw, "getlist") else [response.headers[name]]


@dataclass
class SeenRequest:
    server: str
    method: str
    path: str
    headers: dict[str, str]


class FlakyUpstreams:
    """Two stand-in app servers on loopback that drop the first attempt of every request
    (read in full, then the connection closed with no answer, as a server killed mid-request)
    and answer any later attempt of it (the same X-Request-ID) with 200: a request nginx
    resends is answered, one it does not ends in nginx's own 502."""

    def __init__(self) -> None:
        self.seen: list[SeenRequest] = []
        self._lock = threading.Lock()
        self._servers = [self._server(name) for name in ("first", "second")]

    @property
    def addresses(self) -> list[str]:
        return [f"127.0.0.1:{server.server_address[1]}" for server in self._servers]

    def attempts(self, request_id: str) -> list[SeenRequest]:
        with self._lock:
            return [seen for seen in self.seen if seen.headers.get("x-request-id") == request_id]

    def start(self) -> None:
        for server in self._servers:
            threading.Thread(target=server.serve_forever, name="flaky-upstream", daemon=True).start()

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def _server(self, name: str) -> socketserver.ThreadingTCPServer:
        upstreams = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = self.connection.recv(65536)
                    if not chunk:
                        return
                    head += chunk
                header_bytes, _, body = head.partition(b"\r\n\r\n")
                lines = header_bytes.decode("latin-1").split("\r\n")
                method, path, _version = lines[0].split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
                }
                length = int(headers.get("content-length", "0"))
                while len(body) < length:
                    chunk = self.connection.recv(65536)
                    if not chunk:
                        return
                    body += chunk
                request_id = headers.get("x-request-id", "")
                with upstreams._lock:
                    first = not any(s.headers.get("x-request-id") == request_id for s in upstreams.seen)
                    upstreams.seen.append(SeenRequest(name, method, path, headers))
                if first:
                    return  # the connection closes unanswered
                self.connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 3\r\n"
                    b"Connection: close\r\n\r\n{}\n"
                )

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        return server
