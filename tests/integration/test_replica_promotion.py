"""Losing the primary under load: promote the replica, point the app at it, lose nothing.

A primary and a replica run with deploy/mariadb/primary.cnf and replica.cnf (semi-synchronous,
lossless replication). Four writers post entries with Idempotency-Keys and an outbox relay
publishes their events while the primary is stopped part-way (after a set number of
acknowledged entries, so the test does not depend on timing). Then `app.py backup promote`,
and the writers and the relay carry on against the replica, as DATABASE_URL would point them:

- every entry a writer was told was booked is on the new primary, under the same id;
- a write cut off by the stop is retried with its key and booked exactly once;
- every committed event is published; one published twice can only be from the relay's
  batch in flight at the stop (at-least-once; consumers dedupe on the event id);
- `ledger verify` passes on the new primary.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

import app as cli
from backend.platform.actors import Actor
from backend.platform.db import Database
from ledger.events import LedgerEvent
from ledger.interface import AccountCode, EntryType
from ledger.journal import DraftLine, EntryDraft
from ledger.outbox import DatabaseOutboxRelay
from ledger.service import DatabaseLedgerService
from sql.migrate import upgrade
from tests.integration.replication import DATABASE, MariaDBServer, installed_server
from tests.ledger_entries import write_draft

pytestmark = [pytest.mark.replication, pytest.mark.xdist_group("replication")]

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "mariadb"
OPERATOR = Actor.operator("promotion-test")
POOL = 1
WRITERS = 4
ENTRIES_PER_WRITER = 60
STOP_AFTER = 90  # acknowledged entries before the primary goes
RELAY_BATCH = 10


@pytest.fixture
def servers() -> Iterator[tuple[MariaDBServer, MariaDBServer]]:
    base = Path(tempfile.mkdtemp(prefix="pools-promo-"))  # short: socket paths are capped
    primary = installed_server(base, "primary", 1, defaults_file=DEPLOY / "primary.cnf")
    replica = installed_server(base, "replica", 2, defaults_file=DEPLOY / "replica.cnf")
    try:
        primary.start()
        replica.start()
        password = secrets.token_urlsafe(18)
        primary.query("CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY %s", (password,))
        primary.query("GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'")
        replica.query(
            "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%s, MASTER_USER='repl', "
            "MASTER_PASSWORD=%s, MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
            (primary.port, password),
        )
        replica.query("START SLAVE")
        _wait(lambda: _semi_sync_on(primary), "the primary never saw a semi-synchronous replica")
        yield primary, replica
    finally:
        replica.kill()
        primary.kill()
        shutil.rmtree(base, ignore_errors=True)


def _wait(condition: object, failure: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, failure
        time.sleep(0.05)


def _semi_sync_on(primary: MariaDBServer) -> bool:
    rows = primary.query("SHOW STATUS LIKE 'Rpl_semi_sync_master_status'")
    return bool(rows) and rows[0]["Value"] == "ON"


class Recorder:
    """A publisher that remembers every event it was handed, as a broker would receive them."""

    def __init__(self) -> None:
        self.published: list[str] = []
        self._lock = threading.Lock()

    def publish(self, event: LedgerEvent) -> None:
        with self._lock:
            self.published.append(event.event_id)

    def idle(self) -> None:
        pass

    def close(self) -> None:
        pass


def _draft(currency: str, key: str, n: int) -> EntryDraft:
    amount = Decimal("100.00") + n
    lines = (DraftLine(AccountCode.CASH, None, amount), DraftLine(AccountCode.CAPITAL, 1 + n % 3, -amount))
    return EntryDraft(POOL, currency, EntryType.CONTRIBUTION, date(2026, 11, 2), f"promotion {key}", lines)


def test_promoting_the_replica_loses_no_booked_entry_and_no_event(
    servers: tuple[MariaDBServer, MariaDBServer], capsys: pytest.CaptureFixture[str]
) -> None:
    primary, replica = servers
    primary.query(f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    upgrade(primary.url())
    old_db = Database(primary.url())
    old_ledger = DatabaseLedgerService(old_db)
    opening = write_draft(old_ledger, OPERATOR, _draft("EUR", "opening", 0), "opening")  # opens the books

    acknowledged: dict[str, int] = {"opening": opening.id}
    cut_off: list[tuple[str, int]] = []
    lock = threading.Lock()
    primary_gone = threading.Event()

    def writer(w: int) -> None:
        for n in range(ENTRIES_PER_WRITER):
            key = f"w{w}-{n}"
            try:
                entry = write_draft(old_ledger, OPERATOR, _draft("EUR", key, n), key)
            except (SQLAlchemyError, OSError):
                with lock:
                    cut_off.append((key, n))
                return
            with lock:
                acknowledged[key] = entry.id
                if len(acknowledged) - 1 == STOP_AFTER:
                    primary_gone.set()

    recorder = Recorder()
    relay_stop = threading.Event()
    old_relay = DatabaseOutboxRelay(old_db, recorder, batch_size=RELAY_BATCH)

    def relay() -> None:
        while not relay_stop.is_set():
            try:
                old_relay.run_once()
            except (SQLAlchemyError, OSError):
                return

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    relay_thread = threading.Thread(target=relay)
    for thread in [*threads, relay_thread]:
        thread.start()
    assert primary_gone.wait(120), "the writers never reached the stop"
    primary.stop()  # SIGTERM: the primary shuts down under the load
    for thread in threads:
        thread.join(60)
    relay_stop.set()
    relay_thread.join(60)
    old_db.dispose()
    assert len(acknowledged) - 1 >= STOP_AFTER
    published_before = len(recorder.published)

    capsys.readouterr()
    assert cli.main(["backup", "promote", "--replica-url", replica.url()]) == 0
    print(capsys.readouterr().out.strip())

    # DATABASE_URL now names the promoted replica.
    new_db = Database(replica.url())
    # A key claimed just before the stop names its owner's process lock, held on the old
    # primary: the new one has never seen it, so the claim is taken over at once, not after
    # in_flight_timeout, and the client's first retry is booked (no 409 "retry later").
    new_ledger = DatabaseLedgerService(new_db)
    try:
        for key, n in cut_off:  # the client retries what it got no answer for, with its key
            acknowledged[key] = write_draft(new_ledger, OPERATOR, _draft("EUR", key, n), key).id
        more = [
            write_draft(new_ledger, OPERATOR, _draft("EUR", f"after-{n}", n), f"after-{n}") for n in range(5)
        ]
        DatabaseOutboxRelay(new_db, recorder, batch_size=RELAY_BATCH).drain()

        with new_db.primary.connect() as conn:
            booked = {
                str(row.memo).removeprefix("promotion "): int(row.id)
                for row in conn.execute(
                    text("SELECT id, memo FROM ledger_journal_entries WHERE pool_id = :p"), {"p": POOL}
                )
            }
            events = {str(r[0]) for r in conn.execute(text("SELECT event_id FROM ledger_outbox"))}
        report = new_ledger.verify()
    finally:
        new_db.dispose()

    assert report.ok, report.describe()
    for key, entry_id in acknowledged.items():
        assert booked.get(key) == entry_id, (
            f"{key}: acknowledged as entry {entry_id}, booked {booked.get(key)}"
        )
    assert len(booked) == len(acknowledged) + len(more), "a retried write was booked twice"
    assert set(recorder.published) == events, "a committed event was never published"
    twice = [event for event, times in Counter(recorder.published).items() if times > 1]
    assert len(twice) <= RELAY_BATCH, f"{len(twice)} events published twice: more than the batch in flight"
    print(
        f"promotion under load: {len(acknowledged) - 1 - len(cut_off)} entries acknowledged before the stop, "
        f"{len(cut_off)} cut off and retried, all on the new primary; {published_before} events "
        f"published before, {len(events)} in all, {len(twice)} twice (the batch in flight)"
    )
