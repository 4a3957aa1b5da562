"""Reversing an entry: the mirror lines it posts, and when a reversal must be refused.

A mistaken subscription, capital call or fee is never edited: its reversal posts every line
negated, linked to it. That mirror is right only while nothing posted after the entry was
allocated by the holdings it left (a valuation that shared a gain with the subscription's
units, a pro rata distribution), so such a reversal is refused until the later entry is
reversed first.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.platform.errors import Conflict, ValidationFailed
from ledger.book_reads import standing_details
from ledger.dealing_facts import later_allocated_entry
from ledger.entry_drafts import DraftLine
from ledger.models import Account, JournalEntry, Posting
from ledger.schemas import AccountCode, EntryType


def reversal_lines(session: Session, entry: JournalEntry) -> tuple[DraftLine, ...]:
    """Every posting of `entry`, negated, in the order it was posted."""
    rows = session.execute(
        select(Account.code, Account.investor_id, Posting.amount)
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.entry_id == entry.id)
        .order_by(Posting.id)
    ).all()
    return tuple(DraftLine(AccountCode(code), investor, -amount) for code, investor, amount in rows)


def refuse_out_of_order_reversal(session: Session, entry: JournalEntry, on: date) -> None:
    """A reversal mirrors its entry exactly, which is right only while nothing posted after the
    entry was allocated by the holdings it left: reversing a subscription after a valuation
    shared a gain with its units would leave that gain in a capital account with no units."""
    if on < entry.effective_date:
        raise ValidationFailed(
            f"a reversal of entry {entry.id} cannot be dated before the entry "
            f"itself ({entry.effective_date})",
            field="effective_date",
        )
    if entry.entry_type == EntryType.PURCHASE.value:
        refuse_if_the_investment_moved_since(session, entry.pool_id, entry.id)
    if entry.entry_type in (EntryType.PURCHASE.value, EntryType.FEE_PAYMENT.value):
        return  # moves no one's share of the pool
    later = later_allocated_entry(session, entry.pool_id, entry.seq)
    if later is not None:
        raise Conflict(
            f"entry {later.entry_id} (a {later.entry_type.value.replace('_', ' ')} of {later.on}) was "
            f"posted after entry {entry.id} and allocated by the holdings it left; reverse entry "
            f"{later.entry_id} first",
            field="entry_id",
        )


def refuse_if_the_investment_moved_since(session: Session, pool_id: int, purchase_id: int) -> None:
    """A purchase of a named investment is its cost, which later sales sold against and an
    American waterfall's distributions of it were worked on: it is reversed only after them."""
    bought = standing_details(session, pool_id, (EntryType.PURCHASE,))
    name = next((d.get("investment") for entry_id, _, _, d in bought if entry_id == purchase_id), None)
    if name is None:
        return
    kinds = (EntryType.SALE, EntryType.DISTRIBUTION)
    later = [
        (entry_id, kind)
        for entry_id, _, kind, d in standing_details(session, pool_id, kinds)
        if entry_id > purchase_id and d.get("investment") == name
    ]
    if later:
        entry_id, kind = later[-1]
        raise Conflict(
            f"entry {entry_id} (a {kind.value}) of {name} was posted after entry {purchase_id} and worked on "
            f"its cost; reverse entry {entry_id} first",
            field="entry_id",
        )
