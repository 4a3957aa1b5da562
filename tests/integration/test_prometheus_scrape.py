"""A real Prometheus (Debian's) scraping `app.py serve` with the committed configuration:
after a known workload its queries return the counts the workers served, and every alert and
recording rule in deploy/prometheus/rules/ evaluates against real series without an error.

Prometheus runs on a free loopback port with its own storage under tmp_path; the committed
prometheus.yml is used as it is, but for the app's port, the scrape token's file, a 1 s
scrape and evaluation interval (so the test waits seconds, not minutes) and no Alertmanager.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.replication import free_port
from tests.integration.served_app import ROOT, get, migrate_embedded, serve_app, stop_app

PROMETHEUS = ROOT / "deploy" / "prometheus"
REQUESTS = 25


def _prometheus_binary() -> str:
    found = shutil.which("prometheus")
    if found is None:  # make test installs it (deploy/dev/ensure-services.sh): a broken machine
        pytest.fail("prometheus is not installed: run `make services` (Debian's prometheus package)")
    return found


def _config(tmp_path: Path, app_port: int, token_file: Path) -> Path:
    config: dict[str, Any] = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    config["global"]["scrape_interval"] = "1s"
    config["global"]["evaluation_interval"] = "1s"
    config.pop("alerting")
    [app_job] = [job for job in config["scrape_configs"] if job["job_name"] == "app"]
    app_job["authorization"]["credentials_file"] = str(token_file)
    app_job["static_configs"][0]["targets"] = [f"127.0.0.1:{app_port}"]
    shutil.copytree(PROMETHEUS / "rules", tmp_path / "rules")
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


def _api(port: int, path: str, **params: str) -> Any:
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    body = json.loads(get(f"http://127.0.0.1:{port}/api/v1/{path}{query}"))
    assert body["status"] == "success", body
    return body["data"]


def _value(port: int, promql: str) -> float | None:
    result = _api(port, "query", query=promql)["result"]
    return float(result[0]["value"][1]) if result else None


def _until(what: str, check: Any, seconds: float = 60.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        try:
            got = check()
        except OSError:  # Prometheus still starting: not listening yet
            got = None
        if got:
            return got
        assert time.monotonic() < deadline, f"Prometheus never showed {what}"
        time.sleep(0.5)


def test_a_real_prometheus_counts_every_workers_requests_and_evaluates_every_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate_embedded(tmp_path, monkeypatch)
    token = secrets.token_urlsafe(24)
    token_file = tmp_path / "metrics-token"
    token_file.write_text(token + "\n")
    app_port, prom_port = free_port(), free_port()
    app = serve_app(tmp_path, app_port, None, {"METRICS_TOKEN": token})
    log = (tmp_path / "prometheus.log").open("w")
    prometheus = subprocess.Popen(
        [
            _prometheus_binary(),
            f"--config.file={_config(tmp_path, app_port, token_file)}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _until("the app's target up", lambda: _value(prom_port, 'up{job="app"}') == 1.0)
        healthz = 'sum(http_requests_total{job="app", route="/healthz", status="200"})'
        before = _until("serve_app's readiness probe", lambda: _value(prom_port, healthz))
        for _ in range(REQUESTS):
            get(f"http://127.0.0.1:{app_port}/healthz")
        api = 'sum(http_requests_total{job="app", route="/api/v1/pools", status="401"})'
        for batch in (1, 2):  # the API without a token: 401s, which spend no error budget
            for _ in range(5):
                with pytest.raises(urllib.error.HTTPError, match="401"):
                    get(f"http://127.0.0.1:{app_port}/api/v1/pools")
            # Scraped before the next batch, so rate() sees the counter rise.
            _until(f"{5 * batch} API requests", lambda b=batch: _value(prom_port, api) == 5.0 * b)
        served = before + REQUESTS
        _until(f"{served} /healthz requests", lambda: _value(prom_port, healthz) == float(served))
        assert _value(prom_port, 'ledger_outbox_unpublished_events{job="app"}') == 0.0
        assert _value(prom_port, 'up{job="node"}') == 0.0  # configured; no exporter runs here

        def evaluated() -> list[dict[str, Any]] | None:
            rules = [r for g in _api(prom_port, "rules")["groups"] for r in g["rules"]]
            return (
                rules if rules and all(r.get("lastEvaluation", "").startswith("2") for r in rules) else None
            )

        rules = _until("every rule evaluated", evaluated)
        groups = {g["name"] for g in _api(prom_port, "rules")["groups"]}
        assert groups >= {"books", "backups", "infrastructure"}, groups
        assert [(r["name"], r["lastError"]) for r in rules if r["health"] != "ok"] == []
        # The SLO recording rules over the real requests: no 5xx is a ratio of 0, not "no data".
        api_errors = _until(
            "the API's error ratio",
            lambda: _api(prom_port, "query", query="slo:api_errors:ratio_rate5m")["result"],
        )
        assert float(api_errors[0]["value"][1]) == 0.0
    finally:
        prometheus.terminate()
        prometheus.wait(30)
        log.close()
        stop_app(app)
