"""What a subsequent close is worked from: the pool's calls and earlier closes, replayed from
the entries that stand into the finance layer's ClosingState, and the checks that the books
can be equalised now. The write (ledger.transactions) and the preview (ledger.previews) both
go through close_posting, so the preview shows what the write would post."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from backend.finance import closings
from backend.finance.errors import InvalidValueError
from backend.finance.investor_terms import InvestorTerms
from ledger import posting_rules as rules
from ledger.book_reads import standing_details
from ledger.posting_rules import PoolBooks, PoolTerms, Posting
from ledger.schemas import AccountCode, EntryType, SubsequentCloseRequest

Rows = Sequence[tuple[date, EntryType, dict[str, Any]]]


def closing_rows(session: Session, pool_id: int) -> list[tuple[date, EntryType, dict[str, Any]]]:
    """The standing calls, closes, distributions and management fees of the pool, in journal order."""
    kinds = (
        EntryType.CAPITAL_CALL,
        EntryType.SUBSEQUENT_CLOSE,
        EntryType.DISTRIBUTION,
        EntryType.MANAGEMENT_FEE,
    )
    return [(on, kind, details) for _, on, kind, details in standing_details(session, pool_id, kinds)]


def closing_state(terms: PoolTerms, rows: Rows, commitments: Mapping[int, Decimal]) -> closings.ClosingState:
    """The pool's calls with each investor's share after every close so far; the investors
    with a share of a call (or admitted at a close) are in, at their current commitments."""
    members: dict[str, closings.Commitment] = {}
    calls: list[closings.CallRecord] = []
    last_close = terms.inception_date
    for on, kind, details in rows:
        if kind is EntryType.CAPITAL_CALL:
            shares = details["allocation"]
            for holder in shares:
                if holder not in members:
                    amount = commitments.get(int(holder), Decimal(0))
                    members[holder] = closings.Commitment(
                        holder, amount, terms.inception_date, terms.inception_date
                    )
            calls.append(_call(on, details["amount"], shares))
        elif kind is EntryType.SUBSEQUENT_CLOSE:
            closed = date.fromisoformat(details["closing_date"])
            paid = date.fromisoformat(details["payment_date"])
            for holder, figures in details["investors"].items():
                if figures["late"]:
                    members[holder] = closings.Commitment(
                        holder, Decimal(figures["commitment"]), closed, paid
                    )
            calls = [_call(date.fromisoformat(c["on"]), c["amount"], c["shares"]) for c in details["calls"]]
            last_close = paid
    return closings.ClosingState(terms.currency, tuple(members.values()), tuple(calls), last_close)


def _call(on: date, amount: str, shares: Mapping[str, str]) -> closings.CallRecord:
    parts = tuple(closings.CallShare(holder, Decimal(part)) for holder, part in shares.items())
    return closings.CallRecord(on, Decimal(amount), parts)


def close_posting(  # noqa: PLR0917 - the close's inputs, each named at its two calls
    terms: PoolTerms,
    books: PoolBooks,
    rows: Rows,
    commitments: Mapping[int, Decimal],
    equalisation: closings.EqualisationTerms,
    request: SubsequentCloseRequest,
    letters: Mapping[int, InvestorTerms] | None = None,
) -> Posting:
    """The entry admitting every investor committed with no share of the calls yet (``letters``:
    the side letters, whose fee terms the late investors' fee catch-up follows)."""
    distributed = next((on for on, kind, _ in rows if kind is EntryType.DISTRIBUTION), None)
    if distributed is not None:
        raise InvalidValueError(
            "closing_date",
            f"pool {terms.pool_id} distributed on {distributed}: a close after a distribution would need the "
            "distribution equalised too, which this version does not do",
        )
    state = closing_state(terms, rows, commitments)
    if not state.calls:
        raise InvalidValueError(
            "closing_date",
            "no capital has been called: investors committed now simply take part in the next call",
        )
    owing = sorted(
        i
        for (code, i), amount in books.balances.items()
        if code is AccountCode.CALL_RECEIVABLE and amount and i is not None
    )
    if owing:
        raise InvalidValueError(
            "closing_date",
            f"investor {owing[0]} has not paid all it was called for: collect the calls (or record "
            "the default) before equalising them",
        )
    members = {c.investor for c in state.commitments}
    late = {i: amount for i, amount in sorted(commitments.items()) if amount > 0 and str(i) not in members}
    if not late:
        raise InvalidValueError(
            "closing_date",
            "every investor committed to the pool already has its share of the calls: nobody to admit",
        )
    posting = rules.subsequent_close(
        terms,
        state=state,
        equalisation=equalisation,
        late=late,
        closing_date=request.closing_date,
        payment_date=request.payment_date or request.closing_date,
        fees_charged=[details for _, kind, details in rows if kind is EntryType.MANAGEMENT_FEE],
        letters=letters,
    )
    for holder, figures in posting.details["investors"].items():
        held = books.capital_of(int(holder))
        if not figures["late"] and Decimal(figures["capital_returned"]) > held:
            # Losses booked before the close left less in the account than the close would
            # take back: admitting at cost would overdraw it.
            raise InvalidValueError(
                "closing_date",
                f"investor {holder}'s capital account is {held}, less than the {figures['capital_returned']} "
                "the close would give back: the pool has lost too much to admit later investors at cost",
            )
    return posting
