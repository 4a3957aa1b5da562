"""Database and replicas: the primary as the app servers see it, reads and writes; the
replicas' replication (mysqld_exporter); the backups and the binary log archive (written by
backend/backup/metrics.py for node_exporter's textfile collector); the hosts' disks
(node_exporter)."""

from __future__ import annotations

from typing import Any

from generator.layout import Layout
from generator.panels import not_exported, stat, target, timeseries, value_texts
from generator.promql import API, RATE, quantile
from generator.spec import Spec
from generator.thresholds import below, steps

# The lines the alerts draw (deploy/prometheus/rules/backups.yml, infrastructure.yml).
BACKUP_MAX_AGE = 26 * 3600.0  # BackupTooOld (the newest full backup), BackupNotVerified
BINLOG_MAX_AGE = 300.0  # BinlogArchiveBehind pages: the recovery point
REPLICA_LAG_TICKET = 30.0  # ReplicaLagging
DISK_FREE_PAGE = 0.05  # DiskAlmostFull
DISK_FREE_TICKET = 0.25  # DiskFillingUp, when the trend also reaches zero within a day
POOL_SATURATED = 0.9  # DatabasePoolSaturated (capacity.yml)
# Not an alert: REPLICA_MAX_LAG_SECONDS's default, past which the app stops reading a replica.
REPLICA_MAX_LAG_DEFAULT = 5.0
# An incremental backup runs hourly (docs/operations.md, "Backups and restore").
INCREMENTAL_MISSED = 2 * 3600.0

# The filesystems the disk alerts read.
DISKS = 'fstype!~"tmpfs|overlay"'


def build(layout: Layout) -> None:
    layout.add(
        not_exported(
            "Database and replicas: not exported yet",
            "**Not exported yet.** No metric shows how long a checkout waited for a pooled "
            "connection, which replicas the app is skipping (it probes their lag against "
            "`REPLICA_MAX_LAG_SECONDS` and falls back to the primary, exporting no figure), nor "
            "how many writers wait for a pool's turn. Of MariaDB's own figures only the replicas' "
            "status (mysqld_exporter) is charted: connections, slow queries and InnoDB lock waits "
            "are not. Below: what the app servers' own metrics tell about the database, then "
            "replication, the backups and the hosts' disks from the exporters.",
        ),
        w=24,
        h=5,
    )

    layout.row("The primary, as the app servers see it")
    layout.add(
        timeseries(
            "App servers that could read the database at the last scrape",
            "The outbox gauges are read from the database at each scrape and are left out when it "
            "cannot be read: fewer servers reporting them than servers up means the database is "
            "unreachable from some of them.",
            [
                target("count(ledger_outbox_unpublished_events)", "read the database"),
                target('sum(up{job="app"})', "app servers up"),
            ],
        ),
    )
    layout.add(
        timeseries(
            "Readiness failures and 503 answers",
            "/readyz answers 503 when the primary database, Redis or RabbitMQ is unreachable; the API "
            "answers 503 when a dependency is down or a pool's writers waited 30 s for their turn.",
            [
                target(
                    f'sum(rate(http_requests_total{{route="/readyz",status="503"}}[{RATE}]))',
                    "/readyz 503",
                ),
                target(
                    f'sum by (route) (rate(http_requests_total{{route!="/readyz",status="503"}}[{RATE}]))',
                    "{{route}}",
                ),
            ],
            unit="reqps",
        ),
    )

    layout.row("Connection pools and statements (every process, by engine role)")
    layout.add(
        timeseries(
            "Pool saturation by target and engine",
            "Connections checked out over pool size plus overflow, in the most saturated process of "
            "each target (app server, worker...). Past 100% a request waits up to 30 s for a "
            "connection; 90% for 5 minutes opens a ticket.",
            [target("max by (instance, engine) (db_pool_saturation_ratio)", "{{instance}} {{engine}}")],
            unit="percentunit",
            thresholds=steps(("red", POOL_SATURATED)),
        ),
    )
    layout.add(
        timeseries(
            "Connections in use and the pools' bounds by engine",
            "Checked out, summed over every process, against what the pools keep open (size) and "
            "may open at most (size plus overflow).",
            [
                target("sum by (engine) (db_pool_connections_in_use)", "{{engine}} in use"),
                target("sum by (engine) (db_pool_size_connections)", "{{engine}} size"),
                target(
                    "sum by (engine) (db_pool_size_connections + db_pool_max_overflow_connections)",
                    "{{engine}} most",
                ),
            ],
        ),
    )
    layout.add(
        timeseries(
            "Statements per second by engine and kind",
            "Statements sent, by engine role (primary writes, primary_reads, replica) and kind.",
            [
                target(
                    f"sum by (engine, statement) (rate(db_query_duration_seconds_count[{RATE}]))",
                    "{{engine}} {{statement}}",
                )
            ],
            unit="ops",
            stacked=True,
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "Statement time (p95) by engine and kind",
            "Time on the wire and in the server per statement (the client's view).",
            [
                target(
                    "histogram_quantile(0.95, sum by (le, engine, statement) "
                    f"(rate(db_query_duration_seconds_bucket[{RATE}])))",
                    "{{engine}} {{statement}}",
                )
            ],
            unit="s",
        ),
        w=8,
    )
    layout.add(
        timeseries(
            "Statement errors per second by engine and kind",
            "Statements that raised: deadlocks, lock wait timeouts, a server gone away.",
            [
                target(
                    f"sum by (engine, statement) (rate(db_query_errors_total[{RATE}]))",
                    "{{engine}} {{statement}}",
                )
            ],
            unit="ops",
        ),
        w=8,
    )

    layout.row("Reads (replicas) and writes (primary)")
    reads = 'method=~"GET|HEAD", ' + API
    writes = 'method=~"POST|PUT|PATCH|DELETE", ' + API
    layout.add(
        timeseries(
            "API read and write latency (p95)",
            "Reads may go to a replica, writes always go to the primary. A rise in reads alone points "
            "at the replicas (or the primary they fell back to), in writes at the primary or a pool's lock.",
            [
                target(quantile(0.95, reads), "reads p95"),
                target(quantile(0.95, writes), "writes p95"),
            ],
            unit="s",
        ),
    )
    layout.add(
        timeseries(
            "API reads and writes per second",
            "The load behind the latency beside it.",
            [
                target(f"sum(rate(http_requests_total{{{reads}}}[{RATE}]))", "reads"),
                target(f"sum(rate(http_requests_total{{{writes}}}[{RATE}]))", "writes"),
            ],
            unit="reqps",
        ),
    )

    replication(layout)
    backups(layout)
    disks(layout)


def replication(layout: Layout) -> None:
    """The replicas' status as mysqld_exporter reads it (SHOW SLAVE STATUS, per replica)."""
    layout.row("Replication (mysqld_exporter on the replicas)")
    layout.add(
        timeseries(
            "Replica lag",
            "Seconds_Behind_Master of each replica. The app stops reading from a replica past "
            "`REPLICA_MAX_LAG_SECONDS` (5 s by default: the orange line) and reads from the primary "
            "instead; ReplicaLagging opens a ticket past 30 s for 10 minutes (the red line). A "
            "replica that is not replicating may report no lag at all: read the panels beside this one.",
            [target("max by (instance) (mysql_slave_status_seconds_behind_master)", "{{instance}}")],
            unit="s",
            thresholds=steps(("orange", REPLICA_MAX_LAG_DEFAULT), ("red", REPLICA_LAG_TICKET)),
        ),
    )
    layout.add(
        stat(
            "Replicating now",
            "Whether both replication threads of each replica run at the last scrape. "
            "ReplicaNotReplicating opens a ticket after 5 minutes stopped.",
            [
                target(
                    "min by (instance) "
                    "(mysql_slave_status_slave_sql_running * mysql_slave_status_slave_io_running)",
                    "{{instance}}",
                    instant=True,
                )
            ],
            thresholds=below(1.0),
            decimals=0,
            mappings=value_texts({0: ("stopped", "red"), 1: ("replicating", "green")}),
        ),
        w=4,
    )
    layout.add(
        timeseries(
            "Replication threads running",
            "1 while a thread runs, 0 once it stopped: the IO thread fetches the primary's binary "
            "log, the SQL thread applies it. `SHOW SLAVE STATUS` on the replica names the error "
            '(docs/operations.md, "Runbook: replica lagging").',
            [
                target("min by (instance) (mysql_slave_status_slave_io_running)", "{{instance}} IO"),
                target("min by (instance) (mysql_slave_status_slave_sql_running)", "{{instance}} SQL"),
            ],
        ),
        w=8,
    )


def _age(metric: str) -> str:
    """Seconds since the newest timestamp a backup gauge holds."""
    return f"time() - max({metric})"


def _age_stat(
    layout: Layout, title: str, description: str, metric: str, thresholds: list[dict[str, Any]]
) -> None:
    """A quarter-row stat: seconds since `metric`'s newest timestamp, coloured by `thresholds`."""
    layout.add(
        stat(title, description, [target(_age(metric), instant=True)], unit="s", thresholds=thresholds),
        w=6,
        h=5,
    )


def backups(layout: Layout) -> None:
    """What `app.py backup` last wrote for node_exporter's textfile collector."""
    layout.row("Backups and the binary log archive")
    backup_age_lines = steps(("red", BACKUP_MAX_AGE))
    _age_stat(
        layout,
        "Newest full backup",
        "Time since the newest full backup finished (nightly). BackupTooOld opens a ticket past 26 hours.",
        'backup_last_success_timestamp_seconds{kind="full"}',
        backup_age_lines,
    )
    _age_stat(
        layout,
        "Newest incremental backup",
        "Time since the newest incremental backup finished. They run hourly: orange once a run "
        "was missed, red at the full backup's 26 hours. No alert reads it.",
        'backup_last_success_timestamp_seconds{kind="incremental"}',
        steps(("orange", INCREMENTAL_MISSED), ("red", BACKUP_MAX_AGE)),
    )
    _age_stat(
        layout,
        "Binary log archive age (recovery point)",
        "Time since the archiver last copied the primary's binary log: what losing the primary "
        "now would lose. BinlogArchiveBehind pages past 5 minutes.",
        "backup_binlog_last_archived_timestamp_seconds",
        steps(("red", BINLOG_MAX_AGE)),
    )
    _age_stat(
        layout,
        "Last verified restorable",
        "Time since a backup was last opened, unpacked and prepared (`app.py backup verify`, "
        "after every run). BackupNotVerified opens a ticket past 26 hours.",
        "backup_last_verified_timestamp_seconds",
        backup_age_lines,
    )
    layout.add(
        timeseries(
            "Backup size by kind",
            "Sealed size of the newest backup of each kind. A full backup that shrinks, or an "
            "incremental that grows towards a full one, is worth a look.",
            [target("max by (kind) (backup_last_size_bytes)", "{{kind}}")],
            unit="bytes",
        ),
    )
    layout.add(
        timeseries(
            "Recovery point over time",
            "The binary log archive's age over the time range, against the 5-minute page line: "
            "`backup binlogs --follow` copies the active log every 10 s by default.",
            [target(_age("backup_binlog_last_archived_timestamp_seconds"), "archive age")],
            unit="s",
            thresholds=steps(("red", BINLOG_MAX_AGE)),
        ),
    )


def disks(layout: Layout) -> None:
    """Every host's filesystems, from node_exporter (tmpfs and overlay left out, as the alerts do)."""
    layout.row("Disks (node_exporter)")
    layout.add(
        timeseries(
            "Disk free by mountpoint",
            "Share of each filesystem free. DiskAlmostFull pages under 5% (red); DiskFillingUp opens "
            "a ticket under 25% (orange) when the last 6 hours' trend reaches zero within a day. "
            "The binary logs, the backups and the InnoDB files all grow here.",
            [
                target(
                    f"node_filesystem_avail_bytes{{{DISKS}}} / node_filesystem_size_bytes{{{DISKS}}}",
                    "{{instance}} {{mountpoint}}",
                )
            ],
            unit="percentunit",
            thresholds=[
                {"color": "red", "value": None},
                {"color": "orange", "value": DISK_FREE_PAGE},
                {"color": "green", "value": DISK_FREE_TICKET},
            ],
        ),
    )
    layout.add(
        timeseries(
            "Disk space available by mountpoint",
            "Bytes each filesystem has available to unprivileged processes (MariaDB, the archiver, the app).",
            [target(f"node_filesystem_avail_bytes{{{DISKS}}}", "{{instance}} {{mountpoint}}")],
            unit="bytes",
        ),
    )


SPEC = Spec(
    "Database and replicas",
    "The primary database and the read replicas as the app servers see them, the replicas' "
    "replication, the backups and the binary log archive, and the hosts' disks.",
    build,
    tags=("database",),
)
