"""The Grafana dashboards in deploy/grafana/: the committed JSON is what the generator
writes, every query parses (promtool check rules, as the monitoring tests run it), every
metric a query reads is exported by the code, recorded by a rule or one of the few exporter
series the alerts read too (EXPORTERS), and the dashboards are told apart (unique uids and
titles, every panel titled) and read the provisioned Prometheus. make test installs promtool
(Debian's prometheus, deploy/dev/ensure-services.sh)."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import prometheus_client
import pytest
import yaml
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client import core as client_core
from prometheus_client.registry import Collector

from backend.platform.observability import RequestMetrics
from tests.promql import metric_names

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "deploy" / "grafana"
# The entry script beside the generator package (deploy/grafana/generator/): it runs as an
# operator runs it, from the repository root.
GENERATOR = GRAFANA / "generate.py"
COMMITTED = GRAFANA / "dashboards"
PROVISIONING = GRAFANA / "provisioning"
PROMETHEUS = ROOT / "deploy" / "prometheus"
# Where the platform's metrics are defined (the same places the alert rules are checked against).
EXPORTING_CODE = ("backend", "ledger", "reports", "notifications", "app.py")
# Prometheus's own series, not exported by the platform.
BUILT_IN = {"up"}
# The exporters' series beside the platform's (deploy/prometheus/prometheus.yml scrapes them):
# only names deploy/prometheus/rules/infrastructure.yml alerts on too, each read by a panel.
EXPORTERS = {
    "node_filesystem_avail_bytes",  # node_exporter
    "node_filesystem_size_bytes",  # node_exporter
    "mysql_slave_status_seconds_behind_master",  # mysqld_exporter (--collect.slave_status)
    "mysql_slave_status_slave_io_running",  # mysqld_exporter (--collect.slave_status)
    "mysql_slave_status_slave_sql_running",  # mysqld_exporter (--collect.slave_status)
}
# Grafana's own variables, given concrete values for promtool.
GRAFANA_VARIABLES = {"__rate_interval": "1m", "__interval": "1m", "__range": "1h"}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:  # make test installs it: a missing tool is a broken machine, not a skip
        pytest.fail(f"{name} is not installed: run `make services` (Debian's prometheus packages)")
    return found


def _generate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(GENERATOR), *args], capture_output=True, text=True, check=False, cwd=ROOT
    )


# The dashboards as Grafana reads them ------------------------------------------------------


def _dashboards() -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text()) for path in sorted(COMMITTED.glob("*.json"))}


def _panels(panels: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside (collapsed) rows too."""
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def _queries() -> Iterator[tuple[str, dict[str, Any], str]]:
    """(where, dashboard, PromQL) for every panel query and query variable."""
    for dashboard in _dashboards().values():
        for panel in _panels(dashboard["panels"]):
            for target in panel.get("targets", []):
                if target.get("expr"):
                    yield (
                        f"{dashboard['title']} / {panel['title']} ({target['refId']})",
                        dashboard,
                        target["expr"],
                    )
        for variable in dashboard["templating"]["list"]:
            if variable["type"] == "query":
                query = re.fullmatch(r"label_values\((.+),\s*\w+\)", variable["query"])
                assert query is not None, f"{dashboard['title']}: ${variable['name']}: {variable['query']}"
                yield f"{dashboard['title']} / variable ${variable['name']}", dashboard, query.group(1)


def _variable_values(dashboard: dict[str, Any]) -> dict[str, str]:
    """Concrete values for the dashboard's variables: "All" where offered, else the default."""
    values = dict(GRAFANA_VARIABLES)
    for variable in dashboard["templating"]["list"]:
        values[variable["name"]] = (
            variable["allValue"] if variable["includeAll"] else variable["current"]["value"]
        )
    return values


def _concrete(expr: str, values: dict[str, str]) -> str:
    """The expression with $name and ${name} replaced; KeyError naming a variable nobody defines."""
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", lambda m: values[m.group(1) or m.group(2)], expr)


# What the code exports ---------------------------------------------------------------------

_KINDS = {
    "Counter",
    "Gauge",
    "Histogram",
    "Summary",
    "Info",
    "Enum",
    "CounterMetricFamily",
    "GaugeMetricFamily",
    "HistogramMetricFamily",
    "SummaryMetricFamily",
}


def _sources() -> Iterator[Path]:
    for entry in EXPORTING_CODE:
        path = ROOT / entry
        yield from [path] if path.is_file() else sorted(path.rglob("*.py"))


def _client_names(tree: ast.Module) -> tuple[dict[str, str], set[str]]:
    """What a module imports from prometheus_client: {local name: its name}, and the local
    names of prometheus_client modules it imports whole."""
    imported: dict[str, str] = {}
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("prometheus_client"):
            imported.update({alias.asname or alias.name: alias.name for alias in node.names})
        elif isinstance(node, ast.Import):
            modules.update(
                alias.asname or alias.name
                for alias in node.names
                if alias.name.startswith("prometheus_client")
            )
    return imported, modules


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """The module's NAME = "text" assignments (ledger/outbox_metrics.py names its gauges so)."""
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _metric_kind(call: ast.Call, imported: dict[str, str], modules: set[str]) -> str | None:
    if isinstance(call.func, ast.Name):
        kind = imported.get(call.func.id)
    elif isinstance(call.func, ast.Attribute) and ast.unparse(call.func.value) in modules:
        kind = call.func.attr
    else:
        kind = None
    return kind if kind in _KINDS else None


def _metric_name(call: ast.Call, constants: dict[str, str]) -> str | None:
    """namespace_subsystem_name as prometheus_client joins them; None if a part is not a
    literal or a module constant."""
    keywords = {k.arg: k.value for k in call.keywords}
    parts = [keywords.get("namespace"), keywords.get("subsystem"), *call.args[:1], keywords.get("name")]
    names = []
    for part in parts:
        if part is None:
            continue
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            names.append(part.value)
        elif isinstance(part, ast.Name) and part.id in constants:
            names.append(constants[part.id])
        else:
            return None
    return "_".join(name for name in names if name) or None


def _declared_metrics() -> tuple[set[tuple[str, str]], list[str]]:
    """(kind, name) of every prometheus_client metric the code constructs, its name a string
    literal or a module constant; and where a metric's name could not be read."""
    declared: set[tuple[str, str]] = set()
    unreadable: list[str] = []
    for source in _sources():
        tree = ast.parse(source.read_text(), str(source))
        imported, modules = _client_names(tree)
        if not imported and not modules:
            continue
        constants = _string_constants(tree)
        for node in ast.walk(tree):
            kind = _metric_kind(node, imported, modules) if isinstance(node, ast.Call) else None
            if kind is None or not isinstance(node, ast.Call):
                continue
            name = _metric_name(node, constants)
            if name is None:
                unreadable.append(f"{source.relative_to(ROOT)}:{node.lineno}")
            else:
                declared.add((kind, name))
    return declared, unreadable


class _Families(Collector):
    def __init__(self, families: list[Any]) -> None:
        self._families = families

    def collect(self) -> Iterator[Any]:
        yield from self._families


def _series(kind: str, name: str) -> set[str]:
    """The series names prometheus_client exposes for a metric of this kind and name (a
    Counter X is X_total, a Histogram X is X_bucket, X_count and X_sum), less X_created:
    the multiprocess mode the app servers run in exposes none."""
    registry = CollectorRegistry()
    if kind == "Enum":
        prometheus_client.Enum(name, "doc", states=["a"], registry=registry)
    elif not kind.endswith("MetricFamily"):
        getattr(prometheus_client, kind)(name, "doc", registry=registry)
    else:
        family: Any = {
            "CounterMetricFamily": lambda: client_core.CounterMetricFamily(name, "doc", value=0),
            "GaugeMetricFamily": lambda: client_core.GaugeMetricFamily(name, "doc", value=0),
            "HistogramMetricFamily": lambda: client_core.HistogramMetricFamily(
                name, "doc", buckets=[("+Inf", 0)], sum_value=0
            ),
            "SummaryMetricFamily": lambda: client_core.SummaryMetricFamily(
                name, "doc", count_value=0, sum_value=0
            ),
        }[kind]()
        registry.register(_Families([family]))
    return _sample_names(generate_latest(registry))


def _sample_names(exposition: bytes) -> set[str]:
    names = {
        re.split(r"[{ ]", line, maxsplit=1)[0]
        for line in exposition.decode().splitlines()
        if line and not line.startswith("#")
    }
    return {name for name in names if not name.endswith("_created")}


def _exported() -> set[str]:
    declared, unreadable = _declared_metrics()
    assert unreadable == [], f"metric names the test cannot read (use a literal or a constant): {unreadable}"
    return set().union(*(_series(kind, name) for kind, name in declared))


def _recorded() -> set[str]:
    return {
        rule["record"]
        for path in sorted((PROMETHEUS / "rules").glob("*.yml"))
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "record" in rule
    }


# The tests ---------------------------------------------------------------------------------


def test_the_committed_dashboards_are_what_the_generator_writes(tmp_path: Path) -> None:
    out = tmp_path / "dashboards"
    done = _generate("--dir", str(out))
    assert done.returncode == 0, done.stderr
    generated = {path.name: path.read_bytes() for path in sorted(out.glob("*"))}
    committed = {path.name: path.read_bytes() for path in sorted(COMMITTED.glob("*"))}
    assert len(generated) == 5, sorted(generated)
    assert sorted(generated) == sorted(committed), "run `python deploy/grafana/generate.py`"
    stale = [name for name in generated if generated[name] != committed[name]]
    assert stale == [], (
        f"differ from the generator's output (run `python deploy/grafana/generate.py`): {stale}"
    )


def test_check_mode_names_the_files_that_differ(tmp_path: Path) -> None:
    assert _generate("--check").returncode == 0
    copy = tmp_path / "dashboards"
    shutil.copytree(COMMITTED, copy)
    (copy / "workers-and-queues.json").write_text("{}\n")
    (copy / "api-and-portal.json").unlink()
    (copy / "retired.json").write_text("{}\n")
    done = _generate("--check", "--dir", str(copy))
    assert done.returncode == 1
    assert f"differs: {copy / 'workers-and-queues.json'}" in done.stderr
    assert f"missing: {copy / 'api-and-portal.json'}" in done.stderr
    assert f"not generated: {copy / 'retired.json'}" in done.stderr
    assert "platform-overview.json" not in done.stderr
    assert (copy / "workers-and-queues.json").read_text() == "{}\n", "check mode writes nothing"
    assert not (copy / "api-and-portal.json").exists()


def test_every_query_parses(tmp_path: Path) -> None:
    """Each query, its variables given concrete values, becomes a recording rule that
    promtool parses: a typo in PromQL fails here, not on an empty panel."""
    rules: list[dict[str, str]] = []
    unknown: list[str] = []
    where: dict[str, str] = {}
    for n, (place, dashboard, expr) in enumerate(_queries()):
        try:
            rules.append(
                {"record": f"dashboard:check:{n}", "expr": _concrete(expr, _variable_values(dashboard))}
            )
        except KeyError as missing:
            unknown.append(f"{place}: ${missing.args[0]}")
        where[f"dashboard:check:{n}"] = place
    assert unknown == [], f"queries use variables no dashboard defines: {unknown}"
    assert len(rules) > 40  # the dashboards' queries were found
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}, sort_keys=False))
    done = subprocess.run(
        [_tool("promtool"), "check", "rules", "--lint=none", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    failed = sorted({where[r] for r in re.findall(r"dashboard:check:\d+", done.stdout + done.stderr)})
    assert done.returncode == 0, f"{failed}\n{done.stdout}\n{done.stderr}"
    assert f"SUCCESS: {len(rules)} rules found" in done.stdout


def test_the_metric_scan_reads_what_the_code_exports() -> None:
    exported = _exported()
    assert {
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "http_request_duration_seconds_count",
        "http_request_duration_seconds_sum",
        "ledger_entries_posted_total",
        "ledger_outbox_unpublished_events",
        "ledger_outbox_oldest_unpublished_age_seconds",
        "payments_reconciliation_differences",
        # backend/backup/metrics.py, for node_exporter's textfile collector
        "backup_last_success_timestamp_seconds",
        "backup_last_size_bytes",
        "backup_binlog_last_archived_timestamp_seconds",
        "backup_last_verified_timestamp_seconds",
        # the operational metrics: the database, Celery's queue, the books' verification, callbacks
        "db_query_duration_seconds_bucket",
        "db_query_errors_total",
        "db_pool_connections_in_use",
        "db_pool_size_connections",
        "db_pool_max_overflow_connections",
        "db_pool_saturation_ratio",
        "celery_queue_messages_ready",
        "celery_queue_consumers",
        "celery_queue_reader_up",
        "ledger_verify_last_run_timestamp_seconds",
        "ledger_verify_last_run_ok",
        "ledger_verify_last_run_entries",
        "ledger_verify_last_run_breaks",
        "dash_callbacks_total",
        "dash_callback_duration_seconds_bucket",
    } <= exported
    assert "http_requests_total_total" not in exported and "http_request_duration_seconds" not in exported
    # The request metrics as a live app server exposes them, once it has answered a request.
    live = RequestMetrics()
    live.requests.labels("/api/v1/pools", "GET", "200").inc()
    live.latency.labels("/api/v1/pools", "GET").observe(0.1)
    assert _sample_names(generate_latest(live.registry)) <= exported


def test_every_query_reads_only_exported_or_recorded_metrics() -> None:
    known = _exported() | _recorded() | BUILT_IN | EXPORTERS
    read: set[str] = set()
    unknown: list[str] = []
    for place, _dashboard, expr in _queries():
        names = metric_names(expr)
        read |= names
        unknown += [f"{place}: {name}" for name in sorted(names - known)]
    assert read >= {"http_requests_total", "slo:api_errors:ratio_rate1h", "up"}  # the parser reads names
    assert unknown == [], f"panels query metrics nothing exports or records: {unknown}"
    assert read >= EXPORTERS, f"exporters' metrics no panel reads: {sorted(EXPORTERS - read)}"


def test_the_exporters_metrics_are_those_the_alerts_already_read() -> None:
    """A dashboard reads an exporter's series only if an alert rule relies on it too: the
    scrape config and the rules' tests stand behind its name."""
    rules = yaml.safe_load((PROMETHEUS / "rules" / "infrastructure.yml").read_text())
    alerted = {
        name for group in rules["groups"] for rule in group["rules"] for name in metric_names(rule["expr"])
    }
    assert alerted >= EXPORTERS, (
        f"not read by deploy/prometheus/rules/infrastructure.yml: {EXPORTERS - alerted}"
    )


def test_dashboards_have_unique_uids_and_titles_and_every_panel_a_title() -> None:
    dashboards = list(_dashboards().values())
    assert len(dashboards) == 5
    uids = [d["uid"] for d in dashboards]
    titles = [d["title"] for d in dashboards]
    assert len(set(uids)) == len(uids), f"uids: {sorted(uids)}"
    assert len(set(titles)) == len(titles), f"titles: {sorted(titles)}"
    assert all(uid and len(uid) <= 40 for uid in uids), uids
    untitled = [
        f"{d['title']} / panel {p.get('id')} ({p.get('type')})"
        for d in dashboards
        for p in _panels(d["panels"])
        if not str(p.get("title") or "").strip()
    ]
    assert untitled == [], f"panels without a title: {untitled}"
    for dashboard in dashboards:
        ids = [p["id"] for p in _panels(dashboard["panels"])]
        assert len(set(ids)) == len(ids), f"{dashboard['title']}: panel ids {ids}"


def test_every_query_reads_the_provisioned_prometheus() -> None:
    provisioned = yaml.safe_load((PROVISIONING / "datasources.yml").read_text())["datasources"]
    (prometheus,) = [d for d in provisioned if d["type"] == "prometheus"]
    assert prometheus["url"] == "http://127.0.0.1:9090"
    scrape = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())["global"]["scrape_interval"]
    assert prometheus["jsonData"]["timeInterval"] == scrape, "$__rate_interval needs the scrape interval"
    (provider,) = yaml.safe_load((PROVISIONING / "dashboards.yml").read_text())["providers"]
    assert provider["type"] == "file" and provider["options"]["path"]
    wrong: list[str] = []
    for dashboard in _dashboards().values():
        variables = {v["name"]: v for v in dashboard["templating"]["list"]}
        source = variables.get("datasource", {})
        if source.get("type") != "datasource" or source["current"]["value"] != prometheus["uid"]:
            wrong.append(
                f"{dashboard['title']}: the datasource variable does not default to {prometheus['uid']}"
            )
        for panel in _panels(dashboard["panels"]):
            for item in [panel, *panel.get("targets", [])] if panel.get("targets") else []:
                if item.get("datasource") != {"type": "prometheus", "uid": "${datasource}"}:
                    wrong.append(f"{dashboard['title']} / {panel['title']}: {item.get('datasource')}")
    assert wrong == []
