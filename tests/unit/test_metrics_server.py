"""The metrics server of the processes without HTTP of their own
(backend/composition/metrics_server.py): which port, who may scrape, what it answers, and how
a command makes its shared metrics directory ready before it restarts itself."""

from __future__ import annotations

import argparse
import atexit
import os
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from backend.composition import metrics_server
from backend.composition.metrics_server import (
    MetricsServer,
    add_metrics_port_option,
    metrics_app,
    metrics_port,
    scrape_allowed,
    share_metrics_between_processes,
)
from backend.platform.config import load_settings

TOKEN = "a-scrape-token-of-some-length"


def test_the_option_wins_over_the_variable_and_neither_means_no_server() -> None:
    assert metrics_port(None, load_settings()) is None
    assert metrics_port(None, load_settings(METRICS_PORT="9203")) == 9203
    assert metrics_port(9301, load_settings(METRICS_PORT="9203")) == 9301
    assert load_settings().metrics_host == "127.0.0.1"


def test_the_option_takes_a_port_and_nothing_else(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_metrics_port_option(parser)
    assert parser.parse_args([]).metrics_port is None
    assert parser.parse_args(["--metrics-port", "9201"]).metrics_port == 9201
    for wrong in ("0", "65536", "-1", "http"):
        with pytest.raises(SystemExit):
            parser.parse_args(["--metrics-port", wrong])
    assert "is not a TCP port" in capsys.readouterr().err


def _environ(
    remote: str = "127.0.0.1", path: str = "/metrics", method: str = "GET", **headers: str
) -> dict[str, Any]:
    return {"REMOTE_ADDR": remote, "PATH_INFO": path, "REQUEST_METHOD": method, **headers}


def test_who_may_scrape() -> None:
    # No token: loopback clients that came through no proxy, as the app servers' /metrics.
    assert scrape_allowed(_environ(), None)
    assert scrape_allowed(_environ("::1"), None)
    assert not scrape_allowed(_environ("10.0.0.7"), None)
    assert not scrape_allowed(_environ(HTTP_X_FORWARDED_FOR="203.0.113.9"), None)
    assert not scrape_allowed(_environ(HTTP_FORWARDED="for=203.0.113.9"), None)
    # A token: whoever sends it, and nobody else, loopback included.
    assert scrape_allowed(_environ("10.0.0.7", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"), TOKEN)
    assert not scrape_allowed(_environ(), TOKEN)
    assert not scrape_allowed(_environ(HTTP_AUTHORIZATION="Bearer something-else-entirely"), TOKEN)


def _call(app: Any, environ: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
    answered: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answered.update(status=status, headers=dict(headers))

    body: Iterable[bytes] = app(environ, start_response)
    return answered["status"], answered["headers"], b"".join(body)


def test_what_the_app_answers() -> None:
    app = metrics_app(None, lambda: b"some_metric 1.0\n")
    status, headers, body = _call(app, _environ())
    assert status == "200 OK" and body == b"some_metric 1.0\n"
    assert headers["Content-Type"].startswith("text/plain; version=") and headers["Content-Length"] == "16"
    assert _call(app, _environ(method="HEAD"))[2] == b""
    assert _call(app, _environ(path="/"))[0] == "404 Not Found"
    assert _call(app, _environ("10.0.0.7"))[0] == "404 Not Found"  # as if there were nothing here
    assert _call(app, _environ(method="POST"))[0] == "405 Method Not Allowed"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_server_answers_this_process_metrics_until_closed() -> None:
    port = _free_port()
    server = MetricsServer("127.0.0.1", port, None)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
            body = answer.read().decode()
        assert "# TYPE python_info gauge" in body  # the process's default registry
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30)
    finally:
        server.close()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


class _Restarted(Exception):
    """Stands for os.execv: the command would start again here."""


def _no_restart(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []

    def execv(path: str, argv: list[str]) -> None:
        calls.append([path, *argv])
        raise _Restarted

    monkeypatch.setattr(os, "execv", execv)
    return calls


def _restored_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset the variables the code under test sets in os.environ itself, so that monkeypatch
    puts them back as they were (absent) afterwards: left set, PROMETHEUS_MULTIPROC_DIR would
    switch every later test of this process into multiprocess mode."""
    for name in ("PROMETHEUS_MULTIPROC_DIR", "POOLS_METRICS_DIR_READY", "POOLS_OWNS_METRICS_DIR"):
        monkeypatch.setenv(name, "")  # recorded as it was: delenv alone records nothing if absent
        monkeypatch.delenv(name)


def test_an_operators_directory_is_emptied_then_the_command_restarts_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _restored_after(monkeypatch)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    (tmp_path / "counter_1.db").write_bytes(b"an earlier run's")
    (tmp_path / "keep.txt").write_text("not prometheus-client's")
    calls = _no_restart(monkeypatch)
    monkeypatch.setattr(sys, "argv", ["app.py", "worker"])
    with pytest.raises(_Restarted):
        share_metrics_between_processes()
    assert calls == [[sys.executable, sys.executable, "app.py", "worker"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
    assert os.environ["POOLS_METRICS_DIR_READY"] == "1" and "POOLS_OWNS_METRICS_DIR" not in os.environ


def test_without_a_directory_the_command_makes_its_own_and_removes_it_at_exit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _restored_after(monkeypatch)
    _no_restart(monkeypatch)
    with pytest.raises(_Restarted):
        share_metrics_between_processes()
    made = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    try:
        assert made.is_dir()
        # ... and after the restart (same pid), the directory is ready: no second restart.
        registered: list[tuple[Any, ...]] = []
        monkeypatch.setattr(atexit, "register", lambda *args: registered.append(args))
        share_metrics_between_processes()
        assert registered == [(metrics_server._remove_if_mine, str(made), os.getpid())]
        assert "POOLS_METRICS_DIR_READY" not in os.environ and "POOLS_OWNS_METRICS_DIR" not in os.environ
        metrics_server._remove_if_mine(str(made), os.getpid() + 1)  # a forked child: leaves it
        assert made.is_dir()
        metrics_server._remove_if_mine(str(made), os.getpid())
        assert not made.exists()
    finally:
        if made.exists():
            made.rmdir()
