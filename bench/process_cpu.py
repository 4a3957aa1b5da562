"""CPU time spent by groups of processes, read from /proc (Linux): what a piece of work cost the
machine, whoever else was running. Latency on two shared cores is mostly queueing, so a
benchmark's CPU per request is the steadier figure when the machine is not quiet.

A group is the processes of some sessions (a process started with `start_new_session=True`
leads one; a gunicorn or nginx master's workers are in its session) or of some command names
(the database and cache servers, shared by every topology)."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stats() -> list[tuple[str, list[str]]]:
    """(command name, the fields after it) of every process now; one that ends meanwhile is
    skipped (its time is lost: a benchmark's servers outlive the measurement)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces or parentheses itself.
        head, _, tail = text.rpartition(")")
        found.append((head.partition("(")[2], tail.split()))
    return found


def _seconds(fields: list[str]) -> float:
    # stat(5): utime and stime are fields 14 and 15, the 12th and 13th after the command name.
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def seconds_of_sessions(sessions: Collection[int]) -> float:
    """User and system CPU seconds of every live process in these sessions (their threads too)."""
    wanted = set(sessions)
    # stat(5): the session id is field 6, the 4th after the command name.
    return sum(_seconds(fields) for _, fields in _stats() if int(fields[3]) in wanted)


def seconds_of_commands(names: Collection[str]) -> float:
    """User and system CPU seconds of every live process whose command name is one of these."""
    wanted = set(names)
    return sum(_seconds(fields) for name, fields in _stats() if name in wanted)
