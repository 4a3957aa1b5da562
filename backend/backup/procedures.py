"""Take, archive, verify and restore: the four things an operator does with backups.

    take_backup      a full or incremental mariadb-backup, sealed as it streams
    archive_binlogs  copy the server's binary logs (closed ones once, the active one again)
    verify_backup    open, unpack and prepare a backup's chain in scratch space
    restore          rebuild a data directory from a chain plus binary logs, up to a point

A full backup alone loses everything after it; the binary logs carry it forward to any
transaction, so the recovery point is the last archived log, not the last backup.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from backend.backup import mariadb_tools as tools
from backend.backup.binlog_timeline import BinlogTransaction, last_before, read_timeline
from backend.backup.catalog import (
    ArchivedBinlog,
    BackupKind,
    Catalog,
    CatalogError,
    Manifest,
    binlog_number,
    new_backup_id,
)
from backend.backup.sealing import seal, unseal

_HASH_BLOCK = 1 << 20


@dataclass(frozen=True)
class SealingKeys:
    """The backup key ring: every key opens, the active one seals."""

    keys: Mapping[str, bytes]
    active: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def take_backup(
    address: tools.ServerAddress, catalog: Catalog, keys: SealingKeys, kind: BackupKind
) -> Manifest:
    server = address.query("SELECT @@datadir AS datadir, @@version AS version, @@log_bin AS log_bin")[0]
    if not server["log_bin"]:
        raise tools.BackupToolError(
            "binary logging is off on this server: without it no point after a backup can be "
            "restored (log_bin in deploy/mariadb/primary.cnf)"
        )
    parent = catalog.latest() if kind == "incremental" else None
    if kind == "incremental" and parent is None:
        raise CatalogError("no backup to build an incremental on: take a full backup first")
    backup_id = new_backup_id(kind)
    folder = catalog.start(backup_id)
    started = _now()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="pools-lsn-") as lsn_dir,
            address.options_file() as options,
            tools.streamed_backup(
                options,
                str(server["datadir"]),
                Path(lsn_dir),
                incremental_lsn=parent.to_lsn if parent else None,
            ) as stream,
            (folder / "backup.mbstream.pbk").open("wb") as sink,
        ):
            stats = seal(stream, sink, keys.keys[keys.active], keys.active)
            checkpoints = tools.read_checkpoints(Path(lsn_dir))
        binlog_file, binlog_offset, gtid = tools.binlog_position(checkpoints)
        manifest = Manifest(
            id=backup_id,
            kind=kind,
            parent=parent.id if parent else None,
            started_at=started,
            finished_at=_now(),
            server_version=str(server["version"]),
            from_lsn=int(checkpoints["from_lsn"]),
            to_lsn=int(checkpoints["to_lsn"]),
            binlog_file=binlog_file,
            binlog_position=binlog_offset,
            gtid=gtid,
            plain_bytes=stats.plain_bytes,
            sealed_bytes=stats.sealed_bytes,
            sha256=stats.sha256,
            key_id=keys.active,
        )
        catalog.finish(manifest)
    except BaseException:
        catalog.abandon(backup_id)
        raise
    return manifest


def archive_binlogs(
    address: tools.ServerAddress, catalog: Catalog, keys: SealingKeys
) -> list[ArchivedBinlog]:
    """Bring the archive level with the server; returns the logs copied this time.

    A closed log is copied once. The active one is copied again on every run (it grows), so
    the recovery point is the last run; `--follow` runs this every few seconds.
    """
    server_logs = [str(row["Log_name"]) for row in address.query("SHOW BINARY LOGS")]
    archived = {b.name: b for b in catalog.binlogs()}
    if archived and server_logs:
        newest_archived = max(binlog_number(name) for name in archived)
        if binlog_number(server_logs[0]) > newest_archived + 1:
            raise CatalogError(
                f"the server no longer has the logs after {max(archived, key=binlog_number)} "
                f"(its oldest is {server_logs[0]}): the archive has a gap; take a full backup now"
            )
    copied = []
    catalog.binlogs_dir.mkdir(parents=True, exist_ok=True)
    with address.options_file() as options, tempfile.TemporaryDirectory(prefix="pools-binlog-") as scratch:
        for position, name in enumerate(server_logs):
            if name in archived and archived[name].complete:
                continue
            raw = tools.fetch_binlog(options, name, Path(scratch))
            partial = catalog.binlog_file(name).with_suffix(".partial")
            with raw.open("rb") as source, partial.open("wb") as sink:
                stats = seal(source, sink, keys.keys[keys.active], keys.active)
            partial.replace(catalog.binlog_file(name))
            raw.unlink()
            record = ArchivedBinlog(
                name=name,
                complete=position < len(server_logs) - 1,
                plain_bytes=stats.plain_bytes,
                sealed_bytes=stats.sealed_bytes,
                sha256=stats.sha256,
                archived_at=_now(),
            )
            catalog.record_binlog(record)
            copied.append(record)
    return copied


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _open_sealed(sealed: Path, expected_sha256: str, keys: SealingKeys, plain: Path) -> None:
    if _sha256(sealed) != expected_sha256:
        raise CatalogError(f"{sealed} does not match the checksum its record holds: it was altered")
    with sealed.open("rb") as source, plain.open("wb") as sink:
        unseal(source, sink, keys.keys)


def _prepared_chain(catalog: Catalog, chain: list[Manifest], keys: SealingKeys, work: Path) -> Path:
    """Open, unpack and prepare a chain in `work`; returns the prepared full backup's folder."""
    folders = []
    for manifest in chain:
        stream = work / f"{manifest.id}.mbstream"
        _open_sealed(catalog.backup_file(manifest), manifest.sha256, keys, stream)
        folder = work / manifest.id
        tools.unpack(stream, folder)
        stream.unlink()
        folders.append(folder)
    tools.prepare(folders[0])
    for incremental in folders[1:]:
        tools.prepare(folders[0], incremental)
    return folders[0]


@contextlib.contextmanager
def _scratch(near: Path) -> Iterator[Path]:
    # Beside the target, on the same file system: the prepared data moves into place by rename.
    near.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".pools-restore-", dir=near))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def verify_backup(catalog: Catalog, keys: SealingKeys, backup_id: str, scratch_dir: Path) -> list[Manifest]:
    """Prove a backup restorable without touching a server: checksums, seals, prepare.

    Returns the chain that was checked; raises on the first thing that would stop a restore.
    """
    chain = catalog.chain(backup_id)
    with _scratch(scratch_dir) as work:
        _prepared_chain(catalog, chain, keys, work)
    catalog.record_verified(backup_id, datetime.now(UTC))
    return chain


@dataclass(frozen=True)
class RestoreResult:
    backup: Manifest
    gtid: str  # the last transaction the restored data holds
    at: str  # when that transaction was committed ("" when it is the backup's own point)
    replayed_transactions: int
    seconds: float


def restore(
    catalog: Catalog,
    keys: SealingKeys,
    target: Path,
    *,
    backup_id: str | None = None,
    before_gtid: str | None = None,
    log_bin: str = "mariadb-bin",
    server_id: int = 1,
) -> RestoreResult:
    """Rebuild a MariaDB data directory at `target` (absent or empty).

    From the chain ending at `backup_id` (default: the latest backup), then every archived
    binary log after it, stopping just before `before_gtid` when given (the disaster's
    transaction, found with `timeline`). Nothing is written to `target` until the backup
    has been opened and prepared, so a failed restore leaves no half-built directory.
    """
    began = time.monotonic()
    if target.exists() and any(target.iterdir()):
        raise CatalogError(f"{target} is not empty: restore into a new or empty directory")
    latest = catalog.latest()
    if latest is None:
        raise CatalogError(f"no finished backup in {catalog.backups_dir}")
    chain = catalog.chain(backup_id or latest.id)
    backup = chain[-1]
    with _scratch(target.parent) as work:
        prepared = _prepared_chain(catalog, chain, keys, work)
        logs = _opened_binlogs(catalog, keys, backup, work / "binlogs")
        timeline = _timeline(logs)
        stop = _stop_point(timeline, backup, before_gtid)
        if target.exists():
            target.rmdir()
        prepared.replace(target)
        with tools.scratch_server(target, work, log_bin=log_bin, server_id=server_id) as socket:
            # The restored server's own binlog starts where the backup stopped, so its
            # GTID history continues the original one whatever is replayed after.
            tools.socket_query(socket, "RESET MASTER")
            if backup.gtid:
                tools.socket_query(socket, f"SET GLOBAL gtid_binlog_state = '{backup.gtid}'")
            replayed = _replayed(timeline, backup, stop)
            if replayed:
                tools.replay_binlogs(logs, socket, start_position=backup.binlog_position, stop_gtid=stop)
            reached = str(tools.socket_query(socket, "SELECT @@gtid_binlog_pos AS pos")[0]["pos"])
    at = next((t.at for t in timeline if t.gtid == reached), "")
    return RestoreResult(backup, reached, at, len(replayed), time.monotonic() - began)


def _opened_binlogs(catalog: Catalog, keys: SealingKeys, backup: Manifest, folder: Path) -> list[Path]:
    """The archived logs from the backup's own onwards, opened under their original names."""
    folder.mkdir()
    first = binlog_number(backup.binlog_file)
    records = [b for b in catalog.binlogs() if binlog_number(b.name) >= first]
    if not records or records[0].name != backup.binlog_file:
        raise CatalogError(
            f"the archive lacks {backup.binlog_file}, the log backup {backup.id} was taken in: "
            "run `backup binlogs` (it must run while the server still has the log)"
        )
    numbers = [binlog_number(b.name) for b in records]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise CatalogError(f"the archived logs have a gap: {', '.join(b.name for b in records)}")
    return _open_binlogs(catalog, keys, records, folder)


def _open_binlogs(
    catalog: Catalog, keys: SealingKeys, records: list[ArchivedBinlog], folder: Path
) -> list[Path]:
    paths = []
    for record in records:
        path = folder / record.name
        _open_sealed(catalog.binlog_file(record.name), record.sha256, keys, path)
        paths.append(path)
    return paths


def archived_timeline(catalog: Catalog, keys: SealingKeys) -> list[BinlogTransaction]:
    """Every transaction in the archived binary logs, in log order."""
    with _scratch(catalog.root) as work:
        paths = _open_binlogs(catalog, keys, catalog.binlogs(), work)
        return _timeline(paths) if paths else []


def _timeline(logs: list[Path]) -> list[BinlogTransaction]:
    with tools.decoded_binlogs(logs) as lines:
        return read_timeline(lines)


def _after_backup(transaction: BinlogTransaction, backup: Manifest) -> bool:
    held = {int(g.split("-")[0]): int(g.split("-")[2]) for g in backup.gtid.split(",") if g}
    return transaction.sequence > held.get(transaction.domain, 0)


def _stop_point(timeline: list[BinlogTransaction], backup: Manifest, before_gtid: str | None) -> str | None:
    """The GTID of the last transaction to replay (None: all of them)."""
    if before_gtid is None:
        return None
    disaster = next((t for t in timeline if t.gtid == before_gtid), None)
    if disaster is None:
        raise CatalogError(f"GTID {before_gtid} is not in the archived binary logs")
    if not _after_backup(disaster, backup):
        raise CatalogError(
            f"backup {backup.id} already holds {before_gtid} (it stops at {backup.gtid}): "
            "restore from an older backup with --backup"
        )
    previous = last_before(timeline, before_gtid)
    return previous.gtid if previous is not None else backup.gtid


def _replayed(
    timeline: list[BinlogTransaction], backup: Manifest, stop: str | None
) -> list[BinlogTransaction]:
    after = [t for t in timeline if _after_backup(t, backup)]
    if stop is None:
        return after
    kept = []
    for transaction in after:
        kept.append(transaction)
        if transaction.gtid == stop:
            break
    else:
        return []  # the stop is the backup's own point: nothing after it is replayed
    return kept
