"""The exporters beside MariaDB, Redis and RabbitMQ, scraped by a real Prometheus with the
committed scrape jobs: mysqld_exporter against the machine's MariaDB and against a throwaway
replica (as a least-privilege user made by deploy/mariadb/exporter.sql, dropped after),
redis_exporter against the machine's Redis, RabbitMQ's own plugin on 15692. Each answers,
and every exporter metric an alert rule reads is in the scraped data, so a metric the
exporter renamed fails here rather than leaving an alert silent.

The exporters and Prometheus run on free loopback ports; make services installs the
exporters and enables the plugin (deploy/dev/ensure-services.sh)."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import yaml

from tests.integration.replication import free_port, replication_pair
from tests.integration.served_app import ROOT
from tests.integration.test_prometheus_scrape import _api, _prometheus_binary, _until, _value
from tests.promql import metric_names

PROMETHEUS = ROOT / "deploy" / "prometheus"
EXPORTER_SQL = ROOT / "deploy" / "mariadb" / "exporter.sql"
EXPORTER_PREFIXES = ("mysql_", "redis_", "rabbitmq_")
RABBITMQ_METRICS_PORT = 15692
DEADLINE_SECONDS = 90.0


def _binary(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:  # a broken machine, not a skip
        pytest.fail(f"{name} is not installed: run `make services` (Debian's {package} package)")
    return found


def _require_rabbitmq_plugin() -> None:
    try:
        socket.create_connection(("127.0.0.1", RABBITMQ_METRICS_PORT), timeout=5).close()
    except OSError:
        pytest.fail(
            f"RabbitMQ's rabbitmq_prometheus plugin does not answer on {RABBITMQ_METRICS_PORT}: "
            "run `make services` (it enables the plugin)"
        )


def _rules_exporter_metrics() -> set[str]:
    names: set[str] = set()
    for path in sorted((PROMETHEUS / "rules").glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                names |= {n for n in metric_names(rule["expr"]) if n.startswith(EXPORTER_PREFIXES)}
    return names


def _create_exporter_user(port: int, user: str, password: str) -> None:
    """deploy/mariadb/exporter.sql as it is, for a throwaway user name."""
    sql = (
        EXPORTER_SQL.read_text().replace("'exporter'@", f"'{user}'@").replace("''exporter''@", f"''{user}''@")
    )
    done = subprocess.run(
        ["mariadb", "-h", "127.0.0.1", "-P", str(port), "-u", "root", f"--init-command=SET @pw={password!r}"],
        input=sql,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _drop_user(port: int, user: str) -> None:
    subprocess.run(
        [
            "mariadb",
            "-h",
            "127.0.0.1",
            "-P",
            str(port),
            "-u",
            "root",
            "-e",
            f"DROP USER IF EXISTS '{user}'@'127.0.0.1'",
        ],
        capture_output=True,
        check=False,
    )


def _my_cnf(path: Path, port: int, user: str, password: str) -> Path:
    path.write_text(f"[client]\nuser = {user}\npassword = {password}\nhost = 127.0.0.1\nport = {port}\n")
    path.chmod(0o600)
    return path


def _config(tmp_path: Path, ports: dict[str, int]) -> Path:
    """The committed exporter jobs, their targets moved to this test's ports."""
    config: dict[str, Any] = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    config["global"]["scrape_interval"] = "1s"
    config["global"]["evaluation_interval"] = "1s"
    config.pop("alerting")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    mariadb = jobs["mariadb"]["static_configs"]
    [primary] = [c for c in mariadb if c["labels"]["role"] == "primary"]
    [replica] = [c for c in mariadb if c["labels"]["role"] == "replica"]
    primary["targets"] = [f"127.0.0.1:{ports['primary']}"]
    replica["targets"] = [f"127.0.0.1:{ports['replica']}"]
    jobs["redis"]["static_configs"][0]["targets"] = [f"127.0.0.1:{ports['redis']}"]
    for name in ("rabbitmq", "rabbitmq-per-object"):
        assert jobs[name]["static_configs"][0]["targets"] == [f"127.0.0.1:{RABBITMQ_METRICS_PORT}"]
        jobs[name]["scrape_interval"] = "1s"
    config["scrape_configs"] = [jobs[n] for n in ("mariadb", "redis", "rabbitmq", "rabbitmq-per-object")]
    shutil.copytree(PROMETHEUS / "rules", tmp_path / "rules")
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


class _Processes:
    """Started processes and their logs, all stopped at the end."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.started: list[tuple[subprocess.Popen[bytes], IO[str]]] = []

    def start(self, name: str, *args: str) -> None:
        log = (self.tmp_path / f"{name}.log").open("w")
        self.started.append((subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT), log))

    def stop(self) -> None:
        for process, log in reversed(self.started):
            process.terminate()
            process.wait(30)
            log.close()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[_Processes]:
    started = _Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop()


def test_prometheus_scrapes_every_exporter_and_finds_every_metric_the_alerts_read(
    tmp_path: Path, processes: _Processes
) -> None:
    mysqld_exporter = _binary("prometheus-mysqld-exporter", "prometheus-mysqld-exporter")
    redis_exporter = _binary("prometheus-redis-exporter", "prometheus-redis-exporter")
    prometheus = _prometheus_binary()
    _require_rabbitmq_plugin()
    alert_metrics = _rules_exporter_metrics()
    # The replica alerts read mysqld_exporter's slave status: the check below has names to find.
    assert "mysql_slave_status_seconds_behind_master" in alert_metrics, alert_metrics
    user, password = f"exporter_{secrets.token_hex(4)}", secrets.token_urlsafe(18)
    ports = {"primary": free_port(), "replica": free_port(), "redis": free_port()}
    prom_port = free_port()
    with replication_pair() as pair:
        servers = {"primary": 3306, "replica": pair.replica.port}
        try:
            for role, mariadb_port in servers.items():
                _create_exporter_user(mariadb_port, user, password)
                cnf = _my_cnf(tmp_path / f"{role}.my.cnf", mariadb_port, user, password)
                processes.start(
                    f"mysqld-exporter-{role}",
                    mysqld_exporter,
                    f"--config.my-cnf={cnf}",
                    f"--web.listen-address=127.0.0.1:{ports[role]}",
                    *(["--collect.slave_status"] if role == "replica" else []),
                )
            processes.start(
                "redis-exporter",
                redis_exporter,
                "-redis.addr=redis://127.0.0.1:6379",
                f"-web.listen-address=127.0.0.1:{ports['redis']}",
            )
            processes.start(
                "prometheus",
                prometheus,
                f"--config.file={_config(tmp_path, ports)}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{prom_port}",
            )
            for server in ("db-primary", "db-replica"):
                _until(
                    f"mysql_up on {server}",
                    lambda s=server: _value(prom_port, f'mysql_up{{job="mariadb", instance="{s}"}}') == 1.0,
                    DEADLINE_SECONDS,
                )
            _until(
                "redis_up",
                lambda: _value(prom_port, 'redis_up{job="redis", instance="redis"}') == 1.0,
                DEADLINE_SECONDS,
            )
            _until(
                "rabbitmq_build_info",
                lambda: _value(prom_port, 'rabbitmq_build_info{job="rabbitmq", instance="rabbitmq"}') == 1.0,
                DEADLINE_SECONDS,
            )
            _until(
                "the per-object queue metrics",
                lambda: _value(prom_port, 'up{job="rabbitmq-per-object"}') == 1.0,
                DEADLINE_SECONDS,
            )
            # A replica that replicates, seen through the exporter as the alerts see it.
            _until(
                "the replica's threads running",
                lambda: (
                    _value(
                        prom_port,
                        'mysql_slave_status_slave_sql_running{instance="db-replica"}'
                        ' * mysql_slave_status_slave_io_running{instance="db-replica"}',
                    )
                    == 1.0
                ),
                DEADLINE_SECONDS,
            )
            # Each name the alert rules read has series: a renamed metric fails here.
            for name in sorted(alert_metrics):
                _until(
                    f"{name} in the scraped data",
                    lambda n=name: _api(prom_port, "query", query=f"count({n})")["result"],
                    DEADLINE_SECONDS,
                )
        finally:
            for mariadb_port in servers.values():
                _drop_user(mariadb_port, user)
