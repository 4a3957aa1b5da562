"""A subsequent close in the books: investors admitted after capital was called pay their
share of every earlier call plus equalisation interest, and the investors already in get back
what they overpaid and the interest (backend.finance.closings has the rule, its published
examples and its rounding).

One entry, dated the day the late investors pay (the payment date), settles the close:

    cash                 debit   capital paid in + interest paid   (from the late investors)
    cash                 credit  capital returned + interest paid  (to the investors already in)
    capital/late j       credit  its capital paid in
    capital/earlier i    debit   its capital returned

Capital paid in equals capital returned to the cent, so the pool's cash does not change and
nothing is lent by the pool in between. The interest passes through from investor to
investor and touches no capital account: each capital account ends at cost as if its
investor had been in from the first close (gains and losses before the close stay with those
who bore them; the interest stands in for them, as LPAs do).

The workings keep each investor's figures, every call's shares after the close (the next
close is worked from them) and the change to each investor's contributions, dated at each
call, which the waterfall's preferred return reads: as if from the first close.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from backend.finance import closings
from backend.finance.money import exact_arithmetic
from ledger.posting_rules.books import CLOSED_ENDED, Line, PoolTerms, Posting, _non_zero, _require_kind
from ledger.schemas import AccountCode, EntryType

_ZERO = Decimal(0)


@exact_arithmetic
def subsequent_close(
    terms: PoolTerms,
    *,
    state: closings.ClosingState,
    equalisation: closings.EqualisationTerms,
    late: Mapping[int, Decimal],
    closing_date: date,
    payment_date: date,
) -> Posting:
    """Admit the ``late`` commitments (investor: amount) to a pool whose calls so far are in
    ``state``, equalising every call to ``payment_date``."""
    _require_kind(terms, CLOSED_ENDED, "a subsequent close")
    result = closings.subsequent_close(
        state, equalisation, {str(i): a for i, a in late.items()}, closing_date, payment_date
    )
    lines: list[Line] = [
        Line(AccountCode.CASH, None, result.capital_paid_in + result.interest_paid),
        Line(AccountCode.CASH, None, -(result.capital_returned + result.interest_received)),
    ]
    investors: dict[str, dict[str, Any]] = {}
    for figures in result.investors:
        holder = int(figures.investor)
        if figures.late:
            lines.append(Line(AccountCode.CAPITAL, holder, -figures.capital_paid_in))
        else:
            lines.append(Line(AccountCode.CAPITAL, holder, figures.capital_returned))
        investors[figures.investor] = {
            "late": figures.late,
            "commitment": str(figures.commitment),
            "capital_paid_in": str(figures.capital_paid_in),
            "capital_returned": str(figures.capital_returned),
            "interest_paid": str(figures.interest_paid),
            "interest_received": str(figures.interest_received),
            "contributed": str(figures.contributed),
        }
    details = {
        "closing_date": closing_date.isoformat(),
        "payment_date": payment_date.isoformat(),
        "interest_rate": str(equalisation.interest_rate),
        "compounding": str(equalisation.compounding),
        "day_count": str(equalisation.day_count),
        "capital_paid_in": str(result.capital_paid_in),
        "capital_returned": str(result.capital_returned),
        "interest": str(result.interest_paid),
        "investors": investors,
        "calls": [
            {
                "on": c.on.isoformat(),
                "amount": str(c.amount),
                "shares": {s.investor: str(s.amount) for s in c.shares},
            }
            for c in result.state.calls
        ],
        "contributions": _contribution_changes(state, result.state),
    }
    return Posting(EntryType.SUBSEQUENT_CLOSE, _non_zero(lines), details)


def _contribution_changes(before: closings.ClosingState, after: closings.ClosingState) -> list[list[str]]:
    """[investor, signed change, call date] for each share of each call the close moved: the
    late investors' shares added, the others' overpayments taken back, dated at the call."""
    changes: list[list[str]] = []
    for old, new in zip(before.calls, after.calls, strict=True):
        was = {s.investor: s.amount for s in old.shares}
        for share in new.shares:
            change = share.amount - was.get(share.investor, _ZERO)
            if change:
                changes.append([share.investor, str(change), old.on.isoformat()])
    return changes
