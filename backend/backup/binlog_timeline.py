"""What happened when, read from archived binary logs: the transactions by GTID, and the
statements of schema changes (a DROP TABLE is the disaster a point-in-time restore stops
before).

Row-based logging keeps data changes as row images, so only DDL carries statement text; an
operator looking for "the moment it went wrong" scans the DDL, and picks the GTID to stop
before with `python app.py backup restore --before-gtid`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_GTID_EVENT = re.compile(
    r"^#(?P<date>\d{6})\s+(?P<time>\d{1,2}:\d\d:\d\d)\s+server id\s+(?P<server>\d+)\s.*"
    r"\tGTID (?P<gtid>\d+-\d+-\d+)(?: (?P<kind>\w+))?"
)
_STATEMENT_END = "/*!*/;"


@dataclass(frozen=True)
class BinlogTransaction:
    gtid: str
    at: str  # as the log records it, "YYYY-MM-DD HH:MM:SS" in the server's time zone
    kind: str  # "trans" (data) or "ddl" (a schema change)
    statement: str | None  # the DDL text; None for row changes

    @property
    def domain(self) -> int:
        return int(self.gtid.split("-")[0])

    @property
    def sequence(self) -> int:
        return int(self.gtid.split("-")[2])


def _when(yymmdd: str, clock: str) -> str:
    hours, minutes, seconds = clock.split(":")
    return f"20{yymmdd[:2]}-{yymmdd[2:4]}-{yymmdd[4:]} {int(hours):02d}:{minutes}:{seconds}"


def _is_session_setting(line: str) -> bool:
    return line.startswith(("SET ", "use ", "/*", "#", "BEGIN", "DELIMITER"))


def read_timeline(lines: Iterable[str]) -> list[BinlogTransaction]:
    """Transactions in log order from mariadb-binlog's text output."""
    found: list[BinlogTransaction] = []
    pending: dict[str, str] | None = None
    statement: list[str] = []
    in_query = False
    for raw in lines:
        line = raw.rstrip("\n")
        matched = _GTID_EVENT.match(line)
        if matched:
            if pending is not None:
                found.append(_transaction(pending, statement))
            pending = {
                "gtid": matched["gtid"],
                "at": _when(matched["date"], matched["time"]),
                "kind": matched["kind"] or "trans",
            }
            statement, in_query = [], False
            continue
        if pending is None or pending["kind"] != "ddl":
            continue
        if "\tQuery\t" in line:
            in_query = True
        elif in_query and not statement and _is_session_setting(line):
            continue
        elif in_query:
            if line.strip() == _STATEMENT_END:
                in_query = False
            else:
                statement.append(line.removesuffix(_STATEMENT_END))
    if pending is not None:
        found.append(_transaction(pending, statement))
    return found


def _transaction(pending: dict[str, str], statement: list[str]) -> BinlogTransaction:
    text = "\n".join(statement).strip() or None
    return BinlogTransaction(
        pending["gtid"], pending["at"], pending["kind"], text if pending["kind"] == "ddl" else None
    )


def last_before(timeline: list[BinlogTransaction], gtid: str) -> BinlogTransaction | None:
    """The transaction of the same GTID domain just before `gtid`: a restore's last one.

    None when `gtid` is the domain's first in these logs (nothing of them is replayed).
    """
    target = next((t for t in timeline if t.gtid == gtid), None)
    if target is None:
        raise LookupError(f"GTID {gtid} is not in the archived binary logs")
    before = [t for t in timeline[: timeline.index(target)] if t.domain == target.domain]
    return before[-1] if before else None
