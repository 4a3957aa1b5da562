"""Starting, watching and stopping the stack's processes.

Each part runs in a session of its own (so a stop reaches its children: gunicorn's and
Celery's workers, RabbitMQ's Erlang VM) with its output in logs/<name>.log. What runs is
written to stack.json as it starts, so `status` and `down` work from any shell, and a
failed `up` can stop exactly what it had started."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from backend.composition.stack.layout import ROOT, Part, Probe, Stack

START_SECONDS = 120.0
"""How long a part may take to answer: an app server builds the portal in each worker."""
STOP_SECONDS = 30.0
"""How long a part may take to stop on SIGTERM (RabbitMQ takes about ten) before SIGKILL."""


class StackError(RuntimeError):
    """A part did not start, or the stack is not in the state a command needs."""


@dataclass(frozen=True)
class Running:
    """A started part, as stack.json keeps it."""

    name: str
    pid: int
    port: int
    log: str
    probe: int
    what: str
    pid_file: str = ""
    tier: int = 0

    def alive(self) -> bool:
        return _alive(self.pid)

    def answering(self) -> bool:
        if not port_open(self.port):
            return False
        return self.probe != Probe.HTTP_HEALTH or _healthy(self.port)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process now has the number: ours is gone
        return False
    # A zombie (exited, not yet reaped by its parent) is not running.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True


def read_state(stack: Stack) -> list[Running]:
    if not stack.state_file.exists():
        return []
    return [Running(**entry) for entry in json.loads(stack.state_file.read_text())["parts"]]


def _write_state(stack: Stack, running: Sequence[Running]) -> None:
    body = {"base_port": stack.ports.base, "parts": [asdict(r) for r in running]}
    temporary = stack.state_file.with_suffix(".tmp")
    temporary.write_text(json.dumps(body, indent=2) + "\n")
    temporary.replace(stack.state_file)


class Launcher:
    """Starts parts one tier at a time and records each in stack.json as it starts."""

    def __init__(self, stack: Stack, running: Sequence[Running] = ()) -> None:
        self.stack = stack
        self.running = list(running)
        self._started: list[Running] = []
        stack.logs.mkdir(parents=True, exist_ok=True)
        _write_state(stack, self.running)

    def stop_started(self) -> None:
        """Undo this launch: stop what it started, keep what ran before it."""
        stop(self._started)
        self.running = [entry for entry in self.running if entry not in self._started]
        if self.running:
            _write_state(self.stack, self.running)
        else:
            forget(self.stack)

    def start_tier(self, parts: Iterable[Part], environment: dict[str, str]) -> None:
        started = []
        for part in parts:
            if port_open(part.port):
                raise StackError(f"{part.name}: port {part.port} is taken by another process")
            log = self.stack.logs / f"{part.name}.log"
            with log.open("ab") as output:
                process = subprocess.Popen(  # noqa: S603 - the plan's own programs, no shell
                    part.argv,
                    cwd=ROOT,
                    env={**environment, **part.env},
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            entry = Running(
                part.name,
                process.pid,
                part.port,
                str(log),
                int(part.probe),
                part.what,
                str(part.pid_file or ""),
                int(part.tier),
            )
            self.running.append(entry)
            self._started.append(entry)
            started.append((entry, process))
            _write_state(self.stack, self.running)
        deadline = time.monotonic() + START_SECONDS
        for entry, process in started:
            while not entry.answering():
                if process.poll() is not None:
                    raise StackError(f"{entry.name} exited with {process.returncode}:\n{log_tail(entry.log)}")
                if time.monotonic() > deadline:
                    raise StackError(f"{entry.name} did not answer on {entry.port}:\n{log_tail(entry.log)}")
                time.sleep(0.2)


def stop(running: Sequence[Running]) -> list[str]:
    """SIGTERM every part's session, a tier at a time from the edge inwards (the parts of one
    tier stop together; the stores last, so nothing loses its database while it stops), then
    SIGKILL what is still there. Returns the names that had to be killed."""
    for tier in sorted({entry.tier for entry in running}, reverse=True):
        stopping = [(entry, _server_pid(entry)) for entry in running if entry.tier == tier]
        for entry, server in stopping:
            _signal_session(entry.pid, signal.SIGTERM)
            if server is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(server, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for entry, server in stopping:
            _wait_gone(entry.pid, server, max(deadline - time.monotonic(), 0.0))
    killed = []
    for entry in running:
        server = _server_pid(entry)
        if _group_has_live_members(entry.pid) or (server is not None and _alive(server)):
            _signal_session(entry.pid, signal.SIGKILL)
            if server is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(server, signal.SIGKILL)
            killed.append(entry.name)
    return killed


def _server_pid(entry: Running) -> int | None:
    if not entry.pid_file:
        return None
    try:
        return int(Path(entry.pid_file).read_text().strip())
    except (OSError, ValueError):
        return None


def _signal_session(pid: int, signum: int) -> None:
    # start_new_session made the part's pid its session's and group's id.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


def _wait_gone(pgid: int, server: int | None, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (
        _group_has_live_members(pgid) or (server is not None and _alive(server))
    ):
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pgid, os.WNOHANG)  # reap it when `up` itself started it (the tests)
        time.sleep(0.1)


def _group_has_live_members(pgid: int) -> bool:
    """Whether any process of the group still runs (zombies, exited but not reaped, do not)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def forget(stack: Stack) -> None:
    stack.state_file.unlink(missing_ok=True)


def log_tail(path: str, lines: int = 30) -> str:
    text = Path(path).read_text(errors="replace") if Path(path).exists() else "(no log)"
    return "\n".join(text.splitlines()[-lines:])
