"""`python app.py backup ...`: the database's backups and point-in-time restores.

    backup run [--incremental]     a full (or incremental) backup, then the retention policy
    backup binlogs [--follow]      archive the binary logs (every --interval seconds with --follow)
    backup list                    backups and archived logs
    backup verify [ID]             open, unpack and prepare a backup's chain (default: the latest)
    backup timeline [--all]        schema changes (or every transaction) in the archived logs
    backup restore --target-datadir DIR [--backup ID] [--before-gtid GTID]
    backup prune                   apply the retention policy now
    backup promote --replica-url URL   the primary is lost: make this replica the primary

`run` and `binlogs` read the server named by DATABASE_URL and must run on its host (the
backup tool reads the data directory's files); `restore` needs no server: it starts its
own on the rebuilt directory to replay the logs, then stops it. docs/operations.md has the
runbook.
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path
from typing import Any

from backend.backup.catalog import Catalog
from backend.backup.mariadb_tools import ServerAddress
from backend.backup.metrics import write_backup_metrics
from backend.backup.procedures import (
    SealingKeys,
    archive_binlogs,
    archived_timeline,
    restore,
    take_backup,
    verify_backup,
)
from backend.backup.promotion import promote_replica
from backend.platform.config import Settings
from backend.platform.key_ring import parse_key_ring
from backend.platform.secrets_store import load_or_create_backup_keys


def add_backup_parser(sub: Any) -> None:
    backup = sub.add_parser("backup", help="database backups, binlog archiving, point-in-time restore")
    verbs = backup.add_subparsers(dest="backup_command", required=True)
    run = verbs.add_parser("run", help="take a backup, then apply the retention policy")
    run.add_argument("--incremental", action="store_true", help="only what changed since the last backup")
    binlogs = verbs.add_parser("binlogs", help="copy the server's binary logs into the archive")
    binlogs.add_argument("--follow", action="store_true", help="keep archiving until stopped")
    binlogs.add_argument("--interval", type=float, default=10.0, help="seconds between copies (--follow)")
    verbs.add_parser("list", help="backups and archived binary logs")
    verify = verbs.add_parser("verify", help="prove a backup restorable (checksums, seals, prepare)")
    verify.add_argument("backup_id", nargs="?", help="default: the latest backup")
    timeline = verbs.add_parser("timeline", help="what the archived logs hold: find the disaster's GTID")
    timeline.add_argument("--all", action="store_true", help="every transaction, not only schema changes")
    restore_parser = verbs.add_parser("restore", help="rebuild a data directory up to a point in time")
    restore_parser.add_argument("--target-datadir", type=Path, required=True, help="a new or empty directory")
    restore_parser.add_argument("--backup", dest="backup_id", help="default: the latest backup")
    restore_parser.add_argument("--before-gtid", help="stop just before this transaction (the disaster)")
    restore_parser.add_argument("--log-bin", default="mariadb-bin", help="binlog basename of the server")
    restore_parser.add_argument("--server-id", type=int, default=1, help="server_id of the restored server")
    verbs.add_parser("prune", help="delete what the retention policy (BACKUP_KEEP_FULL) does not keep")
    promote = verbs.add_parser("promote", help="make a replica the primary once the primary is lost")
    promote.add_argument("--replica-url", required=True, help="the replica's database URL")
    promote.add_argument("--apply-timeout", type=int, default=300, help="seconds to apply what it received")
    backup.set_defaults(func=cmd_backup)


def _catalog(settings: Settings) -> Catalog:
    return Catalog((settings.backup_dir or settings.var_dir / "backups").resolve())


def _keys(settings: Settings) -> SealingKeys:
    text = settings.backup_keys or load_or_create_backup_keys(settings.var_dir)
    keys, active = parse_key_ring(text)
    return SealingKeys(keys, active)


def _address(settings: Settings) -> ServerAddress:
    return ServerAddress.from_url(settings.primary_url)


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    catalog = _catalog(settings)
    handler = {
        "run": _run,
        "binlogs": _binlogs,
        "list": _list,
        "verify": _verify,
        "timeline": _timeline,
        "restore": _restore,
        "prune": _prune,
        "promote": _promote,
    }[args.backup_command]
    try:
        return handler(args, settings, catalog)
    finally:
        # After a failure too: the figures stay those of the last success, and age.
        _write_metrics(settings, catalog)


def _write_metrics(settings: Settings, catalog: Catalog) -> None:
    write_backup_metrics(catalog, settings.backup_metrics_file or catalog.root / "metrics" / "backup.prom")


def _run(args: argparse.Namespace, settings: Settings, catalog: Catalog) -> int:
    began = time.monotonic()
    manifest = take_backup(
        _address(settings), catalog, _keys(settings), "incremental" if args.incremental else "full"
    )
    print(
        f"backup {manifest.id}: {manifest.plain_bytes:,} bytes sealed into {manifest.sealed_bytes:,} "
        f"in {time.monotonic() - began:.1f} s; consistent at GTID {manifest.gtid or '(none)'} "
        f"({manifest.binlog_file}:{manifest.binlog_position})"
    )
    return _prune(args, settings, catalog)


def _binlogs(args: argparse.Namespace, settings: Settings, catalog: Catalog) -> int:
    address, keys = _address(settings), _keys(settings)
    stop = threading.Event()
    if args.follow:
        import signal

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    while True:
        for record in archive_binlogs(address, catalog, keys):
            state = "closed" if record.complete else "active, copied so far"
            print(f"archived {record.name}: {record.plain_bytes:,} bytes ({state})", flush=True)
        _write_metrics(settings, catalog)
        if not args.follow or stop.wait(args.interval):
            return 0


def _list(args: argparse.Namespace, settings: Settings, catalog: Catalog) -> int:
    print("backups (oldest first):")
    for m in catalog.backups():
        base = f" on {m.parent}" if m.parent else ""
        print(f"  {m.id}\t{m.kind}{base}\t{m.sealed_bytes:,} bytes\tGTID {m.gtid}\t{m.finished_at}")
    print("archived binary logs:")
    for b in catalog.binlogs():
        print(f"  {b.name}\t{b.plain_bytes:,} bytes\t{'closed' if b.complete else 'active'}\t{b.archived_at}")
    return 0


def _verify(args: argparse.Namespace, settings: Settings, catalog: Catalog) -> int:
    latest = catalog.latest()
    backup_id = args.backup_id or (latest.id if latest else None)
    if backup_id is None:
        print(f"error: no finished backup in {catalog.backups_dir}")
        return 1
    began = time.monotonic()
    chain = verify_backup(catalog, _keys(settings), backup_id, catalog.root)
    print(
        f"backup {backup_id} is restorable: {len(chain)} backup(s) opened, unpacked and prepared "
        f"in {time.monotonic() - began:.1f} s"
    )
    return 0


def _timeline(args: argparse.Namespace, settings: Settings, catalog: Catalog) -> int:
    timeline = archived_timeline(catalog, _keys(settings))
    for transaction in timeline:
        if args.all or transaction.kind == "ddl":
            print(f"{transaction.gtid}\t{transaction.at}\t{transaction.kind}\t{transaction.statement or ''}")
    if not timeline:
        print("no transactions in the archived binary logs")
    else:
        print(f"{len(timeline)} transactions, {timeline[0].gtid} to {timeline[-1].gtid}")
    return 0


def _restore(args: argparse.Namespace, settings: Settings, catalog: Catalog) -> int:
    result = restore(
        catalog,
        _keys(settings),
        args.target_datadir.resolve(),
        backup_id=args.backup_id,
        before_gtid=args.before_gtid,
        log_bin=args.log_bin,
        server_id=args.server_id,
    )
    print(
        f"restored {args.target_datadir} from backup {result.backup.id} and "
        f"{result.replayed_transactions} transactions of the binary logs in {result.seconds:.1f} s; "
        f"recovery point: GTID {result.gtid} {result.at}".rstrip()
    )
    print(
        "start mariadbd on it with the same --log-bin, then take a full backup into a new BACKUP_DIR: "
        "the restored server's binary logs begin a new history"
    )
    return 0


def _prune(args: argparse.Namespace, settings: Settings, catalog: Catalog) -> int:
    backups, binlogs = catalog.prune(settings.backup_keep_full)
    if backups or binlogs:
        kept = settings.backup_keep_full
        print(f"retention (keep {kept} full): removed {len(backups)} backup(s), {len(binlogs)} log(s)")
    return 0


def _promote(args: argparse.Namespace, settings: Settings, catalog: Catalog) -> int:
    promotion = promote_replica(
        ServerAddress.from_url(args.replica_url), apply_timeout_seconds=args.apply_timeout
    )
    print(
        f"promoted: it had received {promotion.received or '(nothing)'} and applied all of it; "
        f"writable at GTID {promotion.gtid}. Point DATABASE_URL at it, make its options the "
        "primary's (read_only off) before its next restart, and take a full backup."
    )
    return 0
