"""The monitoring configuration, checked by the tools that will run it: Prometheus's config
and rules (promtool check config / check rules), every alert's unit tests (promtool test
rules: each alert fires when it should and stays quiet when it should not), Alertmanager's
routing (amtool check-config); and that every alert links to a runbook that exists and reads
only metrics the platform exports. make test installs promtool and amtool (Debian's
prometheus and prometheus-alertmanager, deploy/dev/ensure-services.sh)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.promql import metric_names

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
ALERTMANAGER = ROOT / "deploy" / "alertmanager" / "alertmanager.yml"
OPERATIONS = ROOT / "docs" / "operations.md"
# Prometheus's own series, and the exporters' beside the platform (node_exporter's
# filesystem, mysqld_exporter's replica status; deploy/prometheus/prometheus.yml scrapes them).
BUILT_IN = {
    "up",
    "node_filesystem_avail_bytes",
    "node_filesystem_size_bytes",
    "mysql_slave_status_seconds_behind_master",
    "mysql_slave_status_slave_io_running",
    "mysql_slave_status_slave_sql_running",
}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:  # make test installs it: a missing tool is a broken machine, not a skip
        pytest.fail(f"{name} is not installed: run `make services` (Debian's prometheus packages)")
    return found


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def _rules() -> list[dict[str, Any]]:
    return [
        rule
        for path in sorted((PROMETHEUS / "rules").glob("*.yml"))
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
    ]


def _alerts() -> list[dict[str, Any]]:
    return [rule for rule in _rules() if "alert" in rule]


def test_the_prometheus_config_and_its_rules_are_valid(tmp_path: Path) -> None:
    # The config names the scrape token's file where the secret store mounts it; checked here
    # with a stand-in of the same shape, the rules beside it.
    token = tmp_path / "metrics-token"
    token.write_text("a-scrape-token-of-some-length\n")
    config = (PROMETHEUS / "prometheus.yml").read_text().replace("/run/secrets/metrics-token", str(token))
    shutil.copytree(PROMETHEUS / "rules", tmp_path / "rules")
    (tmp_path / "prometheus.yml").write_text(config)
    checked = _run(
        _tool("promtool"), "check", "config", "--lint=all", "--lint-fatal", str(tmp_path / "prometheus.yml")
    )
    assert (
        "SUCCESS" in checked
        and f"{len(list((PROMETHEUS / 'rules').glob('*.yml')))} rule files found" in checked
    )
    _run(
        _tool("promtool"),
        "check",
        "rules",
        "--lint=all",
        "--lint-fatal",
        *map(str, (PROMETHEUS / "rules").glob("*.yml")),
    )


def test_every_alert_fires_when_it_should_and_not_otherwise() -> None:
    out = _run(_tool("promtool"), "test", "rules", *map(str, sorted((PROMETHEUS / "tests").glob("*.yml"))))
    assert "FAILED" not in out
    fires: set[str] = set()
    quiet: set[str] = set()
    for path in (PROMETHEUS / "tests").glob("*.yml"):
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (fires if check.get("exp_alerts") else quiet).add(check["alertname"])
    names = {alert["alert"] for alert in _alerts()}
    assert names - fires == set(), "alerts never shown to fire"
    assert names - quiet == set(), "alerts never shown to stay quiet"


def test_alertmanager_routes_pages_and_tickets() -> None:
    out = _run(_tool("amtool"), "check-config", str(ALERTMANAGER))
    assert "SUCCESS" in out
    routes = yaml.safe_load(ALERTMANAGER.read_text())["route"]["routes"]
    severities = {alert["labels"]["severity"] for alert in _alerts()}
    assert severities == {"page", "ticket"}
    assert {route["matchers"][0] for route in routes} == {f'severity="{s}"' for s in severities}


def _slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_alert_links_to_a_runbook_that_exists() -> None:
    anchors = {
        _slug(line.lstrip("#")) for line in OPERATIONS.read_text().splitlines() if line.startswith("#")
    }
    for alert in _alerts():
        link = alert["annotations"]["runbook_url"]
        page, _, anchor = link.partition("#")
        assert page == "docs/operations.md" and anchor in anchors, f"{alert['alert']}: {link}"
        assert alert["annotations"]["summary"], alert["alert"]


def test_the_rules_read_only_metrics_the_platform_exports() -> None:
    source = "\n".join(
        path.read_text()
        for folder in ("backend", "ledger", "reports", "notifications")
        for path in (ROOT / folder).rglob("*.py")
    )
    recorded = {rule["record"] for rule in _rules() if "record" in rule}
    read = {name for rule in _rules() for name in metric_names(rule["expr"])}
    assert read >= {"http_requests_total", "ledger_outbox_unpublished_events"}  # the parser reads names
    for name in read - recorded - BUILT_IN:
        exported = re.sub(r"_(bucket|count|sum)$", "", name)
        assert f'"{exported}"' in source, f"{name} is read by a rule and exported nowhere"
