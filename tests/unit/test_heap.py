"""A server freezes its start-up heap: the objects alive once the app is built leave the
cyclic collector's full scans (backend/platform/heap.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from backend.platform.heap import freeze_startup_heap


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_start_up_objects_are_frozen_and_later_ones_are_not() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: only the cyclic collector can free it

    long_lived = Node()
    frozen = freeze_startup_heap()
    # Not compared for equality with a second count: a frozen object still dies by reference
    # counting (in this thread or another), so the count can only have fallen since.
    assert frozen > 1000 and 0 < gc.get_freeze_count() <= frozen
    # By identity: `in` would also call every tracked object's __eq__, and some (SQLAlchemy's
    # cache keys left by another test in this worker) raise when handed a stranger.
    tracked = gc.get_objects()  # every generation the collector scans
    assert not any(obj is long_lived for obj in tracked)
    Node()  # garbage made after start-up is still collected
    assert gc.collect() >= 1
