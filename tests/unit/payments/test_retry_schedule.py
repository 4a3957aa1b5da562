"""The retry schedule: waits grow exponentially to a cap, never reach zero, and are jittered
within their bound; a seeded random source gives the same waits."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

from backend.payments.retry_schedule import BASE, CAP, backoff_bound, next_wait


def test_the_bound_doubles_from_the_base_to_the_cap() -> None:
    bounds = [backoff_bound(n) for n in range(1, 10)]
    assert bounds[:4] == [BASE, BASE * 2, BASE * 4, BASE * 8]
    assert all(a <= b for a, b in itertools.pairwise(bounds))
    assert bounds[-1] == CAP and backoff_bound(50) == CAP


def test_waits_are_jittered_within_the_bound_and_never_zero() -> None:
    rng = random.Random(11)
    for tries in range(1, 12):
        waits = [next_wait(tries, rng) for _ in range(200)]
        assert all(BASE / 2 <= w <= backoff_bound(tries) for w in waits)
        if backoff_bound(tries) > BASE:
            assert len({round(w.total_seconds(), 3) for w in waits}) > 50  # spread, not lockstep
    assert [next_wait(3, random.Random(5)) for _ in range(3)] == [next_wait(3, random.Random(5))] * 3
    assert next_wait(1, random.Random(1)) <= timedelta(seconds=5)
