"""Benchmark: a login attempt takes about as long whichever account it names.

Times `verify_password` for an unknown email, a wrong password on an account of the
configured profile, and a wrong password on a cheaply seeded account (topped up to the
configured profile), and prints the medians and their ratio to the unknown-email time.
The tests count the argon2 work instead of timing it (tests/unit/auth/test_passwords.py).

    python bench/login_timing.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from argon2 import PasswordHasher, Type

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from backend.platform import passwords  # noqa: E402 - after the path set-up above

SEEDED = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)


def _median_ms(check: Callable[[], bool], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        check()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    current = passwords.hash_password("the-right-password")
    seeded = SEEDED.hash("the-right-password")
    passwords.verify_password(None, "warm-up")
    unknown = _median_ms(lambda: passwords.verify_password(None, "guess"), args.runs)
    print(f"unknown email                 {unknown:8.1f} ms")
    for label, stored in (("wrong password, current hash", current), ("wrong password, seeded hash", seeded)):
        took = _median_ms(lambda: passwords.verify_password(stored, "guess"), args.runs)  # noqa: B023 - called at once
        print(f"{label:29} {took:8.1f} ms  ({took / unknown:.2f} x unknown)")


if __name__ == "__main__":
    main()
