"""A delivery row's write that loses a deadlock is tried again (the message was handed over
already: the sender must not crash and leave it "sending"); any other error is raised."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from notifications.delivery_rows import LOCK_RETRIES, _retrying


class _Orig(Exception):
    pass


def _error(code: int) -> OperationalError:
    return OperationalError("UPDATE notification_deliveries ...", {}, _Orig(code, "message"))


def test_a_deadlock_is_tried_again_until_the_write_goes_through() -> None:
    calls: list[int] = []
    pauses: list[float] = []

    def write() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _error(1213)  # MariaDB: deadlock found when trying to get lock
        return "written"

    assert _retrying(write, sleep=pauses.append) == "written"
    assert len(calls) == 3 and pauses == [0.05, 0.1]


def test_a_lasting_conflict_is_raised_after_the_last_try() -> None:
    calls: list[int] = []

    def write() -> None:
        calls.append(1)
        raise _error(1205)  # lock wait timeout

    with pytest.raises(OperationalError):
        _retrying(write, sleep=lambda _s: None)
    assert len(calls) == LOCK_RETRIES


def test_any_other_database_error_is_raised_at_once() -> None:
    calls: list[int] = []

    def write() -> None:
        calls.append(1)
        raise _error(2013)  # lost connection: not a lock conflict

    with pytest.raises(OperationalError):
        _retrying(write, sleep=lambda _s: None)
    assert calls == [1]
