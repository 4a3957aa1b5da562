"""`python app.py shards ...`: the shard directory of the shard-by-pool simulation
(docs/scaling.md, ledger/shards.py).

    python app.py shards list                       every placed pool, its shard, where a move stands
    python app.py shards assign POOL [--to SHARD]   place a pool (default: the shard with fewest pools)
    python app.py shards move POOL --to SHARD       copy its books, verify them, flip, clear the source

The directory is in DATABASE_URL's database (the global keyspace); the shards are the
databases SHARD_URLS names (name=url,...). A move drops and puts back the append-only
triggers of the source's journal tables while it clears the pool's rows there, so SHARD_URLS
must sign in as a user allowed to (the DBA). Running `move` again resumes a move that was
interrupted; until then the pool's writes are refused.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from backend.composition.container import Container
from backend.platform.config import Settings
from backend.platform.db import Database
from backend.platform.errors import ValidationFailed
from ledger.shards import ShardDirectory, ShardError, move_pool


def add_shards_parser(sub: Any) -> None:
    """The `shards` command and its three verbs, on app.py's subparsers."""
    shards = sub.add_parser("shards", help="the pool -> shard directory (SHARD_URLS); move a pool's books")
    shards_sub = shards.add_subparsers(dest="shards_command", required=True)
    shards_sub.add_parser("list", help="every placed pool: its shard and the state of a move")
    assign = shards_sub.add_parser("assign", help="place a pool on a shard (default: the least loaded)")
    assign.add_argument("pool", type=int)
    assign.add_argument("--to", dest="shard", help="a shard SHARD_URLS names")
    move = shards_sub.add_parser("move", help="move a pool's books to another shard (or resume a move)")
    move.add_argument("pool", type=int)
    move.add_argument("--to", dest="shard", required=True, help="a shard SHARD_URLS names")
    shards.set_defaults(func=cmd_shards)


def cmd_shards(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.shards:
        raise ValidationFailed("no shards configured: set SHARD_URLS=name=url,...", field="SHARD_URLS")
    container = Container(settings)
    databases = {name: Database(url) for name, url in settings.shards.items()}
    try:
        directory = ShardDirectory(container.db, databases)
        if args.shards_command == "list":
            _list(directory)
        elif args.shards_command == "assign":
            container.pools.pool_terms(args.pool)  # NotFound for a pool that does not exist
            print(f"pool {args.pool} on shard {directory.assign(args.pool, args.shard)}")
        else:
            moved = move_pool(directory, args.pool, args.shard)
            if not moved.rows:
                print(f"pool {args.pool} is on shard {args.shard}: nothing to copy")
            else:
                tables = ", ".join(f"{name} {count}" for name, count in moved.rows.items() if count)
                print(
                    f"moved pool {args.pool} from {moved.source} to {moved.target}: {moved.total_rows} rows "
                    f"in {moved.seconds:.3f}s ({tables}); {moved.entries} entries verified on {moved.target}"
                )
    except ShardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        for db in databases.values():
            db.dispose()
    return 0


def _list(directory: ShardDirectory) -> None:
    placements = directory.placements()
    print("pool\tshard\tstate\ttarget\tmoved_at")
    for p in placements:
        moved = p.moved_at.isoformat(timespec="seconds") if p.moved_at else "-"
        print(f"{p.pool_id}\t{p.shard}\t{p.state}\t{p.target or '-'}\t{moved}")
    counts = {name: 0 for name in directory.shards}
    for p in placements:
        counts[p.shard] = counts.get(p.shard, 0) + 1
    print("; ".join(f"shard {name}: {count} pools" for name, count in sorted(counts.items())))
