"""The restore drill, on throwaway mariadbd processes configured by deploy/mariadb/primary.cnf.

Seed books, take a full backup, keep writing, take an incremental, keep writing; then two
disasters, each recovered with `python app.py backup ...` as the runbook says:

1. a dropped table: restore up to the transaction before the DROP (found with `timeline`)
   from the backups plus the archived binary logs;
2. a lost data directory (SIGKILL, then the directory deleted): restore everything the
   archive holds.

After each, the restored server passes `ledger verify`, and every pool's balances, chain
head and every table's checksum equal what they were just before the disaster. The test
prints the recovery point and the recovery time.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import app as cli
from backend.backup.catalog import Catalog, CatalogError
from backend.backup.mariadb_tools import BackupToolError
from backend.backup.procedures import SealingKeys, archived_timeline
from backend.composition.container import Container
from backend.platform.actors import Actor
from backend.platform.config import load_settings
from backend.platform.db import Database
from backend.platform.key_ring import parse_key_ring
from backend.platform.secrets_store import load_or_create_backup_keys
from backend.seed.loader import seed
from backend.seed.scales import Scale
from ledger.interface import AccountCode, EntryType
from ledger.journal import DraftLine, EntryDraft
from ledger.service import DatabaseLedgerService
from sql.migrate import upgrade
from tests.integration.replication import DATABASE, MariaDBServer, installed_server
from tests.ledger_entries import write_draft

pytestmark = [pytest.mark.replication, pytest.mark.xdist_group("replication")]

ROOT = Path(__file__).resolve().parents[2]
PRIMARY_CNF = ROOT / "deploy" / "mariadb" / "primary.cnf"
OPERATOR = Actor.operator("restore-drill")
# A primary with no replica: commits would wait out the semi-synchronous timeout once.
ALONE = ("--rpl-semi-sync-master-enabled=OFF",)
BOOKS = Scale(
    "drill", open_pools=2, closed_pools=1, investors=6, managers=2, history_weeks=12, holders_per_pool=3
)


class Servers:
    """The drill's servers, under one short directory of our own (unix socket paths are
    capped at 107 bytes); every one is killed at the end, whatever happened."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="pools-drill-"))
        self.started: list[MariaDBServer] = []

    def fresh(self, name: str) -> MariaDBServer:
        return self._start(installed_server(self.base, name, 1, defaults_file=PRIMARY_CNF, extra_args=ALONE))

    def on_restored(self, name: str, datadir: Path) -> MariaDBServer:
        server = MariaDBServer(name, 1, self.base / name, ALONE, defaults_file=PRIMARY_CNF)
        server.root.mkdir(parents=True)
        datadir.replace(server.datadir)
        return self._start(server)

    def _start(self, server: MariaDBServer) -> MariaDBServer:
        self.started.append(server)
        server.start()
        return server

    def close(self) -> None:
        for server in self.started:
            server.kill()
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture
def servers() -> Iterator[Servers]:
    made = Servers()
    try:
        yield made
    finally:
        made.close()


class Operator:
    """`python app.py backup ...` as the operator types it, against one server."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], base: Path
    ) -> None:
        self._monkeypatch = monkeypatch
        self._capsys = capsys
        monkeypatch.setenv("VAR_DIR", str(base / "var"))  # the generated backup key lives here

    def point_at(self, server: MariaDBServer, backup_dir: Path) -> None:
        self._monkeypatch.setenv("DATABASE_URL", server.url())
        self._monkeypatch.setenv("BACKUP_DIR", str(backup_dir))

    def report(self, line: str) -> None:
        with self._capsys.disabled():  # past the capture `backup` reads, into pytest's -s output
            print(line)

    def backup(self, *args: str) -> str:
        self._capsys.readouterr()
        code = cli.main(["backup", *args])
        out = self._capsys.readouterr()
        assert code == 0, f"backup {' '.join(args)} exited {code}:\n{out.out}\n{out.err}"
        return out.out


def _ledger(server: MariaDBServer) -> tuple[Database, DatabaseLedgerService]:
    db = Database(server.url())
    return db, DatabaseLedgerService(db)


def _keep_writing(server: MariaDBServer, pool_id: int, count: int, start: int) -> None:
    db, ledger = _ledger(server)
    try:
        with db.primary.connect() as conn:
            currency = conn.execute(
                text("SELECT currency FROM ledger_chain_heads WHERE pool_id = :p"), {"p": pool_id}
            ).scalar_one()
        for i in range(start, start + count):
            amount = Decimal("1000.00") + i
            lines = (
                DraftLine(AccountCode.CASH, None, amount),
                DraftLine(AccountCode.CAPITAL, 1, -amount),
            )
            draft = EntryDraft(
                pool_id, currency, EntryType.CONTRIBUTION, date(2026, 10, 1), f"drill {i}", lines
            )
            write_draft(ledger, OPERATOR, draft, f"drill-{pool_id}-{i}")
    finally:
        db.dispose()


def _books(server: MariaDBServer) -> dict[str, Any]:
    """What must survive: verify's verdict, each pool's balances and chain head, every table."""
    db, ledger = _ledger(server)
    try:
        report = ledger.verify()
        assert report.ok, report.describe()
        with db.primary.connect() as conn:
            heads = {
                int(r.pool_id): (int(r.last_seq), str(r.last_hash))
                for r in conn.execute(text("SELECT pool_id, last_seq, last_hash FROM ledger_chain_heads"))
            }
            # Every table but verify's record of its own runs: the verify just above adds a
            # row there on each reading, so the restored server's reading differs by one.
            tables = [
                r[0]
                for r in conn.execute(text("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'"))
                if r[0] != "ledger_verify_runs"
            ]
            checksums = {
                str(r[0]): r[1]
                for r in conn.execute(text(f"CHECKSUM TABLE {', '.join(f'`{t}`' for t in tables)}"))
            }
        balances = {pool: ledger.balances(pool) for pool in heads}
        return {"heads": heads, "balances": balances, "checksums": checksums, "entries": report.entries}
    finally:
        db.dispose()


def _gtid(server: MariaDBServer) -> str:
    return str(server.query("SELECT @@gtid_binlog_pos AS pos")[0]["pos"])


def _drop_table(server: MariaDBServer, table: str) -> None:
    """The mistake: a DBA drops a table the others reference, checks off."""
    conn = server.connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SET SESSION foreign_key_checks = 0")
            cursor.execute(f"DROP TABLE `{DATABASE}`.`{table}`")
    finally:
        conn.close()


def test_restore_drill_dropped_table_then_lost_datadir(
    servers: Servers, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    drill_dir = servers.base
    operator = Operator(monkeypatch, capsys, drill_dir)
    primary = servers.fresh("primary")
    primary.query(f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    upgrade(primary.url())
    container = Container(load_settings(DATABASE_URL=primary.url(), VAR_DIR=str(drill_dir / "var")))
    seed(container, BOOKS, seed=3, workers=2)
    container.db.dispose()
    pools = sorted(_books(primary)["heads"])
    assert len(pools) == 3

    # -- backups while the books keep moving ----------------------------------------
    first_archive = drill_dir / "archive-1"
    operator.point_at(primary, first_archive)
    assert "consistent at GTID" in operator.backup("run")
    _keep_writing(primary, pools[0], 20, 0)
    operator.backup("run", "--incremental")
    _keep_writing(primary, pools[1], 20, 100)
    operator.backup("binlogs")
    listed = operator.backup("list")
    assert "full" in listed and "incremental on" in listed
    assert "is restorable: 2 backup(s)" in operator.backup("verify")
    figures = (first_archive / "metrics" / "backup.prom").read_text()  # for node_exporter
    for series in (
        'backup_last_success_timestamp_seconds{kind="full"}',
        'backup_last_success_timestamp_seconds{kind="incremental"}',
        "backup_binlog_last_archived_timestamp_seconds ",
        "backup_last_verified_timestamp_seconds ",
    ):
        assert series in figures, figures
    _keep_writing(primary, pools[2], 15, 200)

    # -- disaster 1: a table dropped by mistake -------------------------------------
    before_drop = _books(primary)
    gtid_before_drop = _gtid(primary)
    _drop_table(primary, "ledger_postings")
    operator.backup("binlogs")
    drops = [
        line
        for line in operator.backup("timeline").splitlines()
        if "DROP TABLE `pools`.`ledger_postings`" in line
    ]
    assert len(drops) == 1, drops
    disaster_gtid = drops[0].split("\t")[0]

    began = time.monotonic()
    restored_dir = drill_dir / "restored-1"
    out = operator.backup("restore", "--target-datadir", str(restored_dir), "--before-gtid", disaster_gtid)
    recovered = servers.on_restored("recovered-1", restored_dir)
    recovery_seconds = time.monotonic() - began
    restored = out.splitlines()[0]
    operator.report(f"\ndrill 1 (dropped table): {restored}; serving after {recovery_seconds:.1f} s")
    primary.kill()

    assert _gtid(recovered) == gtid_before_drop, "the recovery point is the last transaction before the DROP"
    assert _books(recovered) == before_drop

    # -- the recovered server is the primary now: a new backup history --------------
    second_archive = drill_dir / "archive-2"
    operator.point_at(recovered, second_archive)
    operator.backup("run")
    _keep_writing(recovered, pools[0], 25, 300)
    # Read before the last archiving pass: the reading's verify records its run, a
    # transaction the archive must hold too.
    before_loss = _books(recovered)
    gtid_before_loss = _gtid(recovered)
    operator.backup("binlogs")

    # -- disaster 2: the data directory is lost -------------------------------------
    recovered.kill()
    shutil.rmtree(recovered.datadir)
    began = time.monotonic()
    restored_dir = drill_dir / "restored-2"
    out = operator.backup("restore", "--target-datadir", str(restored_dir))
    rebuilt = servers.on_restored("recovered-2", restored_dir)
    recovery_seconds = time.monotonic() - began
    restored = out.splitlines()[0]
    operator.report(f"drill 2 (lost data directory): {restored}; serving after {recovery_seconds:.1f} s")
    assert _gtid(rebuilt) == gtid_before_loss, "no committed transaction is lost"
    assert _books(rebuilt) == before_loss
    assert before_loss["entries"] > before_drop["entries"]


def test_the_archiver_follows_the_log_as_it_grows_and_stops_on_sigterm(servers: Servers) -> None:
    """`backup binlogs --follow` as the long-running process it is: each new commit reaches
    the archive within a few intervals, its figures for node_exporter are refreshed as it
    goes, and SIGTERM ends it cleanly."""
    primary = servers.fresh("primary")
    primary.query(f"CREATE DATABASE `{DATABASE}`")
    primary.query(f"CREATE TABLE `{DATABASE}`.marks (id INT PRIMARY KEY)")
    archive = servers.base / "archive"
    # The key before the archiver starts: it reads the one made here.
    keys = SealingKeys(*parse_key_ring(load_or_create_backup_keys(servers.base / "var")))
    catalog = Catalog(archive)
    env = {
        **os.environ,
        "DATABASE_URL": primary.url(),
        "BACKUP_DIR": str(archive),
        "VAR_DIR": str(servers.base / "var"),
    }
    follower = subprocess.Popen(
        [sys.executable, "app.py", "backup", "binlogs", "--follow", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def archived_up_to(gtid: str) -> bool:
        try:
            timeline = archived_timeline(catalog, keys)
        except (BackupToolError, CatalogError, OSError, ValueError):
            return False  # a copy being written: read it on the next pass
        return bool(timeline) and timeline[-1].gtid == gtid

    try:
        for mark in range(3):
            primary.query(f"INSERT INTO `{DATABASE}`.marks VALUES ({mark})")
            _until(f"mark {mark} archived", lambda: archived_up_to(_gtid(primary)), follower)
        figures = (archive / "metrics" / "backup.prom").read_text()
        assert "backup_binlog_last_archived_timestamp_seconds " in figures
    finally:
        follower.send_signal(signal.SIGTERM)
        out, _ = follower.communicate(timeout=30)
    assert follower.returncode == 0, out
    assert "archived mariadb-bin.000001" in out


def _until(what: str, condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert process.poll() is None, f"the archiver exited: {process.communicate()[0]}"
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.1)
