"""Benchmark: streamed CSV and XLSX exports of N rows (default 1,000,000). A script, not a
test; it prints rows/s and the peak resident memory of each run.

Each format runs in a child process of its own so that its peak RSS is its own. Rows have
the shape of the transactions export (integers, dates, exact decimals, text), made on the
fly so that only the writer's memory is measured.

    python bench/exports.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reports.datasets import TRANSACTION_COLUMNS
from reports.interface import Sheet, csv_stream, xlsx_stream

START = date(2020, 1, 1)
STAMP = datetime(2025, 1, 1, 12, 0, 0)


def rows(count: int) -> Iterator[Sequence[Any]]:
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


def run(fmt: str, count: int, out: Path, queue: Any) -> None:
    started = time.perf_counter()
    writer = (
        csv_stream(TRANSACTION_COLUMNS, rows(count))
        if fmt == "csv"
        else xlsx_stream([Sheet("transactions", TRANSACTION_COLUMNS, rows(count))])
    )
    size = 0
    with out.open("wb") as sink:
        for chunk in writer:
            sink.write(chunk)
            size += len(chunk)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((fmt, seconds, size, peak_mib))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    queue: Any = multiprocessing.Queue()
    for fmt in ("csv", "xlsx"):
        child = multiprocessing.Process(
            target=run, args=(fmt, args.rows, args.out / f"bench-export.{fmt}", queue)
        )
        child.start()
        child.join()
        name, seconds, size, peak = queue.get()
        print(
            f"{name:4}: {args.rows:,} rows in {seconds:6.1f}s = {args.rows / seconds:9,.0f} rows/s, "
            f"{size / 2**20:7.1f} MiB written, peak RSS {peak:6.1f} MiB"
        )


if __name__ == "__main__":
    main()
