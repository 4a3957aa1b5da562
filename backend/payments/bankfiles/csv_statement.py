"""A plain CSV statement, for a bank or a manual export that offers neither camt nor MT940.

The file is UTF-8 (a byte-order mark is allowed), comma-separated with RFC 4180 quoting, and
starts with this header (the columns may come in any order; none may be missing or added):

    booking_date,value_date,amount,currency,direction,reference,payer_name,payer_account,end_to_end_id,is_return

- booking_date: YYYY-MM-DD, required. value_date: YYYY-MM-DD or empty.
- amount: positive, digits with an optional '.' decimal point, e.g. 1250.00. No sign, no
  thousands separator, no decimal comma: "1.250,00" is refused, not guessed at.
- currency: ISO 4217 code; every row of a file in the same currency (a file is one statement).
- direction: credit or debit (the sign lives here, not in the amount).
- reference: the payment reference as the payer wrote it (becomes the remittance).
- payer_name, payer_account, end_to_end_id: may be empty. payer_account (IBAN or any account
  number) is masked on reading; the full number is never kept.
- is_return: true or false (empty means false): the row is a returned payment.

Blank lines are skipped. The file has no account or statement metadata, so the statement's
account is None (the uploader says which account it is for), its id is derived from the file's
content, and each entry's reference from its row's content: re-importing the same rows, even in
another file, gives the same references. A header with no rows gives no statement at all.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter

from backend.payments.bankfiles.iban import mask_account
from backend.payments.bankfiles.statement import (
    Direction,
    Statement,
    StatementEntry,
    StatementError,
    parse_amount,
    parse_currency,
    parse_iso_date,
)

COLUMNS = (
    "booking_date",
    "value_date",
    "amount",
    "currency",
    "direction",
    "reference",
    "payer_name",
    "payer_account",
    "end_to_end_id",
    "is_return",
)
_BOOLEAN = {"true": True, "false": False, "": False}


def parse_statement_csv(data: bytes) -> list[Statement]:
    """The statement in a CSV file (a list of one, or empty), or StatementError with line and column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise StatementError(data.count(b"\n", 0, error.start) + 1, "file", "not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise StatementError(1, "header", "empty file: the header row is missing")
        columns = _columns([name.strip() for name in header])
        entries: list[StatementEntry] = []
        seen: Counter[str] = Counter()
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise StatementError(
                    reader.line_num, "row", f"{len(row)} columns where the header has {len(columns)}"
                )
            values = {name: cell.strip() for name, cell in zip(columns, row, strict=True)}
            entries.append(_entry(values, reader.line_num, seen))
    except csv.Error as error:
        raise StatementError(reader.line_num, "row", f"not valid CSV: {error}") from None
    if not entries:
        return []
    currency = entries[0].currency
    for entry in entries:
        if entry.currency != currency:
            raise StatementError(entry.line, "currency", f"{entry.currency} in a {currency} statement")
    return [
        Statement(
            statement_id=f"csv:{hashlib.sha256(data).hexdigest()[:16]}",
            account=None,
            currency=currency,
            created_at=None,
            opening_balance=None,
            closing_balance=None,
            entries=tuple(entries),
        )
    ]


def _columns(header: list[str]) -> list[str]:
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise StatementError(1, unknown[0], f"unknown column; the header must be {','.join(COLUMNS)}")
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise StatementError(1, missing[0], "column missing from the header")
    if len(set(header)) != len(header):
        raise StatementError(1, "header", "a column appears twice")
    return header


def _entry(values: dict[str, str], line: int, seen: Counter[str]) -> StatementEntry:
    direction = values["direction"]
    if direction not in ("credit", "debit"):
        raise StatementError(line, "direction", f"expected credit or debit, got {direction!r}")
    flag = values["is_return"].lower()
    if flag not in _BOOLEAN:
        raise StatementError(line, "is_return", f"expected true or false, got {values['is_return']!r}")
    account = mask_account(values["payer_account"]) if values["payer_account"] else None
    booking_date = parse_iso_date(values["booking_date"], line, "booking_date")
    amount = parse_amount(values["amount"], line, "amount")
    currency = parse_currency(values["currency"], line, "currency")
    # The row's content names the entry: stable across re-exports, numbered if a row repeats.
    # The masked account, not the full one, goes into the digest.
    content = "\x1f".join(
        (booking_date.isoformat(), f"{amount.normalize():f}", currency, direction, values["reference"],
         values["payer_name"], account or "", values["end_to_end_id"], flag)
    )
    digest = hashlib.sha256(content.encode()).hexdigest()[:20]
    seen[digest] += 1
    typed_direction: Direction = "credit" if direction == "credit" else "debit"
    return StatementEntry(
        entry_reference=f"csv:{digest}:{seen[digest]}",
        booking_date=booking_date,
        value_date=parse_iso_date(values["value_date"], line, "value_date") if values["value_date"] else None,
        amount=amount,
        currency=currency,
        direction=typed_direction,
        is_return=_BOOLEAN[flag],
        remittance=values["reference"],
        end_to_end_id=values["end_to_end_id"] or None,
        payer_name=values["payer_name"] or None,
        counterparty_account=account,
        bank_code=None,
        batch_reference=None,
        line=line,
    )
