"""/metrics for the processes that serve no HTTP of their own: the Celery worker and beat,
the ledger relay, the notifications and payments consumers.

Each such command takes ``--metrics-port N`` (or ``METRICS_PORT``; unset, no server) and
then answers ``GET /metrics`` on ``METRICS_HOST`` (127.0.0.1 by default; 0.0.0.0 in a pod)
from a small WSGI server in a daemon thread, with the same scrape rule as the app servers:
the ``METRICS_TOKEN`` bearer token when one is set, else loopback clients only.

A worker's prefork pool runs tasks in child processes, whose counters live in those
processes: the worker therefore runs in prometheus-client's multiprocess mode, as
``app.py serve`` does for its gunicorn workers (share_metrics_between_processes). Every
process of the tree keeps its metrics in files of one directory, and a scrape of the main
process sums them (backend.platform.observability.metrics_exposition). A child that exits
is marked dead (its live gauges dropped; its counters stay counted), and a child does not
keep the main process's listening socket open (follow_pool_children).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import hmac
import os
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from backend.platform.config import Settings
from backend.platform.observability import SHARED_METRICS_DIR, metrics_exposition, shared_metrics_dir

PATH = "/metrics"
_LOOPBACK = frozenset({"127.0.0.1", "::1"})

# Set while the command restarts itself with its metrics directory ready (same pid).
_DIRECTORY_READY = "POOLS_METRICS_DIR_READY"
_OWN_DIRECTORY = "POOLS_OWNS_METRICS_DIR"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def metrics_port(option: int | None, settings: Settings) -> int | None:
    """The port to serve metrics on: the command's --metrics-port, else METRICS_PORT, else none."""
    return option if option is not None else settings.metrics_port


def share_metrics_between_processes() -> None:
    """Make this process and every process it forks count into one scrape.

    prometheus-client keeps each process's metrics in files under PROMETHEUS_MULTIPROC_DIR
    and sums them on a scrape, but only if the variable is set when it is first imported,
    which the command line has already done. So the directory is made ready and the command
    starts again in this process (os.execv: same pid, same arguments) with it set:

    * unset: a fresh directory of the process's own, removed when it exits;
    * set by the operator (one directory per process tree, on local disk, e.g. an emptyDir):
      emptied of an earlier run's files first, which would be added to this run's counts
      (and in a container, where the pid is the same every run, continued by this one).
    """
    if os.environ.pop(_DIRECTORY_READY, None):
        if os.environ.pop(_OWN_DIRECTORY, None):
            atexit.register(_remove_if_mine, os.environ[SHARED_METRICS_DIR], os.getpid())
        return
    directory = shared_metrics_dir()
    if directory is None:
        os.environ[SHARED_METRICS_DIR] = tempfile.mkdtemp(prefix="pools-metrics-")
        os.environ[_OWN_DIRECTORY] = "1"
    else:
        for stale in Path(directory).glob("*.db"):
            stale.unlink()
    os.environ[_DIRECTORY_READY] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, *sys.argv])  # noqa: S606 - ourselves, same arguments


def _remove_if_mine(directory: str, owner: int) -> None:
    # A forked child that ran exit handlers must not take the directory from its parent.
    if os.getpid() == owner:
        shutil.rmtree(directory, ignore_errors=True)


def mark_process_dead(pid: int) -> None:
    """A process of the tree is gone: its live gauges no longer count (its counters do)."""
    from prometheus_client import multiprocess

    if shared_metrics_dir():
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def scrape_allowed(environ: dict[str, Any], token: str | None) -> bool:
    """Who may read /metrics, the one rule of every process (the app servers' route in
    backend/composition/web.py asks it too, with its request's WSGI environ): the scrape
    token, compared in constant time, or with no token configured a loopback client that
    came through no proxy (a proxy on the same host would make every outside client look
    like loopback)."""
    if token:
        given = str(environ.get("HTTP_AUTHORIZATION", ""))
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    proxied = "HTTP_X_FORWARDED_FOR" in environ or "HTTP_FORWARDED" in environ
    return environ.get("REMOTE_ADDR") in _LOOPBACK and not proxied


def this_process_metrics(read_when_scraped: Sequence[Collector] = ()) -> bytes:
    """What the process's /metrics answers: its default registry, or every process of its
    tree summed from the shared directory in multiprocess mode; and in either, the figures
    of `read_when_scraped`, read afresh at each scrape (beat's Celery queue depths)."""
    own = CollectorRegistry()
    if not shared_metrics_dir():
        for collector in read_when_scraped:
            own.register(collector)
    return metrics_exposition(own, list(read_when_scraped))


def metrics_app(token: str | None, exposition: Callable[[], bytes] = this_process_metrics) -> WsgiApp:
    """A WSGI app answering GET /metrics with `exposition()` to an allowed scraper, 404 otherwise."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or not scrape_allowed(environ, token):
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"not found\n"]
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")])
            return [b"method not allowed\n"]
        body = exposition()
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(body)))])
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    return app


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a scrape under way never holds the process up at exit


class _Server6(_Server):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Prometheus scrapes every 15 s: no access line for each."""


class MetricsServer:
    """/metrics on host:port, served from a daemon thread until close()."""

    def __init__(
        self, host: str, port: int, token: str | None, read_when_scraped: Sequence[Collector] = ()
    ) -> None:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        server_class = _Server6 if family == socket.AF_INET6 else _Server
        app = metrics_app(token, lambda: this_process_metrics(read_when_scraped))
        self._server = make_server(host, port, app, server_class, handler_class=_QuietHandler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop answering and free the port."""
        self._server.shutdown()
        self._server.server_close()

    def close_inherited_socket(self) -> None:
        """In a forked child: drop this process's copy of the listening socket (the thread
        serving it was not forked), so that the port is free once the parent stops."""
        self._server.socket.close()


@contextlib.contextmanager
def serving_metrics(
    port: int | None,
    settings: Settings,
    *,
    forks: bool = False,
    read_when_scraped: Callable[[], Sequence[Collector]] = tuple,
) -> Iterator[MetricsServer | None]:
    """Serve this process's metrics on `port` (none when None) while the block runs.

    `read_when_scraped` makes the collectors whose figures are read at each scrape (called
    once the process has its metrics directory, after the restart `forks` may cause).

    `forks`: the process runs its work in child processes (a Celery prefork pool), whose
    counts must reach the scrape: multiprocess mode (the command restarts itself once, see
    share_metrics_between_processes). A process that forks nothing keeps the default
    registry, with its own CPU and memory, unless the operator set PROMETHEUS_MULTIPROC_DIR:
    then the directory is its own and made ready the same way."""
    if port is None:
        yield None
        return
    if forks or shared_metrics_dir():
        share_metrics_between_processes()
    server = MetricsServer(settings.metrics_host, port, settings.metrics_token, read_when_scraped())
    try:
        yield server
    finally:
        server.close()


@contextlib.contextmanager
def serving_worker_metrics(port: int | None, settings: Settings) -> Iterator[MetricsServer | None]:
    """serving_metrics for a Celery worker: its pool's children count into the scrape, and
    each child follows the server (follow_pool_children). The threads and solo pools fork
    no child and would not need multiprocess mode; they get it too, so that a worker's
    figures read the same whichever pool it runs."""
    with serving_metrics(port, settings, forks=True) as server:
        if server is not None:
            follow_pool_children(server)
        yield server


def follow_pool_children(server: MetricsServer) -> None:
    """Celery's prefork children: each closes its copy of the listening socket as it starts,
    and is marked dead as it exits (a child killed outright leaves its files as they are:
    its counters still count, which is what they should do)."""
    from celery.signals import worker_process_init, worker_process_shutdown

    def child_started(**_: Any) -> None:
        server.close_inherited_socket()

    def child_exiting(pid: int | None = None, **_: Any) -> None:
        mark_process_dead(pid if pid is not None else os.getpid())

    worker_process_init.connect(child_started, weak=False, dispatch_uid="metrics_server.child_started")
    worker_process_shutdown.connect(child_exiting, weak=False, dispatch_uid="metrics_server.child_exiting")


def _port_number(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (1-65535)")
    return int(text)


def add_metrics_port_option(parser: argparse.ArgumentParser) -> None:
    """--metrics-port on a long-running command's parser."""
    parser.add_argument(
        "--metrics-port",
        type=_port_number,
        default=None,
        metavar="N",
        help="serve Prometheus metrics at http://METRICS_HOST:N/metrics (default: METRICS_PORT; unset: none)",
    )
