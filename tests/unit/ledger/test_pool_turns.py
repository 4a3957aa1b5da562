"""ledger.pool_turns: one writer per pool per process at a time, first come first served, a
clear 503 for one that waited too long, re-entrant, and no turn held after an error."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from backend.platform.errors import DependencyUnavailable
from ledger.pool_turns import PoolTurns

POOL = 7


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.001)


def _queued(turns: PoolTurns, count: int) -> Callable[[], bool]:
    return lambda: turns.waiting(POOL) == count


def _hold(turns: PoolTurns, pool: int, release: threading.Event, held: threading.Event) -> threading.Thread:
    def run() -> None:
        with turns.turn(pool):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=run)
    thread.start()
    assert held.wait(10)
    return thread


def test_waiters_take_the_turn_in_the_order_they_came() -> None:
    turns = PoolTurns()
    release, held = threading.Event(), threading.Event()
    holder = _hold(turns, POOL, release, held)
    order: list[int] = []
    inside = 0
    most_inside = 0
    lock = threading.Lock()

    def writer(n: int) -> None:
        nonlocal inside, most_inside
        with turns.turn(POOL):
            with lock:
                inside += 1
                most_inside = max(most_inside, inside)
            order.append(n)
            time.sleep(0.001)  # give a wrongly admitted second writer the chance to show
            with lock:
                inside -= 1

    writers = []
    for n in range(5):
        thread = threading.Thread(target=writer, args=(n,))
        thread.start()
        writers.append(thread)
        _until(_queued(turns, n + 1), f"writer {n} queued")
    release.set()
    for thread in [holder, *writers]:
        thread.join(10)
    assert order == [0, 1, 2, 3, 4]
    assert most_inside == 1
    assert turns.waiting(POOL) == 0


def test_a_writer_that_waits_too_long_gets_a_503_and_leaves_the_line() -> None:
    turns = PoolTurns(wait_seconds=0.05)
    release, held = threading.Event(), threading.Event()
    holder = _hold(turns, POOL, release, held)
    with pytest.raises(DependencyUnavailable) as refused, turns.turn(POOL):
        raise AssertionError("the turn was taken while another writer held it")
    assert f"pool {POOL}" in str(refused.value) and "send the same request again" in str(refused.value)
    assert turns.waiting(POOL) == 0
    release.set()
    holder.join(10)
    with turns.turn(POOL):  # free again, at once
        assert turns.waiting(POOL) == 0


def test_pools_do_not_wait_for_each_other() -> None:
    turns = PoolTurns(wait_seconds=0.05)
    release, held = threading.Event(), threading.Event()
    holder = _hold(turns, POOL, release, held)
    try:
        with turns.turn(POOL + 1):  # would raise after 0.05 s if it waited for POOL
            pass
    finally:
        release.set()
        holder.join(10)


def test_the_holder_may_take_its_turn_again_and_an_error_gives_it_up() -> None:
    turns = PoolTurns(wait_seconds=0.05)
    # The same thread takes the turn twice: no wait on itself.
    with pytest.raises(RuntimeError), turns.turn(POOL), turns.turn(POOL):
        raise RuntimeError("the write failed")
    other: list[BaseException] = []

    def take() -> None:
        try:
            with turns.turn(POOL):
                pass
        except BaseException as exc:  # reported below
            other.append(exc)

    thread = threading.Thread(target=take)
    thread.start()
    thread.join(10)
    assert other == []
