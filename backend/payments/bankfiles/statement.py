"""What every bank-statement parser returns, the one error they raise, and the strict readers of
amounts, dates and currencies they share.

A parser either returns every statement of a file or raises `StatementError`: a half-imported
statement would leave the reconciliation with money it cannot see, so there is no partial result.
Amounts are read from the text into `Decimal`, never through float, and are always positive: the
direction says which way the money went.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

Direction = Literal["credit", "debit"]

# A masked account is at most a country code, the ellipsis and four characters: anything longer
# could be a full account number, which the platform must never store.
_MASKED = re.compile(r"(?:[A-Z]{2})?…[A-Z0-9]{0,4}")
_CURRENCY = re.compile(r"[A-Z]{3}")
# ISO 20022 amounts are xs:decimal with at most 18 digits, 5 of them after the point.
_MAX_DIGITS = 18
_MAX_FRACTION = 5


class StatementError(ValueError):
    """A bank file that cannot be imported, with where and why: "line 42: Amt: not a decimal ..."."""

    def __init__(self, line: int | None, field: str, message: str) -> None:
        self.line = line
        self.field = field
        self.message = message
        where = f"line {line}: " if line is not None else ""
        super().__init__(f"{where}{field}: {message}")


def _check_masked(value: str | None, what: str) -> None:
    if value is not None and not _MASKED.fullmatch(value):
        raise ValueError(f"{what} must be masked (country + '…' + last 4), got a value of {len(value)} chars")


@dataclass(frozen=True)
class StatementEntry:
    """One booked movement on the account, as the reconciliation matches it to a payment.

    entry_reference: the bank's reference (AcctSvcrRef) or one derived from the file's content,
    the same on every import of the same file. amount: positive, exact; direction gives the sign.
    is_return: a returned or reversed payment, return_reason its ISO reason code (AC04, ...)
    when the bank gives one. remittance: the payer's reference text (unstructured lines joined
    with spaces, or the structured creditor reference). payer_name and counterparty_account:
    the other side (the debtor of a credit, the creditor of a debit), the account masked.
    batch_reference: set on every entry split from one batch booking. line: where the entry
    starts in the source file, for error messages and the manual match screen.
    """

    entry_reference: str
    booking_date: date
    value_date: date | None
    amount: Decimal
    currency: str
    direction: Direction
    is_return: bool
    remittance: str
    end_to_end_id: str | None
    payer_name: str | None
    counterparty_account: str | None
    bank_code: str | None
    batch_reference: str | None
    line: int
    return_reason: str | None = None

    def __post_init__(self) -> None:
        # The parsers guarantee these; the checks make a parser bug fail loudly instead of storing
        # a negative amount or an account number.
        if not (isinstance(self.amount, Decimal) and self.amount.is_finite() and self.amount > 0):
            raise ValueError(f"amount must be a positive Decimal, got {self.amount!r}")
        if self.direction not in ("credit", "debit"):
            raise ValueError(f"direction must be 'credit' or 'debit', got {self.direction!r}")
        _check_masked(self.counterparty_account, "counterparty_account")


@dataclass(frozen=True)
class Statement:
    """One account statement (or notification) with the entries booked on it, in file order."""

    statement_id: str
    account: str | None
    currency: str
    created_at: datetime | None
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    entries: tuple[StatementEntry, ...]

    def __post_init__(self) -> None:
        _check_masked(self.account, "account")


def parse_amount(text: str | None, line: int | None, field: str, *, decimal_mark: str = ".") -> Decimal:
    """A positive amount, exactly as written: digits, at most one decimal mark, nothing else.

    No sign, no thousands separator, no exponent: a bank file that writes an amount another way is
    refused rather than guessed at.
    """
    raw = (text or "").strip()
    mark = re.escape(decimal_mark)
    match = re.fullmatch(rf"([0-9]+)(?:{mark}([0-9]*))?", raw)
    if match is None:
        raise StatementError(line, field, f"not a decimal amount: {raw!r}")
    whole, fraction = match.group(1), match.group(2) or ""
    if len(fraction) > _MAX_FRACTION or len(whole.lstrip("0")) + len(fraction) > _MAX_DIGITS:
        raise StatementError(line, field, f"too many digits in amount: {raw!r}")
    amount = Decimal(f"{whole}.{fraction}" if fraction else whole)
    if amount == 0:
        raise StatementError(line, field, f"amount must be greater than zero: {raw!r}")
    return amount


def parse_signed_balance(
    text: str | None, credit: bool, line: int | None, field: str, *, decimal_mark: str = "."
) -> Decimal:
    """A balance: the amount reader's rules, but zero is allowed and a debit balance is negative."""
    raw = (text or "").strip()
    if re.fullmatch(rf"0+(?:{re.escape(decimal_mark)}0*)?", raw):
        return Decimal(0)
    amount = parse_amount(raw, line, field, decimal_mark=decimal_mark)
    return amount if credit else -amount


def parse_currency(text: str | None, line: int | None, field: str) -> str:
    raw = (text or "").strip()
    if not _CURRENCY.fullmatch(raw):
        raise StatementError(line, field, f"not an ISO 4217 currency code: {raw!r}")
    return raw


def parse_iso_date(text: str | None, line: int | None, field: str) -> date:
    """A YYYY-MM-DD date; an ISO date-time is cut to its date (camt BookgDt/DtTm)."""
    raw = (text or "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw[:10]) or (len(raw) > 10 and raw[10] != "T"):
        raise StatementError(line, field, f"not an ISO date: {raw!r}")
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise StatementError(line, field, f"not a calendar date: {raw!r}") from None


def parse_iso_datetime(text: str | None, line: int | None, field: str) -> datetime:
    raw = (text or "").strip()
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise StatementError(line, field, f"not an ISO date-time: {raw!r}") from None


def check_balances(statement: Statement, line: int | None, field: str) -> None:
    """Opening balance plus booked credits minus booked debits must give the closing balance.

    A file that fails this is missing entries (truncated, or a page lost): importing it would
    leave payments unmatched with no sign why, so it is refused.
    """
    if statement.opening_balance is None or statement.closing_balance is None:
        return
    moved = sum(
        (e.amount if e.direction == "credit" else -e.amount for e in statement.entries), Decimal(0)
    )
    expected = statement.opening_balance + moved
    if expected != statement.closing_balance:
        raise StatementError(
            line,
            field,
            f"closing balance {statement.closing_balance} does not equal opening balance "
            f"{statement.opening_balance} plus the booked entries ({moved:+}) = {expected}",
        )
