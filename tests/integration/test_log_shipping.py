"""Central log collection for real (deploy/logging/): a collector and a shipper rsyslogd on
127.0.0.1, started by deploy/logging/rsyslogd.sh on free ports and temporary directories, and
`app.py serve` writing its JSON lines to the file the shipper tails (one file per process in
the log directory, stdout and stderr apart, as docs/operations.md tells whoever starts it).

What reaches the collector is checked byte for byte against what the process wrote: every
line, in order, none twice. Then the collector is away while the app keeps logging: when it is
back on its port, those lines arrive too, and still exactly once."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.integration.replication import free_port
from tests.integration.served_app import ROOT, get, migrate_embedded, stop_app

SCRIPT = ROOT / "deploy" / "logging" / "rsyslogd.sh"
HOSTNAME = "app-host-1"
SERVICE = "serve"
DEADLINE_S = 60.0
HEX32 = re.compile(r"^[0-9a-f]{32}$")


def _rsyslogd_installed() -> None:
    """rsyslogd and its RELP modules, or a failure saying how to get them: never a skip."""
    rsyslogd = shutil.which("rsyslogd") or Path("/usr/sbin/rsyslogd").is_file()
    modules = [*Path("/usr/lib").glob("*/rsyslog/*relp.so"), *Path("/usr/lib/rsyslog").glob("*relp.so")]
    relp = [
        module for module in ("imrelp", "omrelp") if f"{module}.so" not in {path.name for path in modules}
    ]
    if not rsyslogd or relp:
        pytest.fail(
            f"{'rsyslogd' if not rsyslogd else ' and '.join(relp)} not installed: `make services` "
            "(deploy/dev/ensure-services.sh) installs them, or apt-get install -y rsyslog rsyslog-relp"
        )


def _wait_for(what: str, done: Callable[[], bool], explain: Callable[[], str]) -> float:
    """Poll until done() (a generous deadline: two loaded cores); the seconds it took."""
    started = time.monotonic()
    while not done():
        if time.monotonic() - started > DEADLINE_S:
            raise AssertionError(f"{what}: not within {DEADLINE_S:.0f} s. {explain()}")
        time.sleep(0.2)
    return time.monotonic() - started


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


class Rsyslogd:
    """deploy/logging/rsyslogd.sh <role> as a process of this test: rsyslogd in the foreground
    with its own config, pid file and work directory (never the system's rsyslog)."""

    def __init__(self, role: str, env: dict[str, str], output: Path) -> None:
        self.role, self.env, self.output = role, env, output
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # If pytest itself is SIGKILLed (a CI timeout), the kernel ends rsyslogd too.
        setpriv = shutil.which("setpriv")
        prefix = [setpriv, "--pdeathsig", "KILL"] if setpriv else []
        with self.output.open("ab") as output:
            self.proc = subprocess.Popen(
                [*prefix, "bash", str(SCRIPT), self.role],
                env={**os.environ, **self.env},
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """SIGTERM, as a supervisor stops it: rsyslogd saves its queues and read positions."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def said(self) -> str:
        return f"{self.role} said: {self.output.read_text(errors='replace')[-2000:]!r}"


class Pipeline:
    """The app's log directory, a shipper tailing it and a collector receiving from it."""

    def __init__(self, tmp_path: Path) -> None:
        self.log_dir = tmp_path / "logs"
        self.collected = tmp_path / "collected"
        self.log_dir.mkdir()
        self.port = free_port()
        self.collector = Rsyslogd(
            "collector",
            {
                "LOG_COLLECTOR_ADDRESS": "127.0.0.1",
                "LOG_COLLECTOR_PORT": str(self.port),
                "LOG_COLLECTOR_DIR": str(self.collected),
                "LOG_COLLECTOR_WORK_DIR": str(tmp_path / "collector-work"),
            },
            tmp_path / "collector.out",
        )
        self.shipper = Rsyslogd(
            "shipper",
            {
                "LOG_DIR": str(self.log_dir),
                "LOG_SHIPPER_WORK_DIR": str(tmp_path / "shipper-work"),
                "LOG_COLLECTOR_HOST": "127.0.0.1",
                "LOG_COLLECTOR_PORT": str(self.port),
                "LOG_HOSTNAME": HOSTNAME,
            },
            tmp_path / "shipper.out",
        )

    def start_collector(self) -> None:
        self.collector.start()
        _wait_for(
            "the collector listens",
            lambda: self.collector.running() and _port_open(self.port),
            self.collector.said,
        )

    def start_shipper(self) -> None:
        self.shipper.start()
        # It has nothing to announce; a bad setting or config ends it at once.
        assert self.shipper.running(), self.shipper.said()

    def written(self, name: str) -> bytes:
        """What the process wrote to its file in the log directory."""
        path = self.log_dir / name
        return path.read_bytes() if path.exists() else b""

    def received(self, name: str) -> bytes:
        """What the collector wrote for this host's file of that name."""
        path = self.collected / HOSTNAME / name
        return path.read_bytes() if path.exists() else b""

    def wait_until_collected(self, name: str, request_ids: list[str]) -> float:
        """Until the collector holds every line of the file the process wrote (at least up to the
        lines of these requests), byte for byte and in order; the seconds it took."""

        def done() -> bool:
            received = self.received(name)  # first: the source only grows meanwhile
            written = self.written(name)
            assert written.startswith(received), _difference(written, received)
            complete = received[: received.rfind(b"\n") + 1]
            return all(f'"request_id": "{rid}"'.encode() in complete for rid in request_ids)

        return _wait_for(
            f"{name}'s lines reach the collector",
            done,
            lambda: f"{self.shipper.said()} {self.collector.said()}",
        )

    def wait_until_identical(self, name: str) -> float:
        """Until the collector holds exactly what the process wrote to that file: call it once
        the process has stopped. The seconds it took."""
        return _wait_for(
            f"the collector holds exactly {name}, no line lost, none twice",
            lambda: self.received(name) == self.written(name),
            lambda: _difference(self.written(name), self.received(name)),
        )

    def stop(self) -> None:
        self.shipper.stop()
        self.collector.stop()


def _difference(written: bytes, received: bytes) -> str:
    """Where what the collector holds stops being what the process wrote."""
    lines, got = written.splitlines(keepends=True), received.splitlines(keepends=True)
    for number, (line, other) in enumerate(zip(lines, got, strict=False), 1):
        if line != other:
            return f"line {number} differs: wrote {line[:300]!r}, collected {other[:300]!r}"
    return f"the collector holds {len(got)} lines, {len(got) - len(lines)} more than were written"


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Pipeline]:
    _rsyslogd_installed()
    pipes = Pipeline(tmp_path)
    try:
        yield pipes
    finally:
        pipes.stop()


@pytest.fixture
def serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pipeline: Pipeline
) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """`app.py serve` on the embedded database, started as tests/integration/served_app.py does,
    its stdout (the JSON lines) in logs/serve.log and its stderr (gunicorn's own text lines) in
    logs/serve.stderr.log."""
    migrate_embedded(tmp_path, monkeypatch)
    port = free_port()
    env = {
        **os.environ,
        "VAR_DIR": str(tmp_path / "var"),
        "PORT": str(port),
        "LOG_LEVEL": "INFO",
    }
    # No SERVICE_NAME: the command names itself, and its forked gunicorn workers keep it.
    env.pop("SERVICE_NAME", None)
    env.pop("DATABASE_URL", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with (
        (pipeline.log_dir / "serve.log").open("ab") as out,
        (pipeline.log_dir / "serve.stderr.log").open("ab") as err,
    ):
        proc = subprocess.Popen(
            [sys.executable, "app.py", "serve", "--workers", "1", "--threads", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
            text=True,
        )
    try:

        def healthy() -> bool:
            assert proc.poll() is None, pipeline.written("serve.stderr.log").decode(errors="replace")
            try:
                get(f"http://127.0.0.1:{port}/healthz")
                return True
            except OSError:
                return False

        _wait_for("app.py serve answers", healthy, lambda: pipeline.written("serve.stderr.log").decode())
        yield proc, port
    finally:
        stop_app(proc)


def _requests(port: int, label: str, count: int = 3) -> list[str]:
    """`count` requests with X-Request-ID headers of this test's own; their ids."""
    ids = [f"ship-{label}-{uuid.uuid4().hex[:12]}" for _ in range(count)]
    for rid in ids:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": rid})
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - http://127.0.0.1 only
            assert answer.headers["X-Request-ID"] == rid
    return ids


def _lines_of(data: bytes, request_ids: list[str]) -> dict[str, dict[str, object]]:
    """The `http` line of each request, parsed: every line collected must be JSON."""
    found: dict[str, dict[str, object]] = {}
    for raw in data.splitlines():
        line = json.loads(raw)  # a line that is not JSON fails the test here
        assert isinstance(line, dict), raw
        if line.get("logger") == "http" and line.get("request_id") in request_ids:
            found[str(line["request_id"])] = line
    assert sorted(found) == sorted(request_ids)
    return found


def _assert_fields(line: dict[str, object]) -> None:
    assert line["service"] == SERVICE
    assert line["level"] == "INFO"
    assert isinstance(line["trace_id"], str) and HEX32.match(line["trace_id"]), line
    assert isinstance(line["ts"], str) and datetime.fromisoformat(line["ts"]).tzinfo is not None, line


def test_every_line_reaches_the_collector_byte_for_byte(
    pipeline: Pipeline, serve: tuple[subprocess.Popen[str], int]
) -> None:
    pipeline.start_collector()
    pipeline.start_shipper()
    proc, port = serve
    sent = _requests(port, "first")
    pipeline.wait_until_collected("serve.log", sent)

    # Once the process has stopped, the collector holds exactly what it wrote: its JSON lines,
    # and on their own file gunicorn's text lines from stderr, untouched too.
    stop_app(proc)
    pipeline.wait_until_identical("serve.log")
    pipeline.wait_until_identical("serve.stderr.log")
    for line in _lines_of(pipeline.received("serve.log"), sent).values():
        _assert_fields(line)
    assert b"Starting gunicorn" in pipeline.received("serve.stderr.log")


def test_lines_written_while_the_collector_is_away_arrive_once_it_is_back(
    pipeline: Pipeline, serve: tuple[subprocess.Popen[str], int]
) -> None:
    pipeline.start_collector()
    pipeline.start_shipper()
    proc, port = serve
    before = _requests(port, "before")
    pipeline.wait_until_collected("serve.log", before)

    pipeline.collector.stop()
    during = _requests(port, "during")
    _wait_for(
        "the app wrote its lines",
        lambda: all(rid.encode() in pipeline.written("serve.log") for rid in during),
        lambda: pipeline.written("serve.log").decode()[-2000:],
    )
    # The shipper read them and tried to forward them: they wait in its queue, not in the file.
    _wait_for(
        "the shipper finds the collector gone",
        lambda: "suspending" in pipeline.shipper.said(),
        pipeline.shipper.said,
    )
    assert pipeline.received("serve.log").count(b"ship-during-") == 0  # it is away

    pipeline.start_collector()  # the same port and directory
    pipeline.wait_until_collected("serve.log", during)
    stop_app(proc)
    pipeline.wait_until_identical("serve.log")
    lines = _lines_of(pipeline.received("serve.log"), before + during)
    for line in lines.values():
        _assert_fields(line)
