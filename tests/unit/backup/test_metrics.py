"""The backups' figures for node_exporter: the newest of each kind, read from the catalog."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from backend.backup.catalog import Catalog
from backend.backup.metrics import write_backup_metrics
from tests.unit.backup.builders import full, incremental, log


def _samples(path: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(path.read_text())
        for sample in family.samples
    }


def test_the_newest_backup_of_each_kind_the_archive_and_the_last_verification(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "backups")
    older = replace(full(1, 1), finished_at="2026-12-01T01:05:00+00:00", sealed_bytes=500)
    newer = replace(full(2, 2), finished_at="2026-12-02T01:05:00+00:00", sealed_bytes=700)
    hourly = replace(incremental(2, 12, newer, 2), finished_at="2026-12-02T12:01:00+00:00", sealed_bytes=40)
    for manifest in (older, newer, hourly):
        catalog.start(manifest.id)
        catalog.finish(manifest)
    catalog.binlogs_dir.mkdir(parents=True)
    catalog.record_binlog(replace(log(2), archived_at="2026-12-02T12:30:10+00:00"))
    catalog.record_binlog(replace(log(1), archived_at="2026-12-01T09:00:00+00:00"))
    catalog.record_verified(newer.id, datetime(2026, 12, 2, 2, 0, tzinfo=UTC))

    path = tmp_path / "metrics" / "backup.prom"
    write_backup_metrics(catalog, path)
    assert _samples(path) == {
        ("backup_last_success_timestamp_seconds", (("kind", "full"),)): datetime(
            2026, 12, 2, 1, 5, tzinfo=UTC
        ).timestamp(),
        ("backup_last_success_timestamp_seconds", (("kind", "incremental"),)): datetime(
            2026, 12, 2, 12, 1, tzinfo=UTC
        ).timestamp(),
        ("backup_last_size_bytes", (("kind", "full"),)): 700.0,
        ("backup_last_size_bytes", (("kind", "incremental"),)): 40.0,
        ("backup_binlog_last_archived_timestamp_seconds", ()): datetime(
            2026, 12, 2, 12, 30, 10, tzinfo=UTC
        ).timestamp(),
        ("backup_last_verified_timestamp_seconds", ()): datetime(2026, 12, 2, 2, 0, tzinfo=UTC).timestamp(),
    }


def test_nothing_backed_up_yet_leaves_no_figure_for_the_absence_alert(tmp_path: Path) -> None:
    path = tmp_path / "backup.prom"
    write_backup_metrics(Catalog(tmp_path / "none"), path)
    assert _samples(path) == {}


def test_a_pruned_backup_no_longer_counts_as_verified(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    first, second = full(1, 1), full(2, 2)
    for manifest in (first, second):
        catalog.start(manifest.id)
        catalog.finish(manifest)
    catalog.record_verified(first.id, datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    catalog.prune(keep_full=1)
    assert catalog.verifications() == {}
