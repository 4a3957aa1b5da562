"""The stack's Prometheus configuration: deploy/prometheus/prometheus.yml itself, its targets
moved to the stack's ports. Jobs, labels and relabelling stay as production has them, so the
alert rules and the dashboards read the stack exactly as they read a deployment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from backend.composition.stack.layout import APP_SERVERS, ROOT, Stack

PRODUCTION = ROOT / "deploy" / "prometheus" / "prometheus.yml"
# Jobs the stack has no process for: node_exporter watches a host's disks, and alerts go
# nowhere on a laptop (the rules still evaluate; Prometheus's own page lists what fires).
_NOT_IN_STACK = frozenset({"node"})


class UnmappedTarget(ValueError):
    """prometheus.yml scrapes a port the stack does not know: a part added to production
    without its place in the stack."""


def _targets(stack: Stack) -> dict[str, list[str]]:
    """Production's target -> the stack's addresses for it."""
    ports = stack.ports

    def local(*numbers: int) -> list[str]:
        return [f"127.0.0.1:{n}" for n in numbers]

    return {
        "127.0.0.1:8050": local(*(ports.app_server(n) for n in range(1, APP_SERVERS + 1))),
        "127.0.0.1:9201": local(ports.worker_metrics),
        "127.0.0.1:9202": local(ports.beat_metrics),
        "127.0.0.1:9203": local(ports.relay_metrics),
        "127.0.0.1:9204": local(ports.notifications_metrics),
        "127.0.0.1:9205": local(ports.payments_metrics),
        "127.0.0.1:9104": local(ports.mysqld_exporter_primary),
        "127.0.0.1:9105": local(ports.mysqld_exporter_replica),
        "127.0.0.1:9121": local(ports.redis_exporter),
        "127.0.0.1:15692": local(ports.rabbitmq_metrics),
    }


def stack_prometheus_config(stack: Stack, production: Path = PRODUCTION) -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(production.read_text())
    config.pop("alerting", None)
    config["rule_files"] = [str(production.parent / pattern) for pattern in config.get("rule_files", [])]
    moved = _targets(stack)
    rpc_ports = {f"rpc-{name}": stack.ports.rpc_metrics(i) for i, name in enumerate(stack.services)}
    jobs = []
    for job in config["scrape_configs"]:
        name = job["job_name"]
        if name in _NOT_IN_STACK or (name.startswith("rpc-") and name not in rpc_ports):
            continue
        # No METRICS_TOKEN in the stack: its processes answer loopback scrapes without one.
        job.pop("authorization", None)
        job.pop("scrape_interval", None)  # every job at the stack's pace (below)
        for static in job["static_configs"]:
            if name in rpc_ports:
                static["targets"] = [f"127.0.0.1:{rpc_ports[name]}"]
                continue
            targets: list[str] = []
            for target in static["targets"]:
                if target not in moved:
                    raise UnmappedTarget(f"job {name}: {target} has no place in the stack")
                targets += moved[target]
            static["targets"] = targets
        jobs.append(job)
    config["scrape_configs"] = jobs
    # Faster than production's 15 s, so a figure shows up while someone is watching.
    config["global"]["scrape_interval"] = "5s"
    config["global"]["evaluation_interval"] = "5s"
    return config
