"""`python app.py serve` as a subprocess on a free loopback port, for the tests that need the
production server (gunicorn workers, multiprocess metrics) rather than Flask's test client."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

import app as cli

ROOT = Path(__file__).resolve().parents[2]


def serve_app(
    tmp_path: Path, port: int, metrics_dir: Path | None, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var"), "PORT": str(port), "LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if metrics_dir is not None:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    env.update(extra_env or {})
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
            # A long timeout: a probe given up on while a slow worker still answers it would be
            # counted by the server but not by a test that counts what it sent.
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30):
                return proc
        except OSError as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(
                    f"app.py serve did not start: {(tmp_path / 'serve.log').read_text()}"
                ) from exc
            time.sleep(0.2)


def stop_app(proc: subprocess.Popen[Any]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def get(url: str) -> str:
    # A worker the master starts after a kill may take seconds to load the app on a busy machine.
    with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 - http://127.0.0.1 only
        return str(answer.read().decode())


def migrate_embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert cli.main(["migrate"]) == 0
