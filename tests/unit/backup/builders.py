"""Manifests and archived logs to build catalogs from, in the backup tests."""

from __future__ import annotations

from dataclasses import replace

from backend.backup.catalog import ArchivedBinlog, Manifest

BASE = Manifest(
    id="",
    kind="full",
    parent=None,
    started_at="2026-12-01T01:00:00+00:00",
    finished_at="2026-12-01T01:05:00+00:00",
    server_version="10.11.19-MariaDB",
    from_lsn=0,
    to_lsn=1000,
    binlog_file="mariadb-bin.000001",
    binlog_position=4,
    gtid="0-1-10",
    plain_bytes=100,
    sealed_bytes=60,
    sha256="0" * 64,
    key_id="b1",
)


def full(day: int, binlog: int) -> Manifest:
    return replace(BASE, id=f"202612{day:02d}T010000000000Z-full", binlog_file=f"mariadb-bin.{binlog:06d}")


def incremental(day: int, hour: int, parent: Manifest, binlog: int) -> Manifest:
    return replace(
        BASE,
        id=f"202612{day:02d}T{hour:02d}0000000000Z-incremental",
        kind="incremental",
        parent=parent.id,
        binlog_file=f"mariadb-bin.{binlog:06d}",
    )


def log(number: int) -> ArchivedBinlog:
    return ArchivedBinlog(f"mariadb-bin.{number:06d}", True, 10, 8, "0" * 64, "2026-12-01T00:00:00+00:00")
