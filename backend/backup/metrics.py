"""The backups' figures for Prometheus, as a file node_exporter's textfile collector reads.

Backups run as short jobs (a CronJob, the archiver's loop), which no scrape would catch
alive; so each run rewrites one file, atomically, from what the catalog holds, and
node_exporter (`--collector.textfile.directory`) serves it. Derived from the catalog, not
from the run: a failed run leaves the previous, true figures, and their age is what the
alerts in deploy/prometheus/rules/backups.yml read.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

from backend.backup.catalog import Catalog


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def write_backup_metrics(catalog: Catalog, path: Path) -> None:
    registry = CollectorRegistry()
    finished = Gauge(
        "backup_last_success_timestamp_seconds",
        "When the newest finished backup of each kind finished",
        ["kind"],
        registry=registry,
    )
    size = Gauge(
        "backup_last_size_bytes", "Sealed size of the newest backup of each kind", ["kind"], registry=registry
    )
    for manifest in catalog.backups():  # oldest first: the newest of each kind is set last
        finished.labels(manifest.kind).set(_epoch(manifest.finished_at))
        size.labels(manifest.kind).set(manifest.sealed_bytes)
    binlogs = catalog.binlogs()
    if binlogs:
        Gauge(
            "backup_binlog_last_archived_timestamp_seconds",
            "When the archiver last copied the server's binary log",
            registry=registry,
        ).set(max(_epoch(b.archived_at) for b in binlogs))
    verified = catalog.verifications()
    if verified:
        Gauge(
            "backup_last_verified_timestamp_seconds",
            "When a backup was last proved restorable (opened, unpacked, prepared)",
            registry=registry,
        ).set(max(_epoch(at) for at in verified.values()))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry)
