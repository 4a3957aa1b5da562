"""The backup repository on disk: backups with their manifests, archived binary logs, and
which of them the retention policy keeps.

    BACKUP_DIR/backups/<id>/manifest.json        what the backup is and how to check it
    BACKUP_DIR/backups/<id>/backup.mbstream.pbk  the sealed mariadb-backup stream
    BACKUP_DIR/binlogs/<name>.pbk + <name>.json  a sealed binary log and its record

A backup exists once its manifest does: the manifest is written last, by rename, so a
backup cut short (the tool killed, the disk full) is never listed nor restored from.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

BACKUP_FILE = "backup.mbstream.pbk"
BackupKind = Literal["full", "incremental"]


class CatalogError(LookupError):
    """A backup, its chain or an archived binary log is missing or inconsistent."""


@dataclass(frozen=True)
class Manifest:
    id: str
    kind: BackupKind
    parent: str | None  # the backup an incremental applies on top of
    started_at: str
    finished_at: str
    server_version: str
    from_lsn: int
    to_lsn: int
    binlog_file: str
    binlog_position: int
    gtid: str  # the last transaction the backup holds
    plain_bytes: int
    sealed_bytes: int
    sha256: str
    key_id: str


@dataclass(frozen=True)
class ArchivedBinlog:
    name: str
    complete: bool  # False while it was the server's active log when copied
    plain_bytes: int
    sealed_bytes: int
    sha256: str
    archived_at: str


def binlog_number(name: str) -> int:
    found = re.search(r"\.(\d+)$", name)
    if not found:
        raise CatalogError(f"{name!r} is not a binary log name (basename.NNNNNN)")
    return int(found[1])


def new_backup_id(kind: BackupKind, now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{moment:%Y%m%dT%H%M%S%fZ}-{kind}"


def _write_json(path: Path, payload: object) -> None:
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    os.replace(partial, path)


class Catalog:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.backups_dir = root / "backups"
        self.binlogs_dir = root / "binlogs"

    # -- backups ------------------------------------------------------------------
    def backups(self) -> list[Manifest]:
        """Every finished backup, oldest first."""
        if not self.backups_dir.exists():
            return []
        found = []
        for path in sorted(self.backups_dir.glob("*/manifest.json")):
            found.append(Manifest(**json.loads(path.read_text())))
        return found

    def get(self, backup_id: str) -> Manifest:
        for manifest in self.backups():
            if manifest.id == backup_id:
                return manifest
        raise CatalogError(f"no finished backup {backup_id!r} in {self.backups_dir}")

    def latest(self) -> Manifest | None:
        found = self.backups()
        return found[-1] if found else None

    def backup_file(self, manifest: Manifest) -> Path:
        return self.backups_dir / manifest.id / BACKUP_FILE

    def start(self, backup_id: str) -> Path:
        """A fresh folder for a backup being written; it counts once `finish` has run."""
        folder = self.backups_dir / backup_id
        folder.mkdir(parents=True)
        return folder

    def finish(self, manifest: Manifest) -> None:
        _write_json(self.backups_dir / manifest.id / "manifest.json", asdict(manifest))

    def abandon(self, backup_id: str) -> None:
        shutil.rmtree(self.backups_dir / backup_id, ignore_errors=True)

    def chain(self, backup_id: str) -> list[Manifest]:
        """The full backup and the incrementals up to `backup_id`, in the order to apply."""
        by_id = {m.id: m for m in self.backups()}
        if backup_id not in by_id:
            raise CatalogError(f"no finished backup {backup_id!r} in {self.backups_dir}")
        chain = [by_id[backup_id]]
        while chain[-1].parent is not None:
            parent = chain[-1].parent
            if parent not in by_id:
                raise CatalogError(f"backup {chain[-1].id} needs {parent}, which is missing")
            chain.append(by_id[parent])
        return chain[::-1]

    # -- binary logs --------------------------------------------------------------
    def binlogs(self) -> list[ArchivedBinlog]:
        """Archived binary logs in log order."""
        if not self.binlogs_dir.exists():
            return []
        found = [ArchivedBinlog(**json.loads(p.read_text())) for p in self.binlogs_dir.glob("*.json")]
        return sorted(found, key=lambda b: binlog_number(b.name))

    def binlog_file(self, name: str) -> Path:
        return self.binlogs_dir / f"{name}.pbk"

    def record_binlog(self, record: ArchivedBinlog) -> None:
        _write_json(self.binlogs_dir / f"{record.name}.json", asdict(record))

    # -- verifications ------------------------------------------------------------
    def verifications(self) -> dict[str, str]:
        """{backup id: when `verify` last proved it restorable}, for backups still kept."""
        path = self.root / "verified.json"
        recorded: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        kept = {m.id for m in self.backups()}
        return {backup_id: at for backup_id, at in recorded.items() if backup_id in kept}

    def record_verified(self, backup_id: str, at: datetime) -> None:
        recorded = self.verifications()
        recorded[backup_id] = at.astimezone(UTC).isoformat(timespec="seconds")
        self.root.mkdir(parents=True, exist_ok=True)
        _write_json(self.root / "verified.json", recorded)

    # -- retention ----------------------------------------------------------------
    def prune(self, keep_full: int) -> tuple[list[str], list[str]]:
        """Delete what the policy does not keep; returns (backup ids, binlog names) removed."""
        backups, binlogs = plan_retention(self.backups(), self.binlogs(), keep_full)
        for backup_id in backups:
            shutil.rmtree(self.backups_dir / backup_id)
        for name in binlogs:
            self.binlog_file(name).unlink(missing_ok=True)
            (self.binlogs_dir / f"{name}.json").unlink(missing_ok=True)
        return backups, binlogs


def plan_retention(
    backups: list[Manifest], binlogs: list[ArchivedBinlog], keep_full: int
) -> tuple[list[str], list[str]]:
    """What to delete so that the newest `keep_full` full backups stay restorable.

    A kept full backup keeps its incrementals, and every binary log from the one it was
    taken in onwards (they carry it to any later point in time); everything older goes.
    """
    if keep_full < 1:
        raise ValueError("keep at least one full backup")
    fulls = [m for m in backups if m.kind == "full"]
    if len(fulls) <= keep_full:
        return [], []
    oldest_kept = fulls[-keep_full]
    kept: set[str] = set()
    for manifest in backups:
        if manifest.id >= oldest_kept.id and (manifest.kind == "full" or manifest.parent in kept):
            kept.add(manifest.id)
    drop_backups = [m.id for m in backups if m.id not in kept]
    first_needed = binlog_number(oldest_kept.binlog_file)
    drop_binlogs = [b.name for b in binlogs if binlog_number(b.name) < first_needed]
    return drop_backups, drop_binlogs
