"""Writers of one pool take turns inside a process before they queue on the database.

The pool's chain-head row lock already lets one writer at a time into the pool's books. But a
writer waiting on it from a thread of a process whose other thread holds it still costs that
holder: each time the holder's statement returns, it waits for the interpreter's lock behind
the threads doing their own work before queuing. Measured with bench/api_write.py (8 clients,
one pool, gunicorn 2 workers x 4 threads): the chain head was held 15 ms per entry under load
against 7.6 ms one at a time. Taking turns per pool in the process first, the waiting threads
sleep on a plain lock and the holder has the interpreter to itself.

Turns are first come, first served (a waiter is handed the turn in arrival order), so no
writer waits behind writers that came later; a writer that waits longer than `wait_seconds`
gives up with DependencyUnavailable (503: nothing was written, send the same request again),
as a database lock wait that long would. A thread already holding a pool's turn may take it
again (a reversal's own write inside a write of the same pool would otherwise wait on itself).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from backend.platform.errors import DependencyUnavailable

DEFAULT_WAIT_SECONDS = 30.0


@dataclass
class _Turns:
    """One pool's turn: who holds it (thread id, depth) and who waits, in arrival order."""

    holder: int | None = None
    depth: int = 0
    waiting: deque[threading.Event] = field(default_factory=deque)
    users: int = 0  # holders and waiters: the entry is dropped when none is left


class PoolTurns:
    def __init__(self, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> None:
        self._wait = wait_seconds
        self._guard = threading.Lock()
        self._pools: dict[int, _Turns] = {}

    @contextmanager
    def turn(self, pool_id: int) -> Iterator[None]:
        """Hold pool `pool_id`'s turn for the block; DependencyUnavailable if it never came."""
        me = threading.get_ident()
        turns = self._join(pool_id, me)
        try:
            yield
        finally:
            self._leave(pool_id, turns)

    def waiting(self, pool_id: int) -> int:
        """How many writers of the pool wait for their turn (for tests and metrics)."""
        with self._guard:
            turns = self._pools.get(pool_id)
            return len(turns.waiting) if turns else 0

    def _join(self, pool_id: int, me: int) -> _Turns:
        with self._guard:
            turns = self._pools.setdefault(pool_id, _Turns())
            if turns.holder == me:
                turns.depth += 1
                return turns
            turns.users += 1
            if turns.holder is None:
                turns.holder, turns.depth = me, 1
                return turns
            handed = threading.Event()
            turns.waiting.append(handed)
        handed.wait(self._wait)
        with self._guard:
            if handed in turns.waiting:  # never handed the turn: give up the place in line
                turns.waiting.remove(handed)
                self._release_user(pool_id, turns)
                raise DependencyUnavailable(
                    f"pool {pool_id}'s books were busy with other writes for {self._wait:g} s; "
                    "nothing was written: send the same request again"
                )
            turns.holder, turns.depth = me, 1  # handed over (perhaps just as the wait ran out)
            return turns

    def _leave(self, pool_id: int, turns: _Turns) -> None:
        with self._guard:
            turns.depth -= 1
            if turns.depth:
                return
            # The next in line is handed the turn; until it records itself no newcomer may
            # take it (HANDED_OVER is nobody's thread id).
            turns.holder = _HANDED_OVER if turns.waiting else None
            if turns.waiting:
                turns.waiting.popleft().set()
            self._release_user(pool_id, turns)

    def _release_user(self, pool_id: int, turns: _Turns) -> None:
        turns.users -= 1
        if turns.users == 0:
            del self._pools[pool_id]


_HANDED_OVER = -1
