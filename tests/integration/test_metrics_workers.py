"""/metrics under `app.py serve` with several gunicorn workers: every scrape counts every
worker's requests, whichever worker answers it (prometheus-client's multiprocess mode), an
operator's metrics directory is emptied of an earlier run's files, and the directory the
server makes for itself is gone when it stops."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import app as cli
from tests.integration.replication import free_port

ROOT = Path(__file__).resolve().parents[2]

SCRAPES = 6
_HEALTHZ = re.compile(r'^http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)$', re.M)


def _serve(tmp_path: Path, port: int, metrics_dir: Path | None) -> subprocess.Popen[str]:
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var"), "PORT": str(port), "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if metrics_dir is not None:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    proc = subprocess.Popen(
        [sys.executable, "app.py", "serve", "--workers", "2", "--threads", "1"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "serve.log").open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(
                    f"app.py serve did not start: {(tmp_path / 'serve.log').read_text()}"
                ) from exc
            time.sleep(0.2)


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def _get(url: str) -> str:
    # A worker the master starts after a kill may take seconds to load the app on a busy machine.
    with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 - http://127.0.0.1 only
        return str(answer.read().decode())


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

    sent = 1  # _serve's own /healthz
    for _ in range(10):
        _get(f"{base}/healthz")
        sent += 1
    killed = workers()
    assert killed, "no worker counted the requests it served"
    for pid in killed:
        os.kill(int(pid), signal.SIGKILL)
    for _ in range(10):
        _get(f"{base}/healthz")  # the master's listening socket stays open: nothing is refused
        sent += 1
    assert workers() - killed, "no other worker served after the kill"
    scrapes = [_get(f"{base}/metrics") for _ in range(SCRAPES)]
    assert {float(_HEALTHZ.findall(body)[0]) for body in scrapes} == {float(sent)}
    # What is read at the scrape (the outbox's backlog) is there too, once.
    assert all(body.count("\nledger_outbox_unpublished_events ") == 1 for body in scrapes)


def test_every_scrape_counts_every_workers_requests_in_a_directory_the_server_owns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _migrate(tmp_path, monkeypatch)
    port = free_port()
    proc = _serve(tmp_path, port, None)
    try:
        # The server made its directory and started again with it (the same pid).
        environ = Path(f"/proc/{proc.pid}/environ").read_bytes().split(b"\0")
        named = [item.split(b"=", 1)[1] for item in environ if item.startswith(b"PROMETHEUS_MULTIPROC_DIR=")]
        assert len(named) == 1
        metrics_dir = Path(named[0].decode())
        assert metrics_dir.is_dir()
        _every_scrape_counts_every_worker(proc, port, metrics_dir)
    finally:
        _stop(proc)
    assert not metrics_dir.exists()  # removed with the server


def test_an_operators_directory_is_emptied_of_an_earlier_runs_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _migrate(tmp_path, monkeypatch)
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    # An earlier run's file, and not even a valid one: summed, it would break every scrape.
    (metrics_dir / "counter_1.db").write_bytes(b"left by an earlier run")
    port = free_port()
    proc = _serve(tmp_path, port, metrics_dir)
    try:
        assert "1" not in _counting(metrics_dir)
        _every_scrape_counts_every_worker(proc, port, metrics_dir)
    finally:
        _stop(proc)
    assert metrics_dir.is_dir()  # the operator's: kept


def _migrate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert cli.main(["migrate"]) == 0
