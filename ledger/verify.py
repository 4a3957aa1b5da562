"""Recompute the books from their postings and report the first thing that does not add up.

One streaming pass per run, in raw SQL over one read snapshot:

1. accounts, balances and chain heads (small) are read first;
2. entries joined to their postings stream in (pool, seq) order. For each entry: its seq is
   the pool's previous seq + 1 (gap-free, starting at 1), its prev_hash is the previous
   entry's hash (GENESIS for seq 1), its stored hash equals the hash recomputed from its
   canonical content (ledger.hash_chain), it has postings, they sum to zero per commodity
   and they are on accounts of its own pool. Posting amounts are summed per account;
3. then every stored balance must equal the sum of its account's postings, and every
   chain head must stand at its pool's last entry.

Amounts stay scaled integers throughout (no Decimal, no ORM objects), which is what makes
the pass run in seconds per million postings. Breaks are reported in that order; the
first one names the pool, seq and entry id (or the account) and says what is wrong.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from backend.platform.db import Database
from ledger.entry_drafts import MEMORANDUM_TYPES
from ledger.hash_chain import GENESIS_HASH, canonical_entry, chain_hash, format_scaled
from ledger.schemas import VerifyBreak, VerifyReport

_STREAM_BATCH = 20_000
_MAX_BREAKS_KEPT = 100
_TRANSACTION_IN_PROGRESS = 1568  # MariaDB: characteristics cannot change mid-transaction

# One row per entry, its postings folded into "account:amount:pool,..." by the database:
# decoding rows is what a pure-Python driver spends its time on, so fewer, denser rows
# make the pass several times faster than a row per posting.
_ENTRY_STREAM = """
SELECT e.id, e.pool_id, e.seq, e.entry_type, e.effective_date, e.memo, e.created_by,
       e.created_by_user_id, e.created_at, e.reverses_entry_id, e.prev_hash, e.hash,
       (SELECT {folded} FROM ledger_postings p WHERE p.entry_id = e.id)
FROM ledger_journal_entries e
{where}
ORDER BY e.pool_id, e.seq
"""
_FOLD = {
    "sqlite": "group_concat(p.account_id || ':' || p.amount || ':' || p.pool_id, ',')",
    "mysql": "GROUP_CONCAT(p.account_id, ':', p.amount, ':', p.pool_id SEPARATOR ',')",
}
_GROUP_CONCAT_MAX = 256 * 1024 * 1024  # MariaDB truncates silently beyond group_concat_max_len


@dataclass
class _Pool:
    last_seq: int = 0
    last_hash: str = GENESIS_HASH


@dataclass
class _Findings:
    breaks: list[VerifyBreak] = field(default_factory=list)
    count: int = 0

    def add(self, found: VerifyBreak) -> None:
        self.count += 1
        if len(self.breaks) < _MAX_BREAKS_KEPT:
            self.breaks.append(found)


def verify_books(db: Database, pool_id: int | None = None) -> VerifyReport:
    """Verify on the primary (never a replica, which may lag), in one read snapshot."""
    started = time.perf_counter()
    session = db.writer_session()
    try:
        conn = session.connection()
        _begin_snapshot(conn)
        return _verify(conn, pool_id, started)
    finally:
        session.rollback()
        session.close()


def _begin_snapshot(conn: Connection) -> None:
    if conn.dialect.name not in ("mysql", "mariadb"):
        return  # SQLite: the read transaction (a WAL snapshot) starts at the first query
    try:
        # One consistent snapshot for every query below, whatever writers do meanwhile
        # (the engine's READ COMMITTED would give each query its own).
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    except DBAPIError as exc:
        if _mysql_code(exc) != _TRANSACTION_IN_PROGRESS:
            raise
        return  # already inside the caller's transaction (a test's savepoint): read in it
    conn.exec_driver_sql("START TRANSACTION WITH CONSISTENT SNAPSHOT")


def _mysql_code(exc: DBAPIError) -> int | None:
    args = getattr(exc.orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _verify(conn: Connection, pool_id: int | None, started: float) -> VerifyReport:
    where, params = ("WHERE pool_id = :pool", {"pool": pool_id}) if pool_id is not None else ("", {})
    accounts: dict[int, tuple[int, str, str]] = {
        int(r[0]): (int(r[1]), str(r[2]), str(r[3]))
        for r in conn.execute(
            # `where` is one of two constant strings; the pool id is a bound parameter.
            text(f"SELECT id, pool_id, account_key, commodity FROM ledger_accounts {where}"),  # noqa: S608
            params,
        )
    }
    balances: dict[int, int] = {
        int(r[0]): int(r[1])
        for r in conn.execute(text(f"SELECT account_id, balance FROM ledger_balances {where}"), params)  # noqa: S608
    }
    heads: dict[int, tuple[int, str]] = {
        int(r[0]): (int(r[1]), str(r[2]))
        for r in conn.execute(
            text(f"SELECT pool_id, last_seq, last_hash FROM ledger_chain_heads {where}"),  # noqa: S608
            params,
        )
    }

    checker = _Checker(accounts)
    findings, sums, pools = checker.findings, checker.sums, checker.pools
    entries = postings = 0

    stream_where = "WHERE e.pool_id = :pool" if pool_id is not None else ""
    dialect = "sqlite" if conn.dialect.name == "sqlite" else "mysql"
    if dialect == "mysql":
        conn.exec_driver_sql(f"SET SESSION group_concat_max_len = {_GROUP_CONCAT_MAX}")
    query = _ENTRY_STREAM.format(folded=_FOLD[dialect], where=stream_where)
    result = conn.execution_options(stream_results=True, yield_per=_STREAM_BATCH).execute(text(query), params)
    for batch in result.partitions(_STREAM_BATCH):
        for row in batch:
            folded = row[12]
            lines = [] if not folded else [_unfold(part) for part in str(folded).split(",")]
            checker.check(tuple(row), lines)
            entries += 1
            postings += len(lines)

    for account_id, (account_pool, key, _commodity) in sorted(accounts.items()):
        stored = balances.get(account_id)
        computed = sums.get(account_id, 0)
        if stored is None:
            findings.add(
                VerifyBreak(
                    pool_id=account_pool,
                    account_key=key,
                    problem="balance missing",
                    detail=f"account {account_id} has no balance row",
                )
            )
        elif stored != computed:
            findings.add(
                VerifyBreak(
                    pool_id=account_pool,
                    account_key=key,
                    problem="balance differs from postings",
                    detail=f"stored {format_scaled(stored)}, postings sum to {format_scaled(computed)}",
                )
            )
    for pid in sorted(set(heads) | set(pools)):
        head, state = heads.get(pid), pools.get(pid, _Pool())
        if head is None:
            findings.add(
                VerifyBreak(
                    pool_id=pid,
                    problem="chain head missing",
                    detail=f"entries up to seq {state.last_seq} but no chain head",
                )
            )
        elif head != (state.last_seq, state.last_hash):
            findings.add(
                VerifyBreak(
                    pool_id=pid,
                    seq=head[0],
                    problem="chain head differs from the last entry",
                    detail=f"head at seq {head[0]} hash {head[1][:12]}..., entries end at seq "
                    f"{state.last_seq} hash {state.last_hash[:12]}... "
                    "(entries deleted, or the head rewritten)",
                )
            )
    return VerifyReport(
        ok=findings.count == 0,
        pools=len(set(heads) | set(pools)),
        entries=entries,
        postings=postings,
        seconds=round(time.perf_counter() - started, 3),
        first_break=findings.breaks[0] if findings.breaks else None,
        breaks=findings.count,
    )


@dataclass
class _Checker:
    accounts: dict[int, tuple[int, str, str]]
    pools: dict[int, _Pool] = field(default_factory=dict)
    sums: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    findings: _Findings = field(default_factory=_Findings)

    def check(self, row: tuple[Any, ...], lines: list[tuple[int, int, int]]) -> None:
        _check_entry(row, lines, self)


def _check_entry(row: tuple[Any, ...], lines: list[tuple[int, int, int]], checker: _Checker) -> None:
    accounts, pools, sums, findings = checker.accounts, checker.pools, checker.sums, checker.findings
    entry_id, pool_id, seq = int(row[0]), int(row[1]), int(row[2])
    prev_hash, stored_hash = str(row[10]), str(row[11])
    state = pools.setdefault(pool_id, _Pool())

    def broken(problem: str, detail: str) -> None:
        findings.add(VerifyBreak(pool_id=pool_id, seq=seq, entry_id=entry_id, problem=problem, detail=detail))

    if seq != state.last_seq + 1:
        broken("sequence gap", f"expected seq {state.last_seq + 1} after {state.last_seq}")
    if prev_hash != state.last_hash:
        broken("chain broken", "prev_hash is not the previous entry's hash")
    canonical_lines: list[tuple[str, str, int]] = []
    per_commodity: dict[str, int] = defaultdict(int)
    for account_id, amount, posting_pool in lines:
        sums[account_id] += amount
        account = accounts.get(account_id)
        if account is None or account[0] != pool_id or posting_pool != pool_id:
            broken("posting outside its pool", f"a posting on account {account_id} belongs to another pool")
            continue
        canonical_lines.append((account[1], account[2], amount))
        per_commodity[account[2]] += amount
    # A valuation that confirmed the books, or a memorandum entry, has no postings by design;
    # had some been deleted, its hash (which covers them) would no longer match.
    if not lines and str(row[3]) not in MEMORANDUM_TYPES:
        broken("entry without postings", "the entry has no postings left")
    unbalanced = {c: total for c, total in per_commodity.items() if total}
    if unbalanced:
        detail = ", ".join(f"{c} sums to {format_scaled(t)}" for c, t in sorted(unbalanced.items()))
        broken("unbalanced", detail)
    canonical = canonical_entry(
        pool_id=pool_id,
        seq=seq,
        entry_type=str(row[3]),
        effective_date=_as_date(row[4]),
        memo=str(row[5]),
        reverses_entry_id=None if row[9] is None else int(row[9]),
        created_by=str(row[6]),
        created_by_user_id=None if row[7] is None else int(row[7]),
        created_at=_as_datetime(row[8]),
        postings=canonical_lines,
    )
    try:
        recomputed = chain_hash(prev_hash, canonical)
    except ValueError:
        recomputed = ""
    if recomputed != stored_hash:
        broken("hash mismatch", "the stored hash does not match the entry's content and postings")
    # Continue the chain from what is stored, so one bad entry is reported once, not for
    # every entry after it.
    state.last_seq, state.last_hash = seq, stored_hash


def _unfold(part: str) -> tuple[int, int, int]:
    account_id, amount, pool = part.split(":")
    return int(account_id), int(amount), int(pool)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _as_datetime(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
