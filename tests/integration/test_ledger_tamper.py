"""Tampering as a DBA could: drop the append-only trigger, rewrite a row, and `ledger verify`
must name the entry. Private databases with real commits: dropping a trigger is DDL, which
MariaDB commits implicitly, so it cannot run inside the shared savepoint fixture."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

import app as cli
from backend.platform.actors import Actor
from backend.platform.db import Database
from ledger.interface import AccountCode, EntryOut, EntryType
from ledger.journal import DraftLine, EntryDraft
from ledger.service import DatabaseLedgerService
from sql.migrate import upgrade
from tests.conftest import mariadb_database_url
from tests.ledger_entries import write_draft

OPERATOR = Actor.operator("tamper-test")
POOL = 5


@pytest.fixture(params=["sqlite", "mariadb"])
def books(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, DatabaseLedgerService, list[EntryOut]]]:
    url = (
        f"sqlite:///{tmp_path / 'tamper.sqlite3'}"
        if request.param == "sqlite"
        else mariadb_database_url("tamper")
    )
    upgrade(url)
    db = Database(url)
    ledger = DatabaseLedgerService(db)
    entries = []
    for i, amount in enumerate(["100.00", "250.50", "75.25"]):
        lines = (
            DraftLine(AccountCode.CASH, None, Decimal(amount)),
            DraftLine(AccountCode.CAPITAL, 3, -Decimal(amount)),
        )
        draft = EntryDraft(POOL, "USD", EntryType.CONTRIBUTION, date(2026, 1, i + 1), f"c{i}", lines)
        entries.append(write_draft(ledger, OPERATOR, draft, f"c{i}"))
    assert ledger.verify().ok
    yield url, ledger, entries
    db.dispose()


def _as_dba(ledger: DatabaseLedgerService, *statements: str) -> None:
    db = ledger._db  # the test plays the DBA, beside the service
    with db.primary.begin() as conn:
        for sql in statements:
            conn.execute(text(sql))


def _drop(table: str, action: str) -> str:
    return f"DROP TRIGGER {table}_no_{action}"


def test_changed_posting_amount_is_named(
    books: tuple[str, DatabaseLedgerService, list[EntryOut]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    url, ledger, entries = books
    victim = entries[1]
    cash_account = victim.postings[0].account_id
    _as_dba(
        ledger,
        _drop("ledger_postings", "update"),
        f"UPDATE ledger_postings SET amount = amount + 10000 WHERE entry_id = {victim.id} "
        f"AND account_id = {cash_account}",
    )
    report = ledger.verify()
    assert not report.ok and report.first_break is not None
    first = report.first_break
    assert (first.pool_id, first.seq, first.entry_id) == (POOL, 2, victim.id)
    # The entry no longer balances and its hash no longer matches; the cash balance is off.
    assert report.breaks == 3
    assert ledger.verify(POOL + 1).ok  # another pool is untouched

    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    assert cli.main(["ledger", "verify", "--pool", str(POOL)]) == 1
    out = capsys.readouterr().out
    assert f"pool {POOL} seq 2 entry {victim.id}" in out and "BROKEN (3 problems)" in out


def test_rewritten_hash_is_named(books: tuple[str, DatabaseLedgerService, list[EntryOut]]) -> None:
    _url, ledger, entries = books
    victim = entries[0]
    _as_dba(
        ledger,
        _drop("ledger_journal_entries", "update"),
        f"UPDATE ledger_journal_entries SET hash = '{'f' * 64}' WHERE id = {victim.id}",
    )
    report = ledger.verify(POOL)
    assert report.first_break is not None
    assert (report.first_break.entry_id, report.first_break.problem) == (victim.id, "hash mismatch")
    # The next entry's prev_hash no longer matches either, and the head no longer ends the chain.
    assert report.breaks == 2


def test_memo_rewritten_consistently_is_still_caught_by_the_chain(
    books: tuple[str, DatabaseLedgerService, list[EntryOut]],
) -> None:
    _url, ledger, entries = books
    _as_dba(
        ledger,
        _drop("ledger_journal_entries", "update"),
        f"UPDATE ledger_journal_entries SET memo = 'nothing to see' WHERE id = {entries[2].id}",
    )
    report = ledger.verify()
    assert report.first_break is not None and report.first_break.entry_id == entries[2].id


def test_deleted_last_entry_is_caught_by_the_chain_head(
    books: tuple[str, DatabaseLedgerService, list[EntryOut]],
) -> None:
    _url, ledger, entries = books
    _as_dba(
        ledger,
        _drop("ledger_postings", "delete"),
        _drop("ledger_journal_entries", "delete"),
        f"DELETE FROM ledger_postings WHERE entry_id = {entries[2].id}",
        f"DELETE FROM ledger_journal_entries WHERE id = {entries[2].id}",
    )
    report = ledger.verify()
    assert not report.ok
    problems = report.describe()
    assert "balance differs from postings" in problems and report.breaks == 3  # cash, capital/3, head


def test_verify_ok_exits_zero(
    books: tuple[str, DatabaseLedgerService, list[EntryOut]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    url, _ledger, _entries = books
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    assert cli.main(["ledger", "verify"]) == 0
    assert "ok: 1 pools, 3 entries, 6 postings" in capsys.readouterr().out
