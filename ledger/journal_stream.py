"""A pool's whole journal, entry by entry, for exports: what a million-row download reads.

The paged journal read (book_reads.entries_page) builds an EntryOut per entry and a
PostingOut per line, with their workings: right for an API page of 50, but most of a
download's time would go there. Here one statement per page of entries brings each entry
with its postings folded into one text column ("posting id:account id:scaled amount,...")
by the database, because decoding rows is what a pure-Python driver spends its time on.
A fund's valuation touches every investor's capital account, so an entry has hundreds of
lines and the driver decodes one row, not hundreds.

Pages are read in their own short read transactions (keyset by seq), so a slow client
never holds a database connection; the last seq is fixed by the first page, so entries
written while the download runs are not half in it.
"""

from __future__ import annotations

import itertools
import json
import operator
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, String, cast, func, null, select
from sqlalchemy.orm import Session

from ledger.models import Account, EntryDetails, JournalEntry, Posting
from ledger.schemas import AMOUNT_SCALE, EntryType, commodity_places

ENTRIES_PER_PAGE = 1000
_GROUP_CONCAT_MAX = 256 * 1024 * 1024  # MariaDB cuts a longer GROUP_CONCAT silently


JournalLine = tuple[str, int | None, str, Decimal]
"""(account code, investor id or None, commodity, amount at the commodity's scale): a plain
tuple, because a million of them are made and joined into export rows."""


@dataclass(frozen=True, slots=True)
class JournalEntryLines:
    """One entry and its lines, in journal order: the rows of the transactions export."""

    id: int
    seq: int
    entry_type: str
    effective_date: date
    memo: str
    reverses_entry_id: int | None
    created_by: str
    created_at: datetime
    hash: str
    lines: tuple[JournalLine, ...]
    nav_per_unit: str | None = None  # read only when the filter asks for prices


@dataclass(frozen=True, slots=True)
class JournalFilter:
    entry_type: EntryType | None = None
    investor_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    # An investor's own view: only the pool's lines and theirs, never another investor's.
    lines_of: int | None = None
    # The NAV per unit a dealing or valuation entry was struck at (its workings), for the
    # entries view; the transactions export has no column for it and does not read them.
    prices: bool = False


_Chart = Mapping[str, tuple[tuple[str, int | None, str], Decimal] | None]
"""Account id as the fold writes it -> (code, investor, commodity) and the commodity's
quantum, or None for an account the reader may not see (another investor's)."""


def last_seq(session: Session, pool_id: int) -> int:
    found = session.scalar(select(func.max(JournalEntry.seq)).where(JournalEntry.pool_id == pool_id))
    return int(found or 0)


def chart(session: Session, pool_id: int, lines_of: int | None) -> _Chart:
    rows = session.execute(
        select(Account.id, Account.code, Account.investor_id, Account.commodity).where(
            Account.pool_id == pool_id
        )
    ).all()
    return {
        str(account_id): None
        if lines_of is not None and investor not in (None, lines_of)
        # interned: every line of an account then shares one code object, which the CSV
        # writer formats once per run of equal objects
        else ((sys.intern(code), investor, sys.intern(commodity)), _quantum(commodity))
        for account_id, code, investor, commodity in rows
    }


def _quantum(commodity: str) -> Decimal:
    return Decimal(1).scaleb(-commodity_places(commodity))


def _page_query(pool_id: int, after: int, upto: int, where: JournalFilter, limit: int) -> Select[Any]:
    line = (
        cast(Posting.id, String)
        + ":"
        + cast(Posting.account_id, String)
        + ":"
        + cast(Posting.amount, String)  # the stored scaled integer: no Decimal made by the driver
    )
    folded = select(func.group_concat(line)).where(Posting.entry_id == JournalEntry.id).scalar_subquery()
    e = JournalEntry
    entry = (e.id, e.seq, e.entry_type, e.effective_date, e.memo, e.reverses_entry_id, e.created_by)
    workings = (
        select(EntryDetails.details).where(EntryDetails.entry_id == e.id).scalar_subquery()
        if where.prices
        else null()
    )
    stmt = select(*entry, e.created_at, e.hash, folded, workings).where(
        e.pool_id == pool_id, e.seq > after, e.seq <= upto
    )
    if where.entry_type is not None:
        stmt = stmt.where(e.entry_type == EntryType(where.entry_type).value)
    if where.date_from is not None:
        stmt = stmt.where(e.effective_date >= where.date_from)
    if where.date_to is not None:
        stmt = stmt.where(e.effective_date <= where.date_to)
    if where.investor_id is not None:
        touched = (
            select(Posting.entry_id)
            .join(Account, Account.id == Posting.account_id)
            .where(Account.pool_id == pool_id, Account.investor_id == where.investor_id)
        )
        stmt = stmt.where(e.id.in_(touched))
    return stmt.order_by(e.seq).limit(limit)


def read_page(
    session: Session,
    pool_id: int,
    *,
    after: int,
    upto: int,
    where: JournalFilter,
    chart: _Chart,
    limit: int = ENTRIES_PER_PAGE,
) -> list[JournalEntryLines]:
    """Up to `limit` entries with seq in (after, upto], in journal order, lines by posting id."""
    if session.get_bind().dialect.name == "mysql":
        session.connection().exec_driver_sql(f"SET SESSION group_concat_max_len = {_GROUP_CONCAT_MAX}")
    rows = session.execute(_page_query(pool_id, after, upto, where, limit))
    return [
        JournalEntryLines(
            id=entry_id,
            seq=seq,
            entry_type=entry_type,
            effective_date=on,
            memo=memo,
            reverses_entry_id=reverses,
            created_by=created_by,
            created_at=created_at.replace(tzinfo=UTC),  # stored naive UTC, like UTCDateTime reads it
            hash=hash_,
            lines=_lines(folded, chart),
            nav_per_unit=_price(workings),
        )
        for (
            entry_id,
            seq,
            entry_type,
            on,
            memo,
            reverses,
            created_by,
            created_at,
            hash_,
            folded,
            workings,
        ) in rows
    ]


def _price(workings: str | None) -> str | None:
    """The workings' own NAV per unit (not a share class's, nested deeper); most entries
    have none, and a capital call's workings name every investor, so those are not parsed."""
    if not workings or '"nav_per_unit"' not in workings:
        return None
    price = json.loads(workings).get("nav_per_unit")
    return None if price is None else str(price)


def _lines(folded: str | None, chart: _Chart) -> tuple[JournalLine, ...]:
    if not folded:
        return ()
    ids: list[int] = []
    lines: list[JournalLine] = []
    for part in folded.split(","):
        posting, account_id, scaled = part.split(":")
        account = chart[account_id]
        if account is None:
            continue
        head, quantum = account
        ids.append(int(posting))
        lines.append((*head, Decimal(scaled).scaleb(-AMOUNT_SCALE).quantize(quantum)))
    if any(a > b for a, b in itertools.pairwise(ids)):
        # GROUP_CONCAT promises no order; postings are listed by id, as the paged read lists them.
        lines = [line for _, line in sorted(zip(ids, lines, strict=True), key=operator.itemgetter(0))]
    return tuple(lines)


@dataclass(frozen=True, slots=True)
class JournalLinesPage:
    """A page of the journal with its lines (the pool page's grid), keyset-paged like the
    entries API: pass `next_cursor` back for the next page; None on the last."""

    entries: list[JournalEntryLines]
    next_cursor: str | None


def page_after(
    session: Session, pool_id: int, where: JournalFilter, *, after: int, limit: int
) -> tuple[list[JournalEntryLines], bool]:
    """Up to `limit` entries after seq `after`, and whether more follow: one statement for
    the entries and their lines, one for the accounts the lines name."""
    found = read_page(
        session,
        pool_id,
        after=after,
        upto=last_seq(session, pool_id),
        where=where,
        chart=chart(session, pool_id, where.lines_of),
        limit=limit + 1,
    )
    return found[:limit], len(found) > limit


def pages(
    read: Callable[[Callable[[Session], Any]], Any], pool_id: int, where: JournalFilter
) -> Iterator[JournalEntryLines]:
    """Every entry that matches, page by page, each page in a read view of its own."""
    upto, accounts = read(lambda s: (last_seq(s, pool_id), chart(s, pool_id, where.lines_of)))
    after = 0
    while True:
        page: list[JournalEntryLines] = read(
            lambda s, after=after: read_page(s, pool_id, after=after, upto=upto, where=where, chart=accounts)  # type: ignore[misc]
        )
        yield from page
        if len(page) < ENTRIES_PER_PAGE:
            return
        after = page[-1].seq
