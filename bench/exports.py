"""Benchmark: the transactions export, CSV and XLSX, of N rows (default 1,000,000), beside
the floor: the time to read the same rows from the database. A script, not a test; it
prints rows/s and the peak resident memory of each run.

1. From the database (MariaDB): one open-ended pool's books are seeded through the batch
   path (subscriptions, a purchase, then daily valuations and expenses allocated to every
   investor) until the journal has at least N postings. Then, each in a child process of
   its own so that its peak RSS is its own:
   - floor, rows: the same N rows (entry, account and posting columns, in journal order)
     read with the bare driver (PyMySQL, unbuffered cursor), a row per posting, nothing else
     done with them;
   - floor, folded: the statements the export itself runs (a page of entries, each entry's
     postings folded into one column by the database), read by the bare driver and not
     parsed: the database's and the driver's share of the export. The ratios are printed
     against this one, the faster of the two;
   - csv / xlsx: what GET /exports/transactions.csv|xlsx does for the pool's manager:
     reports.datasets.transaction_rows (authorised, read page by page) into the writer,
     the file written to disk.
2. The writers alone, on made-up rows of the same shape (only the writer's time and memory).

    python bench/exports.py [--rows 1000000] [--investors 250] [--writers-only] [--keep]

The database is DATABASE_URL or mysql+pymysql://root@127.0.0.1:3306/pools_bench_exports,
created (dropped first) and migrated by the script, dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pymysql  # noqa: E402
import pymysql.cursors  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from backend.platform.actors import Actor, Role  # noqa: E402
from bench.books import (  # noqa: E402
    OPERATOR,
    approved_investors,
    bench_container,
    bench_manager,
    cheap_passwords,
    open_pool_body,
    pool_history,
)
from bench.databases import drop_database, fresh_database  # noqa: E402
from reports.datasets import TRANSACTION_COLUMNS, transaction_rows  # noqa: E402
from reports.interface import Sheet, csv_stream, xlsx_stream  # noqa: E402

DEFAULT_URL = "mysql+pymysql://root@127.0.0.1:3306/pools_bench_exports?charset=utf8mb4"
START = date(2020, 1, 1)
STAMP = datetime(2025, 1, 1, 12, 0, 0)

# The export's rows as the bare driver reads them: the floor.
_FLOOR = """
SELECT e.id, e.seq, e.entry_type, e.effective_date, a.code, a.investor_id, a.commodity, p.amount,
       e.memo, e.reverses_entry_id, e.created_by, e.created_at, e.hash
FROM ledger_journal_entries e
JOIN ledger_postings p ON p.entry_id = e.id
JOIN ledger_accounts a ON a.id = p.account_id
WHERE e.pool_id = %s
ORDER BY e.seq, p.id
LIMIT %s
"""


# What the export reads: a page of entries, each with its postings folded by the database.
_FOLDED = """
SELECT e.id, e.seq, e.entry_type, e.effective_date, e.memo, e.reverses_entry_id, e.created_by,
       e.created_at, e.hash,
       (SELECT GROUP_CONCAT(p.id, ':', p.account_id, ':', p.amount) FROM ledger_postings p
        WHERE p.entry_id = e.id)
FROM ledger_journal_entries e
WHERE e.pool_id = %s AND e.seq > %s
ORDER BY e.seq
LIMIT 1000
"""


def made_up_rows(count: int) -> Iterator[Sequence[Any]]:
    for i in range(count):
        yield (
            i // 4 + 1,
            i // 4 + 1,
            "valuation",
            START + timedelta(days=i % 2000),
            "capital",
            i % 250 + 1,
            "USD",
            Decimal(i % 100_000) / 100,
            "=not a formula" if i % 1000 == 0 else "weekly mark",
            None,
            "operator:bench",
            STAMP,
            "ab" * 32,
        )


def _write(fmt: str, rows: Iterator[Sequence[Any]], out: Path) -> int:
    chunks = (
        csv_stream(TRANSACTION_COLUMNS, rows)
        if fmt == "csv"
        else xlsx_stream([Sheet("transactions", TRANSACTION_COLUMNS, rows)])
    )
    size = 0
    with out.open("wb") as sink:
        for chunk in chunks:
            sink.write(chunk)
            size += len(chunk)
    return size


_JOBS: dict[str, Callable[..., tuple[int, int]]] = {}


def _status_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak since the last reset) of this process, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _measured(job: str, params: dict[str, Any], queue: Any) -> None:
    # The peak is reset after the imports, so it is the job's peak, not the imports'.
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_mib("VmRSS")
    started = time.perf_counter()
    rows, size = _JOBS[job](**params)
    seconds = time.perf_counter() - started
    queue.put((rows, seconds, size, before, _status_mib("VmHWM")))


def _in_child(name: str, job: str, **params: Any) -> float:
    """Run a job in a fresh child process (spawned, not forked: its peak RSS is its own,
    not the seeding parent's); print its figures. The child imports what an app server
    imports (the container), so its RSS is printed as that baseline plus what the job added."""
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue()
    child = context.Process(target=_measured, args=(job, params, queue))
    child.start()
    rows, seconds, size, before, peak = queue.get()
    child.join()
    written = f"{size / 2**20:6.1f} MiB written" if size else " " * 18
    print(
        f"{name:<18}: {rows:>9,} rows in {seconds:6.2f}s = {rows / seconds:>9,.0f} rows/s, "
        f"{written}, peak RSS {peak:4.0f} MiB ({before:3.0f} MiB before the job)",
        flush=True,
    )
    return float(rows / seconds)


# -- 1. from the database ------------------------------------------------------------------


def _seed(url: str, rows: int, investors: int) -> tuple[int, int, int]:
    """A pool whose journal has at least `rows` postings; its id, its manager, its postings."""
    container = bench_container(url)
    cheap_passwords()
    try:
        manager = bench_manager(container)
        pool = container.pools.create_pool(OPERATOR, open_pool_body("Bench export pool", manager)).id
        holders = approved_investors(container, investors, "export")
        postings = 0
        plan = pool_history(holders, rows, 200, random.Random(20240101))
        for batch in itertools.chain(plan, _more(rows)):
            if postings >= rows:
                break
            postings += container.transactions.record_batch(OPERATOR, pool, batch, str(uuid.uuid4())).postings
        return pool, manager, postings
    finally:
        container.db.dispose()


def _more(rows: int) -> Iterator[list[dict[str, Any]]]:
    """Expenses after the planned history, should its estimate of postings fall short."""
    day = START + timedelta(days=5000)
    for i in range(rows):
        yield [{"type": "expense", "amount": "1.00", "effective_date": day + timedelta(days=i)}]


def _connect(url: str) -> pymysql.Connection[Any]:
    parsed = make_url(url)
    return pymysql.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 3306,
        user=parsed.username or "root",
        password=parsed.password or "",
        database=parsed.database,
        charset="utf8mb4",
        cursorclass=pymysql.cursors.SSCursor,
    )


def _floor(url: str, pool: int, rows: int) -> tuple[int, int]:
    """The rows as rows: one per posting, joined and ordered by the database."""
    conn = _connect(url)
    count = 0
    with conn.cursor() as cursor:
        cursor.execute(_FLOOR, (pool, rows))
        for _ in cursor:
            count += 1
    conn.close()
    return count, 0


def _floor_folded(url: str, pool: int, rows: int) -> tuple[int, int]:
    """The statements the export runs, read and not parsed: the database's and the driver's
    share of the export's time."""
    conn = _connect(url)
    conn.query("SET SESSION group_concat_max_len = 268435456")
    count = after = 0
    while count < rows:
        with conn.cursor() as cursor:
            cursor.execute(_FOLDED, (pool, after))
            page = list(cursor)
        if not page:
            break
        count += sum(folded.count(",") + 1 for *_, folded in page if folded)
        after = page[-1][1]
    conn.close()
    return min(count, rows), 0


def _export(url: str, fmt: str, pool: int, manager: int, *, rows: int, out: Path) -> tuple[int, int]:
    container = bench_container(url)
    actor = Actor(user_id=manager, role=Role.MANAGER, label="manager@bench.test")
    counted = _Counted(itertools.islice(transaction_rows(container.transactions, actor, pool), rows))
    size = _write(fmt, counted.rows(), out)
    container.db.dispose()
    return counted.count, size


class _Counted:
    def __init__(self, source: Iterator[Sequence[Any]]) -> None:
        self.source = source
        self.count = 0

    def rows(self) -> Iterator[Sequence[Any]]:
        for row in self.source:
            self.count += 1
            yield row


def from_database(url: str, args: argparse.Namespace) -> None:
    print(f"database: {make_url(url).render_as_string(hide_password=True)}", flush=True)
    fresh_database(url)
    try:
        started = time.perf_counter()
        pool, manager, postings = _seed(url, args.rows, args.investors)
        print(
            f"seeded            : {postings:,} postings in one pool, {args.investors} investors, "
            f"{time.perf_counter() - started:.1f}s (batch path)",
            flush=True,
        )
        _in_child("floor: rows", "floor", url=url, pool=pool, rows=args.rows)
        floor = _in_child("floor: folded", "folded", url=url, pool=pool, rows=args.rows)
        for fmt in ("csv", "xlsx"):
            out = args.out / f"bench-export-db.{fmt}"
            rate = _in_child(
                f"{fmt} from database",
                "export",
                url=url,
                fmt=fmt,
                pool=pool,
                manager=manager,
                rows=args.rows,
                out=out,
            )
            print(f"{'':18}  {rate / floor:.2f} of the floor", flush=True)
    finally:
        if not args.keep:
            drop_database(url)


# -- 2. the writers alone ------------------------------------------------------------------


def _writer(fmt: str, rows: int, out: Path) -> tuple[int, int]:
    return rows, _write(fmt, made_up_rows(rows), out)


_JOBS.update(floor=_floor, folded=_floor_folded, export=_export, writer=_writer)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--investors", type=int, default=250, help="in the seeded pool")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--writers-only", action="store_true", help="skip the database part")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if not args.writers_only:
        url = os.environ.get("DATABASE_URL") or DEFAULT_URL
        if not url.startswith("mysql"):
            raise SystemExit("the database part runs against MariaDB (DATABASE_URL=mysql+pymysql://...)")
        from_database(url, args)
    for fmt in ("csv", "xlsx"):
        _in_child(
            f"{fmt} writer alone", "writer", fmt=fmt, rows=args.rows, out=args.out / f"bench-export.{fmt}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
