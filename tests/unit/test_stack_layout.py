"""The local stack's plan (backend/composition/stack/layout.py) and its Prometheus
configuration, read without starting anything."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from backend.composition.rpc_commands import SERVICES
from backend.composition.stack.layout import Part, Stack, Tier, plan
from backend.composition.stack.ports import Ports
from backend.composition.stack.prometheus import PRODUCTION, UnmappedTarget, stack_prometheus_config

BASE = 18000


@pytest.fixture
def stack(tmp_path: Path) -> Stack:
    return Stack(tmp_path / "stack", Ports(BASE), tuple(SERVICES))


@pytest.fixture
def parts(stack: Stack) -> list[Part]:
    return plan(stack, running_as_root=True)


def test_every_part_of_the_brief_runs_as_its_own_process(parts: list[Part]) -> None:
    names = [part.name for part in parts]
    assert len(names) == len(set(names))
    expected = {
        "nginx",
        "app-1",
        "app-2",
        "mariadb-primary",
        "mariadb-replica",
        "redis",
        "rabbitmq",
        "worker",
        "beat",
        "relay",
        "notifications-consumer",
        "payments-consumer",
        "mysqld-exporter-primary",
        "mysqld-exporter-replica",
        "redis-exporter",
        "prometheus",
        *(f"rpc-{service}" for service in SERVICES),
    }
    assert set(names) == expected
    assert names.count("beat") == 1, "beat must be a singleton"


def test_ports_are_distinct_offsets_of_the_base_and_every_part_listens_on_loopback(
    stack: Stack, parts: list[Part]
) -> None:
    ports = [part.port for part in parts]
    assert len(ports) == len(set(ports))
    assert all(BASE < port < BASE + 1000 for port in ports)
    for part in parts:
        argv = " ".join(part.argv)
        # Every listening address the plan writes is a loopback one; nothing names 0.0.0.0.
        assert "0.0.0.0" not in argv, part.name  # noqa: S104 - asserting its absence
    for endpoint in stack.service_endpoints.split(","):
        assert endpoint.split("=", 1)[1].startswith("127.0.0.1:"), endpoint
    for part in parts:
        for key, value in part.env.items():
            assert "0.0.0.0" not in value, (part.name, key)  # noqa: S104 - asserting its absence


def test_tiers_start_the_stores_first_and_the_edge_last(parts: list[Part]) -> None:
    tier = {part.name: part.tier for part in parts}
    assert tier["mariadb-primary"] is Tier.STORES and tier["rabbitmq"] is Tier.STORES
    assert all(tier[f"rpc-{s}"] is Tier.SERVICES for s in SERVICES)
    assert tier["app-1"] is Tier.APPLICATION and tier["worker"] is Tier.APPLICATION
    assert tier["nginx"] is Tier.EDGE
    assert [p.tier for p in parts] == sorted(p.tier for p in parts), "the plan is in start order"


def test_platform_processes_share_one_configuration_that_names_every_service(
    stack: Stack, parts: list[Part]
) -> None:
    platform = [p for p in parts if "SERVICE_NAME" in p.env]
    assert {p.name for p in platform} >= {"app-1", "app-2", "worker", "beat", "relay"}
    endpoints = dict(item.split("=", 1) for item in stack.service_endpoints.split(","))
    assert set(endpoints) == set(SERVICES)
    for part in platform:
        assert part.env["SERVICE_NAME"] == part.name
        assert part.env["DATABASE_URL"] == stack.primary_url
        assert part.env["DATABASE_REPLICA_URLS"] == stack.replica_url
        assert part.env["VAR_DIR"] == str(stack.var_dir)
        assert part.env["SERVICE_ENDPOINTS"] == stack.service_endpoints
    for n in (1, 2):
        app = next(p for p in parts if p.name == f"app-{n}")
        assert app.env["TRUSTED_PROXY_HOPS"] == "1", "the app servers sit behind nginx"
        assert app.env["PORT"] == str(app.port)


def test_the_replica_runs_with_the_production_replica_options(parts: list[Part]) -> None:
    replica = next(p for p in parts if p.name == "mariadb-replica")
    assert any(arg.endswith("deploy/mariadb/replica.cnf") for arg in replica.argv)
    # --defaults-file must be mariadbd's first option, or it is ignored.
    assert replica.argv[1].startswith("--defaults-file=")


def test_prometheus_scrapes_the_stack_with_productions_jobs_and_labels(stack: Stack) -> None:
    production = yaml.safe_load(PRODUCTION.read_text())
    config = stack_prometheus_config(stack)
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    kept = {j["job_name"] for j in production["scrape_configs"]} - {"node"}
    kept = {j for j in kept if not j.startswith("rpc-") or j.removeprefix("rpc-") in SERVICES}
    assert set(jobs) == kept
    targets = [t for job in jobs.values() for s in job["static_configs"] for t in s["targets"]]
    assert all(t.startswith("127.0.0.1:") and BASE < int(t.split(":")[1]) < BASE + 1000 for t in targets)
    assert jobs["app"]["static_configs"][0]["targets"] == ["127.0.0.1:18051", "127.0.0.1:18052"]
    assert jobs["mariadb"]["static_configs"][1]["labels"]["server"] == "db-replica"
    assert "authorization" not in jobs["app"], "the stack has no scrape token"
    assert all(Path(pattern).is_absolute() for pattern in config["rule_files"])
    assert "alerting" not in config


def test_a_production_target_the_stack_does_not_know_is_refused(stack: Stack, tmp_path: Path) -> None:
    production = yaml.safe_load(PRODUCTION.read_text())
    production["scrape_configs"].append(
        {"job_name": "new-part", "static_configs": [{"targets": ["127.0.0.1:9999"]}]}
    )
    changed = tmp_path / "prometheus.yml"
    changed.write_text(yaml.safe_dump(production))
    with pytest.raises(UnmappedTarget, match="new-part"):
        stack_prometheus_config(stack, changed)
