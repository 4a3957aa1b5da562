"""The backup repository: chains, retention, and backups that did not finish."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.backup.catalog import Catalog, CatalogError, binlog_number, plan_retention
from tests.unit.backup.builders import full, incremental, log


def test_retention_keeps_the_newest_fulls_their_incrementals_and_the_logs_they_need() -> None:
    f1 = full(1, 1)
    i1 = incremental(1, 12, f1, 2)
    f2 = full(2, 3)
    i2 = incremental(2, 12, f2, 4)
    i3 = incremental(2, 18, i2, 4)
    f3 = full(3, 5)
    backups, binlogs = plan_retention([f1, i1, f2, i2, i3, f3], [log(n) for n in range(1, 7)], keep_full=2)
    assert backups == [f1.id, i1.id]
    assert binlogs == ["mariadb-bin.000001", "mariadb-bin.000002"]


def test_retention_removes_nothing_while_there_are_few_fulls() -> None:
    f1 = full(1, 1)
    assert plan_retention([f1, incremental(1, 12, f1, 2)], [log(1), log(2)], keep_full=2) == ([], [])


def test_retention_keeps_at_least_one_full() -> None:
    with pytest.raises(ValueError, match="at least one"):
        plan_retention([], [], keep_full=0)


def test_binlogs_sort_by_number_not_by_text() -> None:
    assert binlog_number("mariadb-bin.1000000") > binlog_number("mariadb-bin.999999")
    with pytest.raises(CatalogError, match="not a binary log name"):
        binlog_number("mariadb-bin.index")


def test_a_chain_runs_from_its_full_backup_and_names_a_missing_link(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    f1 = full(1, 1)
    i1 = incremental(1, 12, f1, 2)
    i2 = incremental(1, 18, i1, 2)
    for manifest in (f1, i1, i2):
        catalog.start(manifest.id)
        catalog.finish(manifest)
    assert [m.id for m in catalog.chain(i2.id)] == [f1.id, i1.id, i2.id]
    catalog.abandon(i1.id)
    with pytest.raises(CatalogError, match=f"needs {i1.id}, which is missing"):
        catalog.chain(i2.id)


def test_a_backup_without_its_manifest_does_not_exist(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    f1 = full(1, 1)
    catalog.start(f1.id)  # the tool was killed while it streamed
    assert catalog.backups() == []
    assert catalog.latest() is None
    with pytest.raises(CatalogError, match="no finished backup"):
        catalog.get(f1.id)
    catalog.finish(f1)
    assert catalog.latest() == f1


def test_prune_deletes_the_files_of_what_it_drops(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    f1, f2 = full(1, 1), full(2, 2)
    for manifest in (f1, f2):
        catalog.start(manifest.id)
        catalog.finish(manifest)
    catalog.binlogs_dir.mkdir(parents=True)
    for number in (1, 2):
        catalog.binlog_file(log(number).name).write_bytes(b"x")
        catalog.record_binlog(log(number))
    assert catalog.prune(keep_full=1) == ([f1.id], ["mariadb-bin.000001"])
    assert [m.id for m in catalog.backups()] == [f2.id]
    assert [b.name for b in catalog.binlogs()] == ["mariadb-bin.000002"]
    assert not catalog.binlog_file("mariadb-bin.000001").exists()
