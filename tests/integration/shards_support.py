"""Two shard databases for the shard-by-pool simulation (no tests here): private mariadbd
processes on free loopback ports, with disjoint auto-increment ids, each migrated with the
full schema, and the global keyspace (the directory, pools, investors, users) as a database
of its own on shard a's server. Everything is killed and removed when the block ends."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from backend.platform.actors import Actor
from backend.platform.db import Database
from ledger.interface import AccountCode, EntryType
from ledger.journal import DraftLine, EntryDraft
from ledger.service import DatabaseLedgerService
from ledger.shards import ShardDirectory
from sql.migrate import upgrade
from tests.integration.replication import DATABASE, MariaDBServer, installed_server
from tests.ledger_entries import write_draft

OPERATOR = Actor.operator("shard-simulation")
SHARDS = ("a", "b")
GLOBAL = "global_keyspace"


@dataclass
class Cluster:
    servers: dict[str, MariaDBServer]
    databases: dict[str, Database]
    directory: ShardDirectory

    def url(self, name: str) -> str:
        """A shard's URL, or the global keyspace's (on shard a's server)."""
        return self.servers["a"].url(GLOBAL) if name == "global" else self.servers[name].url()

    def migrated_database(self, name: str) -> Database:
        """Another fully migrated database on shard a's server (same auto-increment steps)."""
        self.servers["a"].query(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        upgrade(self.servers["a"].url(name))
        self.databases[name] = Database(self.servers["a"].url(name))
        return self.databases[name]

    def ledger(self, pool_id: int, *, writing: bool) -> DatabaseLedgerService:
        """The real ledger service over the pool's shard, as the directory routes it."""
        directory = self.directory
        return DatabaseLedgerService(directory.for_write(pool_id) if writing else directory.for_read(pool_id))

    def contribute(self, pool_id: int, amount: Decimal, key: str, *, on: str | None = None) -> int:
        """Post a contribution through the directory (or straight to shard `on`, as a writer
        that read the directory earlier would); the entry's seq."""
        ledger = DatabaseLedgerService(self.databases[on]) if on else self.ledger(pool_id, writing=True)
        lines = (DraftLine(AccountCode.CASH, None, amount), DraftLine(AccountCode.CAPITAL, 1, -amount))
        draft = EntryDraft(pool_id, "USD", EntryType.CONTRIBUTION, date(2026, 10, 1), key, lines)
        return write_draft(ledger, OPERATOR, draft, key).seq

    def pool_rows(self, shard: str, pool_id: int) -> dict[str, int]:
        """Every table of the live schema with a pool_id column, and the pool's rows in it."""
        with self.databases[shard].primary.connect() as conn:
            tables = [
                str(r[0])
                for r in conn.execute(
                    text(
                        "SELECT table_name FROM information_schema.columns "
                        "WHERE table_schema = DATABASE() AND column_name = 'pool_id' "
                        "AND table_name LIKE 'ledger%'"
                    )
                )
            ]
            count = "SELECT COUNT(*) FROM {} WHERE pool_id = :p"
            return {t: int(conn.execute(text(count.format(t)), {"p": pool_id}).scalar_one()) for t in tables}

    def left_behind(self, shard: str, pool_id: int) -> dict[str, int]:
        """The pool's rows on a shard besides its chain head (after a move: none)."""
        return {t: n for t, n in self.pool_rows(shard, pool_id).items() if n and t != "ledger_chain_heads"}

    def head(self, shard: str, pool_id: int) -> tuple[int, str | None] | None:
        """The pool's chain head on a shard: (last_seq, moving_to), None when it has none."""
        with self.databases[shard].primary.connect() as conn:
            row = conn.execute(
                text("SELECT last_seq, moving_to FROM ledger_chain_heads WHERE pool_id = :p"), {"p": pool_id}
            ).first()
        return None if row is None else (int(row[0]), row[1])

    def entry_on(self, shard: str, pool_id: int, memo: str) -> bool:
        """Whether the pool's entry with this memo (contribute's key) is on the shard."""
        with self.databases[shard].primary.connect() as conn:
            found = conn.execute(
                text("SELECT COUNT(*) FROM ledger_journal_entries WHERE pool_id = :p AND memo = :m"),
                {"p": pool_id, "m": memo},
            ).scalar_one()
        return bool(found)

    def key_on(self, shard: str, key: str) -> bool:
        """Whether the shard holds this Idempotency-Key, completed or still claimed."""
        with self.databases[shard].primary.connect() as conn:
            found = conn.execute(
                text("SELECT COUNT(*) FROM ledger_idempotency_keys WHERE idempotency_key = :k"), {"k": key}
            ).scalar_one()
        return bool(found)


@contextlib.contextmanager
def shard_cluster() -> Iterator[Cluster]:
    # A short directory of our own: unix socket paths are capped at 107 bytes.
    base = Path(tempfile.mkdtemp(prefix="pools-shards-"))
    servers: dict[str, MariaDBServer] = {}
    databases: dict[str, Database] = {}
    try:
        for offset, name in enumerate(SHARDS, start=1):
            # Disjoint ids across shards, so a pool's rows keep their ids when they move.
            extra = (f"--auto-increment-increment={len(SHARDS)}", f"--auto-increment-offset={offset}")
            server = installed_server(base, name, offset, extra_args=extra)
            servers[name] = server
            server.start()
            server.query(f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
            upgrade(server.url())
            databases[name] = Database(server.url())
        # The global keyspace: a database of its own, here on shard a's server.
        servers["a"].query(f"CREATE DATABASE `{GLOBAL}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        upgrade(servers["a"].url(GLOBAL))
        databases["global"] = Database(servers["a"].url(GLOBAL))
        yield Cluster(
            servers, databases, ShardDirectory(databases["global"], {n: databases[n] for n in SHARDS})
        )
    finally:
        for db in databases.values():
            db.dispose()
        for server in servers.values():
            server.kill()
        shutil.rmtree(base, ignore_errors=True)
