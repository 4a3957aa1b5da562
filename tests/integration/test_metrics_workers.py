"""/metrics under `app.py serve` with several gunicorn workers: every scrape counts every
worker's requests, whichever worker answers it (prometheus-client's multiprocess mode), an
operator's metrics directory is emptied of an earlier run's files, and the directory the
server makes for itself is gone when it stops."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.integration.replication import free_port
from tests.integration.served_app import get, migrate_embedded, serve_app, stop_app

ROOT = Path(__file__).resolve().parents[2]

SCRAPES = 6
_HEALTHZ = re.compile(r'^http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)$', re.M)


def _counting(metrics_dir: Path) -> set[str]:
    """The pids whose counters are in the directory."""
    return {path.stem.split("_")[-1] for path in metrics_dir.glob("counter_*.db")}


def _every_scrape_counts_every_worker(proc: subprocess.Popen[str], port: int, metrics_dir: Path) -> None:
    """Requests, then `kill -9` of every worker that served them, then more requests, which
    another process has to serve (a worker left, or one the master starts in their place);
    each scrape after that, from whichever worker, counts all of them. Which worker gunicorn
    hands a connection is up to it, so the test does not rely on it: a killed worker's
    counts have to come from its files. `metrics_dir` is the server's shared directory."""
    base = f"http://127.0.0.1:{port}"

    def workers() -> set[str]:
        return _counting(metrics_dir) - {str(proc.pid)}  # the master serves nothing

    # What the server counted before (serve_app's readiness probe, however many it took).
    sent = int(float(_HEALTHZ.findall(get(f"{base}/metrics"))[0]))
    for _ in range(10):
        get(f"{base}/healthz")
        sent += 1
    killed = workers()
    assert killed, "no worker counted the requests it served"
    for pid in killed:
        os.kill(int(pid), signal.SIGKILL)
    for _ in range(10):
        get(f"{base}/healthz")  # the master's listening socket stays open: nothing is refused
        sent += 1
    assert workers() - killed, "no other worker served after the kill"
    scrapes = [get(f"{base}/metrics") for _ in range(SCRAPES)]
    assert {float(_HEALTHZ.findall(body)[0]) for body in scrapes} == {float(sent)}
    # What is read at the scrape (the outbox's backlog) is there too, once.
    assert all(body.count("\nledger_outbox_unpublished_events ") == 1 for body in scrapes)


def test_every_scrape_counts_every_workers_requests_in_a_directory_the_server_owns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate_embedded(tmp_path, monkeypatch)
    port = free_port()
    proc = serve_app(tmp_path, port, None)
    try:
        # The server made its directory and started again with it (the same pid).
        environ = Path(f"/proc/{proc.pid}/environ").read_bytes().split(b"\0")
        named = [item.split(b"=", 1)[1] for item in environ if item.startswith(b"PROMETHEUS_MULTIPROC_DIR=")]
        assert len(named) == 1
        metrics_dir = Path(named[0].decode())
        assert metrics_dir.is_dir()
        _every_scrape_counts_every_worker(proc, port, metrics_dir)
    finally:
        stop_app(proc)
    assert not metrics_dir.exists()  # removed with the server


def test_an_operators_directory_is_emptied_of_an_earlier_runs_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate_embedded(tmp_path, monkeypatch)
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    # An earlier run's file, and not even a valid one: summed, it would break every scrape.
    (metrics_dir / "counter_1.db").write_bytes(b"left by an earlier run")
    port = free_port()
    proc = serve_app(tmp_path, port, metrics_dir)
    try:
        assert "1" not in _counting(metrics_dir)
        _every_scrape_counts_every_worker(proc, port, metrics_dir)
    finally:
        stop_app(proc)
    assert metrics_dir.is_dir()  # the operator's: kept
