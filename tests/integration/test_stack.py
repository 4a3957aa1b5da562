"""`python app.py stack up|status|down`: the production shape as local processes, driven as
an operator drives it.

One stack for the module (starting it is most of the time): nginx -> two app servers -> a
gRPC server per service -> its own MariaDB primary and replica, Redis and RabbitMQ; the
worker, beat, relay and consumers; the exporters and a Prometheus scraping all of it. Then:
requests through nginx reach the services over gRPC; Prometheus sees every part and the
figures of what was done; one gRPC service killed with SIGKILL makes only what needs it
answer 503 naming it, `stack up` brings it back and the app recovers by itself; `stack down`
leaves nothing running."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from backend.composition.rpc_commands import SERVICES
from backend.composition.stack.layout import Stack, plan
from backend.composition.stack.ports import Ports
from backend.composition.stack.processes import port_open
from tests.integration.served_app import ROOT

pytestmark = pytest.mark.xdist_group("stack")

BASES = range(21000, 30000, 1000)
"""Below the kernel's ephemeral range, so no test's free port can take one of the stack's;
the first whose ports are all free, so two runs on one machine do not collide."""


def _free_base() -> int:
    for base in BASES:
        parts = plan(Stack(Path("/nonexistent"), Ports(base), tuple(SERVICES)), running_as_root=False)
        if not any(port_open(part.port) for part in parts):
            return base
    raise AssertionError(f"no free range of ports for a stack in {BASES}")


UP_SECONDS = 900
DEADLINE = 120.0


@dataclass
class RunningStack:
    folder: Path
    ports: Ports
    up_output: str

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.ports.nginx}"

    @property
    def ca(self) -> str:
        return str(self.folder / "nginx" / "tls" / "ca.pem")

    def parts(self) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in json.loads((self.folder / "stack.json").read_text())["parts"]}

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        return _stack(self.folder, *args)

    def prometheus(self, query: str) -> list[dict[str, Any]]:
        answer = requests.get(
            f"http://127.0.0.1:{self.ports.prometheus}/api/v1/query", params={"query": query}, timeout=10
        )
        answer.raise_for_status()
        return list(answer.json()["data"]["result"])


def _environment() -> dict[str, str]:
    # Nothing of the test run's own settings: the stack brings its own stores.
    dropped = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "VAR_DIR", "SERVICE_ENDPOINTS")
    return {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("PROMETHEUS_")}


def _stack(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "app.py", "stack", *args, "--dir", str(folder)],
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=UP_SECONDS,
        check=False,
    )


def _until(what: str, check: Callable[[], Any], deadline: float = DEADLINE) -> Any:
    end = time.monotonic() + deadline
    while True:
        try:
            found = check()
        except (requests.RequestException, KeyError, IndexError, ValueError):
            found = None
        if found:
            return found
        if time.monotonic() > end:
            raise AssertionError(f"not within {deadline:.0f} s: {what}")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def stack() -> Iterator[RunningStack]:
    # A short path of our own: MariaDB's unix sockets are capped at 107 bytes.
    folder = Path(tempfile.mkdtemp(prefix="pools-stack-"))
    ports = Ports(_free_base())
    up = _stack(folder, "up", "--base-port", str(ports.base))
    try:
        assert up.returncode == 0, f"stack up failed:\n{up.stdout[-4000:]}\n{up.stderr[-4000:]}"
        print(f"\n{up.stdout}")
        yield RunningStack(folder, ports, up.stdout)
    finally:
        started = (
            json.loads((folder / "stack.json").read_text())["parts"]
            if (folder / "stack.json").exists()
            else []
        )
        down = _stack(folder, "down", "--purge")
        still_listening = [p["name"] for p in started if port_open(p["port"])]
        shutil.rmtree(folder, ignore_errors=True)
        assert down.returncode == 0 or not started, down.stdout + down.stderr
        assert not still_listening, f"still listening after `stack down`: {still_listening}"


def _token(stack: RunningStack, role: str) -> str:
    logins = json.loads((stack.folder / "var" / "demo-logins.json").read_text())
    answer = requests.post(
        f"{stack.url}/api/v1/auth/token",
        json={"email": logins[role]["email"], "password": logins[role]["password"]},
        verify=stack.ca,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def test_every_part_runs_and_answers_and_the_portal_url_and_logins_are_printed(stack: RunningStack) -> None:
    parts = stack.parts()
    assert {f"rpc-{service}" for service in SERVICES} <= set(parts)
    assert {"nginx", "app-1", "app-2", "mariadb-primary", "mariadb-replica", "redis", "rabbitmq"} <= set(
        parts
    )
    assert {"worker", "beat", "relay", "notifications-consumer", "payments-consumer", "prometheus"} <= set(
        parts
    )
    status = stack.command("status")
    assert status.returncode == 0, status.stdout
    assert status.stdout.count(" up ") == len(parts), status.stdout
    assert stack.url in stack.up_output and "manager@demo.local" in stack.up_output
    # Every part's output in one place, one file each.
    assert {p.name for p in (stack.folder / "logs").iterdir()} == {f"{name}.log" for name in parts}


def test_requests_through_nginx_reach_the_services_over_grpc_and_prometheus_sees_every_part(
    stack: RunningStack,
) -> None:
    token = _token(stack, "manager")
    headers = {"Authorization": f"Bearer {token}"}
    pools = requests.get(f"{stack.url}/api/v1/pools", headers=headers, verify=stack.ca, timeout=30)
    assert pools.status_code == 200, pools.text
    assert pools.json()["items"], "the demo manager runs pools"
    assert pools.headers.get("x-request-id"), "nginx passes or makes a request id"

    # Every scrape target answers, stores and exporters included.
    def all_up() -> bool:
        targets = requests.get(f"http://127.0.0.1:{stack.ports.prometheus}/api/v1/targets", timeout=10).json()
        active = targets["data"]["activeTargets"]
        return bool(active) and all(t["health"] == "up" for t in active)

    _until("every Prometheus target up", all_up)
    jobs = {r["metric"]["job"] for r in stack.prometheus("up == 1")}
    assert {"app", "worker", "beat", "relay", "mariadb", "redis", "rabbitmq"} <= jobs, jobs
    assert {f"rpc-{s}" for s in SERVICES} <= jobs, jobs
    # What was done shows up: the gRPC calls of the request above, the events the demo data's
    # entries put in the outbox relayed to RabbitMQ, the replica following the primary.
    _until(
        "the pools service's calls counted",
        lambda: float(stack.prometheus('sum(rpc_server_handled_total{service="pools"})')[0]["value"][1]) > 0,
    )
    _until(
        "the outbox relayed the demo entries' events",
        lambda: float(stack.prometheus("sum(ledger_events_published_total)")[0]["value"][1]) > 0,
    )
    # The prefork worker's children run the snapshot tasks the relay scheduled, reaching the
    # services over gRPC from channels made after the fork: all succeed, none fails.
    _until(
        "the worker's tasks succeeded",
        lambda: stack.prometheus('sum(celery_tasks_total{job="worker",outcome="succeeded"}) > 0'),
    )
    assert stack.prometheus('sum(celery_tasks_total{job="worker",outcome="failed"}) > 0') == []
    lag = _until(
        "the replica's lag reported",
        lambda: stack.prometheus('mysql_slave_status_seconds_behind_master{instance="db-replica"}'),
    )
    assert float(lag[0]["value"][1]) < 60


def test_a_killed_grpc_service_fails_only_what_needs_it_and_stack_up_brings_it_back(
    stack: RunningStack,
) -> None:
    headers = {"Authorization": f"Bearer {_token(stack, 'manager')}"}

    def get(path: str) -> requests.Response:
        return requests.get(f"{stack.url}{path}", headers=headers, verify=stack.ca, timeout=30)

    assert get("/api/v1/pools").status_code == 200
    victim = stack.parts()["rpc-pools"]
    os.killpg(victim["pid"], signal.SIGKILL)
    _until("the pools service's port closed", lambda: not port_open(victim["port"]), 30)

    refused = get("/api/v1/pools")
    assert refused.status_code == 503, refused.text
    problem = refused.json()
    assert problem["type"].endswith("/dependency-unavailable")
    assert "pools service" in problem["detail"]
    assert get("/api/v1/notifications").status_code == 200, "what does not need the pools service works"

    status = stack.command("status")
    assert status.returncode == 3
    assert [line.split()[0] for line in status.stdout.splitlines() if " stopped " in line] == ["rpc-pools"]

    app_servers = {name: part["pid"] for name, part in stack.parts().items() if name.startswith("app-")}
    again = stack.command("up", "--base-port", str(stack.ports.base))
    assert again.returncode == 0, again.stdout + again.stderr
    assert stack.parts()["rpc-pools"]["pid"] != victim["pid"]
    # The app servers were not restarted: their channels find the service again by themselves.
    assert {name: stack.parts()[name]["pid"] for name in app_servers} == app_servers
    _until(
        "the pools service answers through the app again", lambda: get("/api/v1/pools").status_code == 200, 30
    )
    assert stack.command("status").returncode == 0


def _served_count(stack: RunningStack, route: str) -> float:
    """GET `route` answered 200, summed over both app servers' own /metrics (every worker)."""
    total = 0.0
    for n in (1, 2):
        body = requests.get(f"http://127.0.0.1:{stack.ports.app_server(n)}/metrics", timeout=10).text
        for family in text_string_to_metric_families(body):
            for sample in family.samples:
                labels = sample.labels
                if (
                    sample.name == "http_requests_total"
                    and labels.get("route") == route
                    and labels.get("method") == "GET"
                    and labels.get("status") == "200"
                ):
                    total += sample.value
    return total


def test_prometheus_counts_a_known_workload_exactly(stack: RunningStack) -> None:
    """Seven reads through nginx, spread by it over both app servers and their workers: the
    stack's Prometheus reports exactly seven more, summed over the app job."""
    headers = {"Authorization": f"Bearer {_token(stack, 'investor')}"}
    route = "/api/v1/notifications"
    query = f'sum(http_requests_total{{job="app",route="{route}",method="GET",status="200"}}) or vector(0)'

    def scraped() -> float:
        return float(stack.prometheus(query)[0]["value"][1])

    before = _served_count(stack, route)
    _until("Prometheus caught up with the app servers", lambda: scraped() == before)
    for _ in range(7):
        answer = requests.get(f"{stack.url}{route}", headers=headers, verify=stack.ca, timeout=30)
        assert answer.status_code == 200, answer.text
    assert _served_count(stack, route) == before + 7
    _until("Prometheus counted the seven", lambda: scraped() == before + 7)


def test_stack_status_and_down_say_so_when_there_is_no_stack(tmp_path: Path) -> None:
    for verb in ("status", "down"):
        answer = _stack(tmp_path / "none", verb)
        assert answer.returncode == 1
        assert "no stack in" in answer.stdout
