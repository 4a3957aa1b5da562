"""8 threads posting into one pool and the same investors at once, on real MariaDB, with
same-key retries racing each other: no lost update, no duplicate, no deadlock surfaced."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import ValidationFailed
from ledger.interface import EntryOut, IdempotencyKeyInFlight
from ledger.service import DatabaseLedgerService
from sql.migrate import upgrade
from tests.conftest import mariadb_database_url
from tests.ledger_entries import PostEntryRequest, post_entry

OPERATOR = Actor.operator("concurrency-test")
POOL = 9
THREADS = 8
OPS_PER_THREAD = 12
INVESTORS = (1, 2, 3)


@pytest.fixture
def db() -> Iterator[Database]:
    url = mariadb_database_url("concurrency")
    upgrade(url)
    database = Database(url)
    yield database
    database.dispose()


def _request(op: int, investor: int) -> PostEntryRequest:
    """Every third operation redeems (it may be refused for lack of units); the rest subscribe."""
    if op % 3 == 2:
        cash, units, kind = "-7.00", "-2.500000", "redemption"
    else:
        cash, units, kind = f"{10 + op}.00", f"{1 + op / 10:.6f}", "subscription"
    neg = (lambda v: v[1:]) if cash.startswith("-") else (lambda v: f"-{v}")
    return PostEntryRequest.model_validate(
        {
            "pool_id": POOL,
            "currency": "USD",
            "entry_type": kind,
            "effective_date": date(2026, 4, 1),
            "postings": [
                {"account": "cash", "amount": cash},
                {"account": "capital", "investor_id": investor, "amount": neg(cash)},
                {"account": "units", "investor_id": investor, "amount": units},
                {"account": "units_outstanding", "amount": neg(units)},
            ],
        }
    )


def test_concurrent_posting_keeps_the_books_exact(db: Database) -> None:
    ledger = DatabaseLedgerService(db)
    barrier = threading.Barrier(THREADS)
    results: dict[str, set[int]] = defaultdict(set)
    refused: set[str] = set()
    in_flight_retries = [0]
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(thread: int) -> None:
        try:
            barrier.wait()  # every thread's first post races to open the pool's books
            for op in range(OPS_PER_THREAD):
                # Threads t and t+4 send the same request under the same key: one is a retry.
                pair = thread % 4
                investor = INVESTORS[(pair + op) % len(INVESTORS)]
                key = f"op-{pair}-{op}"
                request = _request(op, investor)
                for _ in range(200):
                    try:
                        out: EntryOut = post_entry(ledger, OPERATOR, request, key)
                    except IdempotencyKeyInFlight:
                        with lock:
                            in_flight_retries[0] += 1
                        time.sleep(0.005)  # the twin is writing it: retry, as a client would
                        continue
                    except ValidationFailed as exc:
                        assert exc.field == "units", exc.detail
                        with lock:
                            refused.add(key)
                        break
                    with lock:
                        results[key].add(out.id)
                    break
                else:
                    raise AssertionError(f"{key} stayed in flight")
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    # Every key ended in an entry or a clear refusal (a redemption beyond the units held).
    assert set(results) | refused == {f"op-{pair}-{op}" for pair in range(4) for op in range(OPS_PER_THREAD)}
    assert all(key.endswith(tuple(f"-{op}" for op in range(2, OPS_PER_THREAD, 3))) for key in refused)

    # No duplicate: each key produced exactly one entry, whoever of the twins got it.
    assert all(len(ids) == 1 for ids in results.values()), results
    entry_ids = {next(iter(ids)) for ids in results.values()}
    assert len(entry_ids) == len(results) >= 4 * OPS_PER_THREAD * 2 // 3
    with db.primary.connect() as conn:
        count = conn.execute(text("SELECT COUNT(*), MAX(seq) FROM ledger_journal_entries")).one()
        sums: dict[str, int] = dict(
            conn.execute(
                text(
                    "SELECT a.account_key, SUM(p.amount) FROM ledger_postings p "
                    "JOIN ledger_accounts a ON a.id = p.account_id GROUP BY a.account_key"
                )
            ).all()
        )
    assert (count[0], count[1]) == (len(entry_ids), len(entry_ids))  # gap-free seq
    # No lost update: each balance equals its postings and the expected total of the entries.
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for key in results:
        pair, op = (int(x) for x in key.split("-")[1:])
        request = _request(op, INVESTORS[(pair + op) % len(INVESTORS)])
        for posting in request.postings:
            code = posting.account.value
            expected[code if posting.investor_id is None else f"{code}/{posting.investor_id}"] += (
                posting.amount
            )
    balances = ledger.balances(POOL)
    assert balances == dict(expected)
    assert {k: Decimal(int(v)) / 10**6 for k, v in sums.items()} == balances
    assert all(balances[f"units/{i}"] >= 0 for i in INVESTORS if f"units/{i}" in balances)
    report = ledger.verify()
    assert report.ok and report.entries == len(entry_ids), report.describe()
