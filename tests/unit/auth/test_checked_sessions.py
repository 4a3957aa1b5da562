"""The rules of a reused access check (backend.auth.checked_sessions), with the in-process cache
and a clock the test moves; tests/integration/test_access_check_reuse.py runs them against
the services over gRPC with the epoch in Redis."""

from __future__ import annotations

import pytest

from backend.auth.checked_sessions import EPOCH_KEY, AccessEpoch, CheckedSessions
from backend.platform.cache import CacheUnavailable, InProcessCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Check:
    """A check that counts how often it ran and answers what it is told."""

    def __init__(self, answer: object = "ana") -> None:
        self.answer = answer
        self.runs = 0

    def __call__(self) -> object:
        self.runs += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def passed(answer: object) -> bool:
    return answer is not None


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def epoch() -> AccessEpoch:
    return AccessEpoch(InProcessCache())


def test_a_passed_check_is_reused_for_its_seconds_then_made_again(epoch: AccessEpoch, clock: Clock) -> None:
    checked, check = CheckedSessions(epoch, 5.0, clock=clock), Check()
    assert [checked.answer("k", check, passed) for _ in range(3)] == ["ana"] * 3
    assert check.runs == 1
    clock.now += 4.9
    checked.answer("k", check, passed)
    assert check.runs == 1
    clock.now += 0.1  # five seconds after the check began
    checked.answer("k", check, passed)
    assert check.runs == 2


def test_an_advanced_epoch_voids_every_reused_check(epoch: AccessEpoch, clock: Clock) -> None:
    checked, first, second = CheckedSessions(epoch, 60.0, clock=clock), Check(), Check("bo")
    checked.answer("a", first, passed)
    checked.answer("b", second, passed)
    epoch.advance()
    checked.answer("a", first, passed)
    checked.answer("b", second, passed)
    assert (first.runs, second.runs) == (2, 2)


def test_an_epoch_lost_from_the_cache_is_replaced_and_voids_what_was_kept(clock: Clock) -> None:
    cache = InProcessCache()
    epoch = AccessEpoch(cache)
    checked, check = CheckedSessions(epoch, 60.0, clock=clock), Check()
    checked.answer("k", check, passed)
    cache.delete(EPOCH_KEY)  # a restarted, empty cache
    checked.answer("k", check, passed)
    assert check.runs == 2 and cache.get(EPOCH_KEY) is not None


def test_a_refusal_is_never_kept(epoch: AccessEpoch, clock: Clock) -> None:
    checked = CheckedSessions(epoch, 60.0, clock=clock)
    nobody, refused = Check(None), Check(PermissionError("ended"))
    assert checked.answer("k", nobody, passed) is None
    assert checked.answer("k", nobody, passed) is None
    for _ in range(2):
        with pytest.raises(PermissionError):
            checked.answer("r", refused, passed)
    assert (nobody.runs, refused.runs) == (2, 2)


class DeadCache(InProcessCache):
    def get(self, key: str) -> bytes | None:
        raise CacheUnavailable("connection refused")

    def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        raise CacheUnavailable("connection refused")


def test_without_the_cache_nothing_is_reused_and_an_advance_fails_quietly(clock: Clock) -> None:
    epoch = AccessEpoch(DeadCache())
    assert epoch.current() is None
    epoch.advance()  # logged, not raised: the commit behind it stands
    checked, check = CheckedSessions(epoch, 60.0, clock=clock), Check()
    for _ in range(3):
        checked.answer("k", check, passed)
    assert check.runs == 3


def test_the_memory_is_bounded_oldest_out_first(epoch: AccessEpoch, clock: Clock) -> None:
    checked = CheckedSessions(epoch, 60.0, max_entries=2, clock=clock)
    checks = {key: Check(key) for key in "abc"}
    for key in "abac":  # "a" used again, so "b" is the oldest when "c" comes
        checked.answer(key, checks[key], passed)
    checked.answer("a", checks["a"], passed)
    checked.answer("b", checks["b"], passed)
    assert (checks["a"].runs, checks["b"].runs, checks["c"].runs) == (1, 2, 1)
