"""A server freezes its start-up heap: the objects alive once the app is built leave the
cyclic collector's full scans (backend/platform/heap.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in an interpreter of its own: in a test worker the heap holds everything earlier tests
# left (millions of objects), and collecting, freezing and scanning it took 20 s there.
CHECK = textwrap.dedent(
    """
    import gc

    from backend.platform.heap import freeze_startup_heap

    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: only the cyclic collector can free it

    long_lived = Node()
    frozen = freeze_startup_heap()
    # Not compared for equality with a second count: a frozen object still dies by reference
    # counting, so the count can only have fallen since.
    assert frozen > 1000 and 0 < gc.get_freeze_count() <= frozen, (frozen, gc.get_freeze_count())
    # By identity: `in` would also call every tracked object's __eq__.
    tracked = gc.get_objects()  # every generation the collector scans
    assert not any(obj is long_lived for obj in tracked), "a start-up object is still scanned"
    Node()  # garbage made after start-up is still collected
    collected = gc.collect()
    assert collected >= 1, collected
    print("frozen", frozen, "collected", collected)
    """
)


def test_start_up_objects_are_frozen_and_later_ones_are_not() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("frozen ")
