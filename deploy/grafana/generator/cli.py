"""The command: write the dashboards' JSON, or (--check) name the files that differ."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from generator.boards import SPECS
from generator.output import differences, write
from generator.render import render_all

OUTPUT_DIR = Path(__file__).resolve().parents[1] / "dashboards"
COMMAND = "python deploy/grafana/generate.py"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=COMMAND, description="Write the platform's Grafana dashboards as JSON."
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 naming each file that differs from what would be written",
    )
    parser.add_argument(
        "--dir", type=Path, default=OUTPUT_DIR, help=f"the JSON folder (default {OUTPUT_DIR})"
    )
    args = parser.parse_args(argv)
    files = render_all(SPECS)
    if args.check:
        stale = differences(args.dir, files)
        for line in stale:
            print(line, file=sys.stderr)
        if stale:
            print(f"regenerate them: {COMMAND}", file=sys.stderr)
            return 1
        print(f"{len(files)} dashboards up to date in {args.dir}")
        return 0
    write(args.dir, files)
    return 0
