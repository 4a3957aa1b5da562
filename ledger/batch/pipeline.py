"""Batch pipeline: how a batch runs, not what it writes.

The chunk writes run in submission order on a thread of their own (MariaDB) or inline
(SQLite), and CPython's cyclic collector is paused while a batch holds its millions of
planned objects."""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

_collector_lock = threading.Lock()


_collector_pauses = 0


_collector_was_enabled = False


@contextlib.contextmanager
def cyclic_collection_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector while a batch runs, then resume it.

    A batch keeps every planned line, draft and row alive until it commits: at 1M postings,
    millions of small objects that the collector would traverse again and again without
    finding a cycle (measured: 5.7 s of an 18.5 s run). Reference counting still frees
    everything that dies meanwhile; cycles made during the batch wait for the next
    collection. Reentrant across threads: the collector resumes when the last batch ends,
    and only if it was running when the first began.
    """
    global _collector_pauses, _collector_was_enabled  # noqa: PLW0603 - one process-wide switch
    with _collector_lock:
        if _collector_pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_pauses += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_pauses -= 1
            if _collector_pauses == 0 and _collector_was_enabled:
                gc.enable()


class _Skipped(Exception):
    """A chunk not written because one before it failed (the earlier error is raised)."""


class InOrder:
    """Runs the chunk writes one after another, in submission order: on a thread of their
    own when the database is a server (MariaDB), so the rules and hashing of the next rows
    run in this process while the server stores the previous ones; inline for SQLite, whose
    writes run in this process anyway.

    The session is only ever used by one thread at a time: the planner touches no database
    between its first and last row, and everything after the last chunk waits for the
    thread (`results`). On an error, chunks not yet started are dropped and the thread is
    waited for before the caller rolls back."""

    _AHEAD = 2  # chunks planned ahead of the one being stored: bounds the memory held

    def __init__(self, threaded: bool) -> None:
        self._pool = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-batch") if threaded else None
        )
        self._futures: list[Future[list[int | None]]] = []
        self._done: list[list[int | None]] = []
        self._failed = False

    def hand_over(self) -> None:
        """Between rows: planning holds the interpreter lock, and a zero sleep hands it to the
        writing thread if the server has answered it, instead of leaving that thread to wait
        out the interpreter's switch interval (5 ms) after every statement."""
        if self._pool is not None:
            time.sleep(0)

    def submit(self, write: Callable[[], list[int | None]]) -> None:
        if self._pool is None:
            self._done.append(write())
            return
        self._futures.append(self._pool.submit(self._unless_failed, write))
        while len(self._futures) > self._AHEAD or (self._futures and self._futures[0].done()):
            self._done.append(self._futures.pop(0).result())  # re-raises the writer's error here

    def _unless_failed(self, write: Callable[[], list[int | None]]) -> list[int | None]:
        # After a failed statement the transaction is lost: the chunks queued behind it are
        # not sent (the caller sees the first error and rolls back).
        if self._failed:
            raise _Skipped
        try:
            return write()
        except BaseException:
            self._failed = True
            raise

    def results(self) -> list[list[int | None]]:
        while self._futures:
            self._done.append(self._futures.pop(0).result())
        return self._done

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
