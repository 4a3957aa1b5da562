"""An entry draft, and the checks every entry passes before the journal numbers it.

What a posting rule (a subscription at the struck NAV, a capital call, a fee) hands the
journal is a draft: its lines, its date, its memo. validate_draft is the one gate every
draft goes through, whoever built it: the single write (ledger.journal) and the batch
planner (ledger.batch_rows) both run it, so an entry that does not balance to zero per
commodity, or carries more decimals than its currency's minor unit (6 dp for units),
never reaches the books by either path.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from backend.finance.errors import LedgerInputError
from backend.finance.money import MAX_MAGNITUDE, UNITS_DP, check_scale, get_currency, to_decimal
from backend.platform.errors import ValidationFailed
from ledger.schemas import (
    UNITS_COMMODITY,
    AccountCode,
    EntryType,
    EventIn,
    PostingLine,
    commodity_places,
)

MAX_MEMO_LENGTH = 500


DraftLine = PostingLine
"""A line of an entry to write: the posting rules' own line class."""


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """A validated entry, not yet numbered, hashed or written."""

    pool_id: int
    currency: str
    entry_type: EntryType
    effective_date: date
    memo: str
    lines: tuple[DraftLine, ...]
    events: tuple[EventIn, ...] = ()
    reverses_entry_id: int | None = None
    # None keeps the cash account's current setting (reversals); a bool sets it.
    cash_may_go_negative: bool | None = None


MEMORANDUM_TYPES = frozenset({EntryType.VALUATION, EntryType.REVERSAL, EntryType.PORTFOLIO_COMPANY_FEE})
"""Entries that may move nothing: a mark that confirms the books, the reversal of such an
entry, and a fee the manager received from a portfolio company (a fact the fee offset
reads; the pool's money does not move)."""

_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(UNITS_DP + 1)}


def _check_amount(value: Decimal, commodity: str, field: str) -> Decimal:
    try:
        amount = to_decimal(value, field)
    except LedgerInputError as exc:
        raise ValidationFailed(exc.reason, field=field) from None
    if amount == 0:
        raise ValidationFailed("a posting must move something: amount is zero", field=field)
    if abs(amount) > MAX_MAGNITUDE:
        raise ValidationFailed(f"absolute value must not exceed 10^12, got {amount}", field=field)
    places = commodity_places(commodity)
    # One quantize both checks the precision (it is exact iff the value has at most `places`
    # decimals) and writes the amount at its scale; this runs once per posting. Within 10^12
    # and 6 places the result has at most 19 digits, inside the default 28-digit context.
    presented = amount.quantize(_QUANTA[places])
    if presented != amount:
        try:
            check_scale(amount, places, field, "units" if commodity == UNITS_COMMODITY else commodity)
        except LedgerInputError as exc:
            raise ValidationFailed(exc.reason, field=field) from None
    return presented


def _checked_line(line: DraftLine, commodity: str, quantum: Decimal, field: str) -> DraftLine:
    """The line with its amount checked and written at the commodity's scale."""
    amount = line.amount
    # The common case, a rule's amount already at its commodity's scale and in range: exact
    # by construction, so the line is taken as it is (one object fewer per posting).
    if (
        amount.__class__ is Decimal
        and amount.is_finite()
        and amount.same_quantum(quantum)
        and -MAX_MAGNITUDE <= amount <= MAX_MAGNITUDE
    ):
        return line
    return DraftLine(line.account, line.investor_id, _check_amount(amount, commodity, field))


def check_balanced(totals: dict[str, Decimal], field: str = "postings") -> None:
    off = {commodity: total for commodity, total in sorted(totals.items()) if total != 0}
    if off:
        detail = ", ".join(f"{commodity} sums to {total}" for commodity, total in off.items())
        raise ValidationFailed(
            f"postings must sum to zero per commodity (debits = credits): {detail}", field=field
        )


def validate_draft(draft: EntryDraft) -> EntryDraft:
    """The checks every entry passes, however it was built; returns it without zero lines.

    Lines of zero are dropped (a posting rule may allocate nothing to someone), the rest
    must: name an investor exactly for per-investor accounts, fit their commodity's scale
    (the currency's minor unit, 6 dp for units) and 10^12, and sum to zero per commodity.
    Errors name the line as `lines[i]...`.
    """
    try:
        currency = get_currency(draft.currency)
    except LedgerInputError as exc:
        raise ValidationFailed(exc.reason, field="currency") from None
    if (draft.entry_type is EntryType.REVERSAL) != (draft.reverses_entry_id is not None):
        raise ValidationFailed(
            "a reversal, and only a reversal, names the entry it reverses", field="reverses_entry_id"
        )
    if len(draft.memo) > MAX_MEMO_LENGTH:
        raise ValidationFailed(f"at most {MAX_MEMO_LENGTH} characters", field="memo")
    lines: list[DraftLine] = []
    totals: dict[str, Decimal] = defaultdict(Decimal)
    # An entry touches a handful of account codes across hundreds of lines (one per
    # investor): each code's facts are looked up once per entry, not once per line.
    facts: dict[AccountCode, tuple[bool, str, Decimal]] = {}
    for index, line in enumerate(draft.lines):
        account, amount = line.account, line.amount
        known = facts.get(account)
        if known is None:
            if not isinstance(account, AccountCode):
                raise ValidationFailed(f"unknown account {account!r}", field=f"lines[{index}].account")
            commodity = account.commodity(currency.code)
            known = facts[account] = (account.per_investor, commodity, _QUANTA[commodity_places(commodity)])
        per_investor, commodity, quantum = known
        if per_investor != (line.investor_id is not None):
            need = "requires an investor_id" if per_investor else "takes no investor_id"
            raise ValidationFailed(f"the {account.value} account {need}", field=f"lines[{index}].investor_id")
        if amount.__class__ is Decimal and amount.is_finite() and amount == 0:
            continue
        checked = _checked_line(line, commodity, quantum, f"lines[{index}].amount")
        lines.append(checked)
        totals[commodity] += checked.amount
    if not lines and draft.entry_type not in MEMORANDUM_TYPES:
        # A valuation that confirms the books' net asset value moves nothing, yet it is a
        # fact about its date (deals of that day are struck at its price), so it is kept.
        raise ValidationFailed("an entry must move something: every line is zero", field="lines")
    check_balanced(totals, "lines")
    return replace(draft, currency=currency.code, lines=tuple(lines))
