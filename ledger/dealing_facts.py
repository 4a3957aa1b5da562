"""Reads the summary of a pool's journal that forward pricing and date order need.

Called under the pool's chain-head lock, so nothing it reads can change before the caller's
entry is written. Indexed reads, whatever the size of the journal.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, select
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


def _reversed_ids(pool_id: int) -> Select[Any]:
    return select(JournalEntry.reverses_entry_id).where(
        JournalEntry.pool_id == pool_id, JournalEntry.reverses_entry_id.is_not(None)
    )


def _standing(pool_id: int) -> tuple[ColumnElement[bool], ...]:
    return (
        JournalEntry.pool_id == pool_id,
        JournalEntry.entry_type != EntryType.REVERSAL.value,
        JournalEntry.id.not_in(_reversed_ids(pool_id)),
    )


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


def _latest_standing_entry(session: Session, pool_id: int) -> LastEntry | None:
    # Sorting by (date, seq) has no index: it sorted every entry of the pool on every write.
    # The writers refuse an entry dated before the latest standing one, so the last standing
    # entry by seq nearly always carries the latest date; two index reads that each stop at
    # their first row prove it, and only books whose dates run backwards pay for the sort.
    by_seq = (
        select(JournalEntry.id, JournalEntry.entry_type, JournalEntry.effective_date)
        .where(*_standing(pool_id))
        .order_by(JournalEntry.seq.desc())
        .limit(1)
        .subquery()
    )
    latest_date = (
        select(JournalEntry.effective_date)
        .where(*_standing(pool_id))
        .order_by(JournalEntry.effective_date.desc())
        .limit(1)
        .scalar_subquery()
    )
    # Both reads in one statement: it runs under the pool's lock, where a round trip is time
    # every other writer of the pool waits.
    found = session.execute(
        select(by_seq.c.id, by_seq.c.entry_type, by_seq.c.effective_date, latest_date.label("latest_on"))
    ).first()
    if found is None:
        return None
    last, latest_on = found[:3], found[3]
    row = last
    if latest_on != last[2]:
        row = session.execute(
            select(JournalEntry.id, JournalEntry.entry_type, JournalEntry.effective_date)
            .where(*_standing(pool_id))
            .order_by(JournalEntry.effective_date.desc(), JournalEntry.seq.desc())
            .limit(1)
        ).one()
    return LastEntry(int(row[0]), EntryType(row[1]), row[2])


def read_dealing_facts(session: Session, pool_id: int) -> DealingFacts:
    latest = latest_standing_entry(session, pool_id)
    mark, (price, by_class), rates, deals = _last_nav_change(session, pool_id)
    if deals is None:  # no entry has moved NAV per unit yet: the deal dates on their own
        deals = _first_and_last(tuple(session.execute(select(*_deal_dates(pool_id))).one()))
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


def _deal_dates(pool_id: int) -> tuple[Any, ...]:
    """The first and the last date a deal that stands was struck, per deal type, as scalar
    subqueries (first, last, first, last... in DEAL_ORDER); _first_and_last folds them.

    Each is ORDER BY date LIMIT 1 over (pool_id, entry_type, effective_date): an index dive
    that stops at its first standing row. A MIN and a MAX over both types read a row for
    every deal the pool ever struck, under the pool's lock."""
    columns = []
    for kind in DEAL_ORDER:
        deals = select(JournalEntry.effective_date).where(
            JournalEntry.pool_id == pool_id,
            JournalEntry.entry_type == kind.value,
            JournalEntry.id.not_in(_reversed_ids(pool_id)),
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


def _last_nav_change(
    session: Session, pool_id: int
) -> tuple[
    LastEntry | None,
    tuple[Decimal | None, dict[str, Decimal] | None],
    dict[str, Decimal] | None,
    tuple[Any, Any] | None,
]:
    """The last entry by sequence that moved NAV per unit, and its struck price if it is a
    valuation. A sale at carrying value moves nothing, so it is passed over (by its workings).
    The first read also brings the deal dates (_deal_dates), so a deal under the pool's lock
    asks once for both; None for them when there is no entry to bring them with."""
    below: int | None = None
    deals: tuple[Any, Any] | None = None
    while True:
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
                JournalEntry.pool_id == pool_id,
                JournalEntry.entry_type.not_in([t.value for t in NAV_NEUTRAL_TYPES]),
            )
            .order_by(JournalEntry.seq.desc())
            .limit(1)
        )
        if below is None:
            query = query.add_columns(*_deal_dates(pool_id))
        else:
            query = query.where(JournalEntry.seq < below)
        row = session.execute(query).first()
        if row is None:
            return None, (None, None), None, deals
        values: tuple[Any, ...] = tuple(row)
        entry_id, seq, kind, on, text = values[:5]
        if below is None:
            deals = _first_and_last(values[5:])
        details = json.loads(text) if text else {}
        entry = LastEntry(int(entry_id), EntryType(kind), on)
        if not moves_nav_per_unit(entry.entry_type, details):
            below = int(seq)
            continue
        return entry, struck_prices(entry.entry_type, details), struck_rates(entry.entry_type, details), deals


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
