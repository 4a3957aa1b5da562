"""Reads the summary of a pool's journal that forward pricing and date order need.

Called under the pool's chain-head lock, so nothing it reads can change before the caller's
entry is written. Indexed reads, whatever the size of the journal.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Integer, Label, Select, Subquery, bindparam, select, true
from sqlalchemy.orm import Session

from ledger.forward_pricing import (
    DEAL_TYPES,
    NAV_NEUTRAL_TYPES,
    DealingFacts,
    LastEntry,
    moves_nav_per_unit,
    struck_prices,
    struck_rates,
)
from ledger.locking import locked_head, transaction_memo
from ledger.models import EntryDetails, JournalEntry
from ledger.schemas import EntryType

_POOL: BindParameter[int] = bindparam("dealing_pool_id", type_=Integer())
_BELOW: BindParameter[int] = bindparam("dealing_below_seq", type_=Integer())
"""The pool (and a sequence number) the reads below take as parameters. Each read is built
once (functools.cache) with these in it: building and keying a statement of nested
subqueries afresh cost about as much Python as the database took to answer it, all of it
under the pool's lock."""


def _reversed_ids(pool_id: int | BindParameter[int]) -> Select[Any]:
    return select(JournalEntry.reverses_entry_id).where(
        JournalEntry.pool_id == pool_id, JournalEntry.reverses_entry_id.is_not(None)
    )


def _standing() -> tuple[ColumnElement[bool], ...]:
    return (
        JournalEntry.pool_id == _POOL,
        JournalEntry.entry_type != EntryType.REVERSAL.value,
        JournalEntry.id.not_in(_reversed_ids(_POOL)),
    )


def _on_pool(pool_id: int, below: int | None = None) -> dict[str, int]:
    """The parameters of a statement built with `_POOL` (and `_BELOW`)."""
    return {_POOL.key: pool_id} if below is None else {_POOL.key: pool_id, _BELOW.key: below}


_LATEST = "ledger.latest_standing_entry"


def latest_standing_entry(session: Session, pool_id: int) -> LastEntry | None:
    """The standing entry (not a reversal, not reversed) with the latest effective date, the
    last in the journal of those of that date.

    Under the pool's chain-head lock the answer is kept for the journal's sequence number:
    the write path asks three times per entry (the rule's date check, the dealing facts, the
    journal's own check), and only a new entry (a reversal too) can change it, which moves
    the sequence on."""
    head = locked_head(session, pool_id)
    if head is None:
        return _latest_standing_entry(session, pool_id)
    memo = transaction_memo(session, _LATEST)
    key = (pool_id, int(head.last_seq))
    if key not in memo:
        memo[key] = _latest_standing_entry(session, pool_id)
    found: LastEntry | None = memo[key]
    return found


@cache
def _latest_statement() -> Select[Any]:
    by_seq, latest_on = _latest_columns()
    # Both reads in one statement: it runs under the pool's lock, where a round trip is time
    # every other writer of the pool waits.
    return select(by_seq.c.id, by_seq.c.entry_type, by_seq.c.effective_date, latest_on)


def _latest_standing_entry(session: Session, pool_id: int) -> LastEntry | None:
    found = session.execute(_latest_statement(), _on_pool(pool_id)).first()
    return None if found is None else _latest_from(session, pool_id, tuple(found))


def _latest_columns() -> tuple[Subquery, Label[Any]]:
    """The last standing entry by seq (a derived table of one row or none) and the latest
    date of any standing entry (a scalar subquery).

    Sorting by (date, seq) has no index: it sorted every entry of the pool on every write.
    The writers refuse an entry dated before the latest standing one, so the last standing
    entry by seq nearly always carries the latest date; two index reads that each stop at
    their first row prove it, and only books whose dates run backwards pay for the sort
    (_latest_from)."""
    by_seq = (
        select(JournalEntry.id, JournalEntry.entry_type, JournalEntry.effective_date)
        .where(*_standing())
        .order_by(JournalEntry.seq.desc())
        .limit(1)
        .subquery("by_seq")
    )
    latest_on = (
        select(JournalEntry.effective_date)
        .where(*_standing())
        .order_by(JournalEntry.effective_date.desc())
        .limit(1)
        .scalar_subquery()
        .label("latest_on")
    )
    return by_seq, latest_on


def _latest_from(session: Session, pool_id: int, found: tuple[Any, ...]) -> LastEntry:
    """The LastEntry from _latest_columns' (id, type, date, latest date)."""
    last, latest_on = found[:3], found[3]
    row = last
    if latest_on != last[2]:
        row = tuple(session.execute(_latest_by_date_statement(), _on_pool(pool_id)).one())
    return LastEntry(int(row[0]), EntryType(row[1]), row[2])


@cache
def _latest_by_date_statement() -> Select[int, str, date]:
    return (
        select(JournalEntry.id, JournalEntry.entry_type, JournalEntry.effective_date)
        .where(*_standing())
        .order_by(JournalEntry.effective_date.desc(), JournalEntry.seq.desc())
        .limit(1)
    )


_FACTS = "ledger.dealing_facts"


def read_dealing_facts(session: Session, pool_id: int) -> DealingFacts:
    """What forward pricing needs of the pool's journal (the latest standing entry, the last
    NAV change and its struck prices, the first and last deal dates).

    Under the pool's chain-head lock the answer is kept for the journal's sequence number,
    as latest_standing_entry's is: a deal reads it for its date check and again for its
    price. Read first (before that date check asks latest_standing_entry alone), it brings
    the latest standing entry in its own first statement: one round trip under the lock
    where there were two."""
    head = locked_head(session, pool_id)
    if head is None:
        return _read_dealing_facts(session, pool_id)
    memo = transaction_memo(session, _FACTS)
    key = (pool_id, int(head.last_seq))
    if key not in memo:
        memo[key] = _read_dealing_facts(session, pool_id)
    found: DealingFacts = memo[key]
    return found


def _read_dealing_facts(session: Session, pool_id: int) -> DealingFacts:
    head = locked_head(session, pool_id)
    remembered = transaction_memo(session, _LATEST) if head is not None else {}
    key = None if head is None else (pool_id, int(head.last_seq))
    if key in remembered:
        latest: LastEntry | None = remembered[key]
        mark, (price, by_class), rates, deals = _last_nav_change(session, pool_id)
    else:
        latest, (mark, (price, by_class), rates, deals) = _latest_and_last_nav_change(session, pool_id)
        if key is not None:
            remembered[key] = latest
    if deals is None:  # no entry has moved NAV per unit yet: the deal dates on their own
        deals = _first_and_last(tuple(session.execute(_deal_dates_statement(), _on_pool(pool_id)).one()))
    first_deal, last_deal = deals
    return DealingFacts(
        latest=latest,
        last_nav_change=mark,
        struck_price=price,
        struck_class_prices=by_class,
        struck_class_rates=rates,
        last_deal_on=_as_date(last_deal),
        first_deal_on=_as_date(first_deal),
    )


DEAL_ORDER = tuple(sorted(DEAL_TYPES, key=lambda kind: kind.value))


@cache
def _deal_dates_statement() -> Select[Any]:
    return select(*_deal_dates())


def _deal_dates() -> tuple[Any, ...]:
    """The first and the last date a deal that stands was struck, per deal type, as scalar
    subqueries (first, last, first, last... in DEAL_ORDER); _first_and_last folds them.

    Each is ORDER BY date LIMIT 1 over (pool_id, entry_type, effective_date): an index dive
    that stops at its first standing row. A MIN and a MAX over both types read a row for
    every deal the pool ever struck, under the pool's lock."""
    columns = []
    for kind in DEAL_ORDER:
        deals = select(JournalEntry.effective_date).where(
            JournalEntry.pool_id == _POOL,
            JournalEntry.entry_type == kind.value,
            JournalEntry.id.not_in(_reversed_ids(_POOL)),
        )
        for name, order in (
            ("first", JournalEntry.effective_date.asc()),
            ("last", JournalEntry.effective_date.desc()),
        ):
            columns.append(deals.order_by(order).limit(1).scalar_subquery().label(f"{name}_{kind.value}"))
    return tuple(columns)


def _first_and_last(dates: Sequence[Any]) -> tuple[Any, Any]:
    """(first, last) deal date of every type from _deal_dates' columns; None if no deal."""
    firsts = [day for on in dates[0::2] if (day := _as_date(on)) is not None]
    lasts = [day for on in dates[1::2] if (day := _as_date(on)) is not None]
    return (min(firsts) if firsts else None), (max(lasts) if lasts else None)


NavChange = tuple[
    LastEntry | None,
    tuple[Decimal | None, dict[str, Decimal] | None],
    dict[str, Decimal] | None,
    tuple[Any, Any] | None,
]
"""The last entry that moved NAV per unit, its struck prices, its struck rates, and the
(first, last) deal dates when they came with the read (None: read them on their own)."""


@cache
def _nav_change_query(below: bool) -> Select[int, int, str, date, str]:
    """The last entry by sequence (below the `_BELOW` one) that may have moved NAV per unit."""
    query = (
        select(
            JournalEntry.id,
            JournalEntry.seq,
            JournalEntry.entry_type,
            JournalEntry.effective_date,
            EntryDetails.details,
        )
        .outerjoin(EntryDetails, EntryDetails.entry_id == JournalEntry.id)
        .where(
            JournalEntry.pool_id == _POOL,
            JournalEntry.entry_type.not_in([t.value for t in sorted(NAV_NEUTRAL_TYPES, key=str)]),
        )
        .order_by(JournalEntry.seq.desc())
        .limit(1)
    )
    return query.where(JournalEntry.seq < _BELOW) if below else query


@cache
def _nav_change_with_deal_dates() -> Select[Any]:
    return _nav_change_query(False).add_columns(*_deal_dates())


def _last_nav_change(session: Session, pool_id: int) -> NavChange:
    """The last entry by sequence that moved NAV per unit, and its struck price if it is a
    valuation. A sale at carrying value moves nothing, so it is passed over (by its workings).
    The first read also brings the deal dates (_deal_dates), so a deal under the pool's lock
    asks once for both; None for them when there is no entry to bring them with."""
    row = session.execute(_nav_change_with_deal_dates(), _on_pool(pool_id)).first()
    if row is None:
        return None, (None, None), None, None
    values: tuple[Any, ...] = tuple(row)
    return _nav_change_from(session, pool_id, values[:5], _first_and_last(values[5:]))


def _nav_change_from(
    session: Session, pool_id: int, first: tuple[Any, ...] | None, deals: tuple[Any, Any]
) -> NavChange:
    """_last_nav_change from its first candidate row (id, seq, type, date, workings), read."""
    row = first
    while row is not None:
        entry_id, seq, kind, on, text = row
        details = json.loads(text) if text else {}
        entry = LastEntry(int(entry_id), EntryType(kind), on)
        if moves_nav_per_unit(entry.entry_type, details):
            moved = entry.entry_type
            return entry, struck_prices(moved, details), struck_rates(moved, details), deals
        earlier = session.execute(_nav_change_query(True), _on_pool(pool_id, below=int(seq))).first()
        row = None if earlier is None else tuple(earlier)
    return None, (None, None), None, deals


def _latest_and_last_nav_change(session: Session, pool_id: int) -> tuple[LastEntry | None, NavChange]:
    """latest_standing_entry and _last_nav_change (with the deal dates) in one statement:
    the last standing entry by seq, joined to the last candidate NAV change, with the latest
    standing date and the deal dates as scalar subqueries, each an index read that stops at
    its first row, as when they were two statements."""
    found = session.execute(_latest_and_nav_statement(), _on_pool(pool_id)).first()
    if found is None:  # no standing entry (none yet, or every one reversed): the reads one by one
        return None, _last_nav_change(session, pool_id)
    values: tuple[Any, ...] = tuple(found)
    first = values[4:9] if values[4] is not None else None
    return _latest_from(session, pool_id, values[:4]), _nav_change_from(
        session, pool_id, first, _first_and_last(values[9:])
    )


@cache
def _latest_and_nav_statement() -> Select[Any]:
    by_seq, latest_on = _latest_columns()
    nav = _nav_change_query(False).subquery("nav")
    return (
        select(
            by_seq.c.id,
            by_seq.c.entry_type,
            by_seq.c.effective_date,
            latest_on,
            nav.c.id,
            nav.c.seq,
            nav.c.entry_type,
            nav.c.effective_date,
            nav.c.details,
            *_deal_dates(),
        )
        .select_from(by_seq)
        .outerjoin(nav, true())
    )


def later_allocated_entry(session: Session, pool_id: int, seq: int) -> LastEntry | None:
    """The last standing entry posted after ``seq`` that was allocated by the holdings it
    found (anything but a purchase or a fee payment): the one to reverse first. None if none."""
    row = session.execute(
        select(JournalEntry.id, JournalEntry.entry_type, JournalEntry.effective_date)
        .where(
            JournalEntry.pool_id == pool_id,
            JournalEntry.seq > seq,
            JournalEntry.entry_type.not_in(
                [EntryType.REVERSAL.value, EntryType.PURCHASE.value, EntryType.FEE_PAYMENT.value]
            ),
            JournalEntry.id.not_in(_reversed_ids(pool_id)),
        )
        .order_by(JournalEntry.seq.desc())
        .limit(1)
    ).first()
    return None if row is None else LastEntry(int(row[0]), EntryType(row[1]), row[2])


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
