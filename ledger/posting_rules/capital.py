"""Closed-ended capital: a capital call pro rata to commitments, and an investor's contribution against it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction

from backend.finance.allocation import allocate_cash
from backend.finance.errors import InvalidValueError
from backend.finance.money import (
    Rounding,
    exact_arithmetic,
    round_to_quantum,
)
from ledger.posting_rules.books import (
    _ZERO,
    CLOSED_ENDED,
    Line,
    PoolBooks,
    PoolTerms,
    Posting,
    _non_zero,
    _positive_cash,
    _require_kind,
)
from ledger.schemas import AccountCode, AccountRef, EntryType


@exact_arithmetic
def capital_call(
    terms: PoolTerms,
    *,
    commitments: Mapping[int, Decimal],
    called: Mapping[int, Decimal],
    amount: object = None,
    percent_of_commitment: object = None,
    due_date: date,
    recallable: Mapping[int, Decimal] | None = None,
) -> Posting:
    """A receivable per investor, pro rata to commitments, never beyond what is unfunded.

    Unfunded is the commitment less what was called, plus what recallable distributions
    returned (``recallable``, per investor): that capital may be called again.

    The split is cumulative: the calls to date, this one included, are allocated pro rata to
    commitments, and this call's part is that target less what was called before. The odd
    cent of one call is evened out by the next, so a call of everything still unfunded always
    fits, whatever earlier calls rounded.
    """
    _require_kind(terms, CLOSED_ENDED, "a capital call")
    weights = {str(i): c for i, c in commitments.items() if c > 0}
    if not weights:
        raise InvalidValueError("amount", f"pool {terms.pool_id} has no commitments to call on")
    total_committed = sum(weights.values(), _ZERO)
    if (amount is None) == (percent_of_commitment is None):
        raise InvalidValueError("amount", "give either amount or percent_of_commitment, not both or neither")
    if percent_of_commitment is not None:
        percent = Decimal(str(percent_of_commitment))
        if not 0 < percent <= 1:
            raise InvalidValueError(
                "percent_of_commitment", f"must be a fraction above 0 and at most 1, got {percent}"
            )
        total = round_to_quantum(
            Fraction(total_committed) * Fraction(percent), terms.currency.quantum, Rounding.HALF_EVEN
        )
        if total == 0:
            raise InvalidValueError(
                "percent_of_commitment", f"{percent} of {total_committed} rounds to nothing"
            )
    else:
        total = _positive_cash(amount, terms, "amount")
    recalled = recallable or {}
    before = {holder: called.get(int(holder), _ZERO) - recalled.get(int(holder), _ZERO) for holder in weights}
    unfunded = {holder: weights[holder] - before[holder] for holder in weights}
    left = sum(unfunded.values(), _ZERO)
    if total > left:
        raise InvalidValueError(
            "amount", f"{total} is more than the {left} of commitments still unfunded in pool {terms.pool_id}"
        )
    targets = allocate_cash(sum(before.values(), _ZERO) + total, weights, terms.currency)
    parts = {holder: targets.get(holder, _ZERO) - before[holder] for holder in weights}
    if any(part < 0 or part > unfunded[holder] for holder, part in parts.items()):
        # Earlier calls were not split by this rule (or were reversed out of order): share
        # this one by what each investor has left unfunded, which always fits.
        parts = allocate_cash(total, {h: u for h, u in unfunded.items() if u > 0}, terms.currency)
    parts = {holder: part for holder, part in parts.items() if part}
    lines: list[Line] = []
    for holder, part in parts.items():
        lines += [
            Line(AccountCode.CALL_RECEIVABLE, int(holder), part),
            Line(AccountCode.CAPITAL, int(holder), -part),
        ]
    allocation = {holder: str(part) for holder, part in parts.items()}
    details = {
        "amount": str(total),
        "due_date": due_date.isoformat(),
        "allocation": allocation,
        # As the books stood when the call was made: the formal notice prints them, and a
        # notice rendered later (a redelivered event) must not print later figures.
        "commitments": {holder: str(weights[holder]) for holder in parts},
        "called_before": {holder: str(called.get(int(holder), _ZERO)) for holder in parts},
    }
    if any(recalled.get(int(holder)) for holder in parts):
        details["recallable_before"] = {holder: str(recalled.get(int(holder), _ZERO)) for holder in parts}
    return Posting(
        EntryType.CAPITAL_CALL,
        _non_zero(lines),
        details,
        events=(("capital_call.issued", details),),
    )


def contribution_reads(investor_id: int) -> tuple[AccountRef, ...]:
    """Every balance `contribution` reads, and it reads no fact of the pool beside them: a
    write of one contribution reads just these (ledger.rule_inputs.rule_reads), so keep the
    two in step."""
    return ((AccountCode.CALL_RECEIVABLE, investor_id),)


@exact_arithmetic
def contribution(terms: PoolTerms, books: PoolBooks, *, investor_id: int, amount: object) -> Posting:
    """Cash from an investor settling what was called from them."""
    _require_kind(terms, CLOSED_ENDED, "a contribution")
    cash = _positive_cash(amount, terms, "amount")
    owed = books.receivable_of(investor_id)
    if cash > owed:
        raise InvalidValueError(
            "amount", f"investor {investor_id} owes {owed} on capital calls, cannot contribute {cash}"
        )
    lines = (
        Line(AccountCode.CASH, None, cash),
        Line(AccountCode.CALL_RECEIVABLE, investor_id, -cash),
    )
    return Posting(EntryType.CONTRIBUTION, lines, {"investor_id": investor_id, "amount": str(cash)})
