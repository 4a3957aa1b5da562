"""Benchmark: a full performance-snapshot recompute (what the nightly job does), pool by pool.
A script, not a test; it prints seconds per pool and in all.

    python bench/snapshots.py [--scale small] [--database-url URL]

Without --database-url it seeds the scale into a fresh SQLite file first (the seed's own
time is printed apart). With a URL it uses that database as it is (seed it beforehand with
`python app.py seed --scale medium`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.composition.container import Container
from backend.platform.config import load_settings
from backend.seed.loader import seed
from backend.seed.scales import scale_named
from sql.migrate import upgrade


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="small")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 9, 30))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-snapshots-"))
    url = args.database_url or f"sqlite:///{work / 'pools.sqlite3'}"
    upgrade(url)
    container = Container(load_settings(DATABASE_URL=url, VAR_DIR=str(work / "var")))
    if args.database_url is None:
        started = time.perf_counter()
        print(seed(container, scale_named(args.scale)).describe())
        print(f"seeded {args.scale} in {time.perf_counter() - started:.1f}s")
    pool_ids = container.pools.all_pool_ids()
    started = time.perf_counter()
    slowest = (0.0, 0)
    for pool_id in pool_ids:
        t0 = time.perf_counter()
        container.snapshots.refresh_pool(pool_id, args.as_of)
        slowest = max(slowest, (time.perf_counter() - t0, pool_id))
    total = time.perf_counter() - started
    print(
        f"full snapshot recompute: {len(pool_ids)} pools in {total:.1f}s "
        f"({total / max(len(pool_ids), 1):.2f}s per pool; slowest pool {slowest[1]}: {slowest[0]:.2f}s)"
    )
    started = time.perf_counter()
    for pool_id in pool_ids:
        container.snapshots.refresh_pool(pool_id, args.as_of)
    print(f"second pass (nothing changed, each snapshot current): {time.perf_counter() - started:.2f}s")


if __name__ == "__main__":
    main()
