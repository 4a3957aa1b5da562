"""Capital called and capital returned to be called again, per investor.

What a management fee on called or invested capital and a new capital call read: the capital
called by the standing calls, as subsequent closes equalised it, and the capital that
recallable distributions returned (added back to the unfunded commitment).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy.orm import Session

from ledger.book_reads import standing_details
from ledger.schemas import EntryType


def capital_called(session: Session, pool_id: int) -> dict[int, Decimal]:
    """Capital called to date per investor, paid or not, by the capital calls that stand, as
    subsequent closes equalised it (the later investors' shares in, the overpayments out)."""
    called: dict[int, Decimal] = defaultdict(Decimal)
    kinds = (EntryType.CAPITAL_CALL, EntryType.SUBSEQUENT_CLOSE)
    for _, _, kind, details in standing_details(session, pool_id, kinds):
        if kind is EntryType.SUBSEQUENT_CLOSE:
            for holder, figures in details["investors"].items():
                moved = Decimal(figures["capital_paid_in"]) - Decimal(figures["capital_returned"])
                called[int(holder)] += moved
            continue
        for holder, part in details["allocation"].items():
            called[int(holder)] += Decimal(part)
    return called


def recallable_returned(session: Session, pool_id: int) -> dict[int, Decimal]:
    """Capital returned by recallable distributions that stand, per investor: it may be
    called again (added back to the unfunded commitment)."""
    returned: dict[int, Decimal] = defaultdict(Decimal)
    for _, _, _, details in standing_details(session, pool_id, (EntryType.DISTRIBUTION,)):
        for holder, part in (details.get("recallable") or {}).items():
            returned[int(holder)] += Decimal(part)
    return returned
