"""Management fee offsets in the books: a fee the manager received from a portfolio company is
recorded as a memorandum entry, and the management fees after it are reduced by the terms'
share of it (backend.finance.fees.fee_offsets has the rule and its published examples).

The offset is worked cumulatively from the entries that stand, so reversing a fee entry gives
its offset back and reversing a portfolio-company fee takes its offset away, with no state
carried from entry to entry:

    earned to date = offset rate x portfolio-company fees received up to the last day of
                     the period charged, rounded half-even once
    available      = earned to date - offset used by the management fees that stand,
                     never below zero (a reversed portfolio-company fee whose offset was
                     already used is made good by later fees' offsets first)
    used           = min(available, this period's fee); the rest is carried forward

The offset used is shared pro rata to each investor's fee, so the GP's commitment, which bears
no fee, gets none. In the postings the fee payable is credited with the gross fee and debited
with the offset used, so both figures are in the hashed lines; each capital account bears its
fee net of its share of the offset.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from backend.finance.allocation import allocate_cash
from backend.finance.errors import InvalidValueError
from backend.finance.fees.fee_offsets import (
    FEE_OFFSET_ROUNDING,
    FeeOffsetTerms,
    PortfolioFeeKind,
    apply_fee_offset,
)
from backend.finance.money import exact_arithmetic, quantize_cash
from backend.platform.errors import ValidationFailed
from ledger.entry_drafts import MAX_MEMO_LENGTH
from ledger.posting_rules.books import (
    Line,
    PoolBooks,
    PoolTerms,
    Posting,
    _non_zero,
    _positive_cash,
    investment_name,
)
from ledger.schemas import AccountCode, EntryType


def portfolio_company_fee(
    terms: PoolTerms,
    books: PoolBooks,
    *,
    amount: object,
    fee_kind: PortfolioFeeKind | None,
    investment: str | None = None,
) -> Posting:
    """A fee a portfolio company paid the manager: no money of the pool moves; the management
    fees charged after it are reduced by the terms' offset rate of it."""
    del books  # the fact needs no balance; the signature is every rule's
    fee = _positive_cash(amount, terms, "amount")
    if fee_kind is None:
        raise InvalidValueError(
            "fee_kind", "say what the manager was paid for: transaction, monitoring, director or break_up"
        )
    rate = terms.management_fee.offset_rate if terms.management_fee is not None else None
    details: dict[str, Any] = {
        "amount": str(fee),
        "fee_kind": PortfolioFeeKind(fee_kind).value,
        "offset_rate": None if rate is None else str(rate),
    }
    if investment is not None:
        details["investment"] = investment_name(investment)
    return Posting(EntryType.PORTFOLIO_COMPANY_FEE, (), details)


@exact_arithmetic
def offset_fee_lines(
    terms: PoolTerms, books: PoolBooks, fee: Decimal, shares: Mapping[str, Decimal], last_day: date
) -> tuple[tuple[Line, ...], dict[str, Any]]:
    """The lines of a management fee of ``fee`` borne in proportion to ``shares``, reduced by
    the offset available on ``last_day``, and the workings ("fee_offset", and the net
    "amount" and "allocation") for the entry's details."""
    fee_terms = terms.management_fee
    if fee_terms is None or fee_terms.offset_rate is None:
        raise InvalidValueError("management_fee.offset_rate", "the pool's terms offset no fees")
    currency = terms.currency
    rate = fee_terms.offset_rate
    received = books.fee_offsets.received_through(last_day)
    earned = quantize_cash(Fraction(received) * Fraction(rate), currency, FEE_OFFSET_ROUNDING)
    used_before = books.fee_offsets.used
    available = max(earned - used_before, quantize_cash(0, currency))
    fees = allocate_cash(fee, shares, currency)
    offset = apply_fee_offset(fees, (), FeeOffsetTerms(rate), currency, brought_forward=available)
    nets = {holder: part.net_fee for holder, part in offset.by_investor.items()}
    lines = _non_zero(
        [
            *(Line(AccountCode.CAPITAL, int(holder), net) for holder, net in nets.items()),
            Line(AccountCode.FEES_PAYABLE, None, -fee),
            Line(AccountCode.FEES_PAYABLE, None, offset.used),
        ]
    )
    workings = {
        "rate": str(rate),
        "fees_received_to_date": str(received),
        "earned_to_date": str(earned),
        "used_before": str(used_before),
        "available": str(available),
        "gross_fee": str(fee),
        "used": str(offset.used),
        "carried_forward": str(offset.carried_forward),
        "by_investor": {h: str(p.offset) for h, p in offset.by_investor.items() if p.offset},
    }
    details = {
        "fee_offset": workings,
        "amount": str(offset.net_fee),
        "allocation": {holder: str(net) for holder, net in nets.items()},
    }
    return lines, details


def stated_memo(currency: str, details: Mapping[str, Any], memo: str) -> str:
    """A portfolio-company fee's memo: the fee in words before the manager's own memo, because
    the hash chain covers an entry's memo and postings, and this entry has no postings."""
    kind = details["fee_kind"].replace("_", "-")
    stated = f"{kind} fee of {details['amount']} {currency} received by the manager"
    if "investment" in details:
        stated += f" from {details['investment']}"
    whole = f"{stated}: {memo}" if memo else stated
    if len(whole) > MAX_MEMO_LENGTH:
        room = MAX_MEMO_LENGTH - len(stated) - 2
        raise ValidationFailed(
            f"memo: at most {room} characters for this fee (the entry's memo also states the fee)",
            field="memo",
        )
    return whole
