"""SWIFT MT940 customer statements, as German banks (and many others) still send them.

A small parser of its own rather than a library: the reconciliation needs the source line of each
entry, strict amounts and masked accounts, which the parsing libraries do not give. Fields read:
:20: (reference), :25: (account), :28C: (statement number), :13D: (created), :60F:/:60M:
(opening), :61: (entry), :86: (entry details), :62F:/:62M: (closing); others are skipped. A file
may hold several statements, each ended by a line "-".

:86: in the German structured form ("166?00SEPA-GUTSCHRIFT?20EREF+...?21SVWZ+...?32Name") gives
the business transaction code (GVC, the first three digits), the purpose text (?20-?29, ?60-?63)
with its SEPA keywords (EREF+ end-to-end id, SVWZ+ remittance), the counterparty's account (?31)
and name (?32, ?33). Any other :86: is free text: its lines joined are the remittance (up to
the first SEPA keyword, if it has any), and an EREF+ in it is still the end-to-end id.

A :61: marked RC (reversal of a credit) is a debit and RD (reversal of a debit) a credit; both
are returns, and so are entries with a return GVC (159 for a returned credit transfer, 108/109
for a returned direct debit), as German banks book returns. MT940 has no return-reason field:
for a return, an ISO reason code written in the purpose text ("RETOURE AC04 ...") is taken.
The slash-structured :86: of Dutch banks (/EREF/.../REMI/...) is not parsed: it is kept whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from backend.payments.bankfiles.iban import mask_account
from backend.payments.bankfiles.statement import (
    Direction,
    Statement,
    StatementEntry,
    StatementError,
    check_balances,
    parse_amount,
    parse_currency,
    parse_signed_balance,
)

_TAG = re.compile(r":([0-9]{2}[A-Z]?|NS):")
_ENTRY = re.compile(
    r"(?P<value>\d{6})(?P<booked>\d{4})?(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?"
    r"(?P<amount>\d+,\d*)(?P<type>[NSF][A-Z0-9]{3})(?P<customer>.{0,16}?)(?://(?P<bank>.{1,16}))?"
)
_BALANCE = re.compile(r"(?P<mark>[CD])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>\d+,\d*)")
_SUBFIELD = re.compile(r"\?(\d{2})")
_KEYWORD = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|COAM|OAMT|SVWZ|ABWA|ABWE)\+")
_PURPOSE_SUBFIELDS = frozenset({*(f"2{i}" for i in range(10)), "60", "61", "62", "63"})
_NO_REFERENCE = frozenset({"", "NONREF", "NOTPROVIDED"})
# German business transaction codes (GVC) of returned payments: a SEPA credit transfer returned
# (159), a SEPA direct debit returned (108, 109). Banks book these as plain C/D, not RC/RD.
_RETURN_GVC = frozenset({"108", "109", "159"})
# An ISO 20022 return reason (AC04, MD07, ...) as the bank writes it into a return's purpose text.
_REASON = re.compile(r"\b([A-Z]{2}[0-9]{2})\b")


@dataclass
class _Field:
    tag: str
    line: int
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def parse_mt940(data: bytes) -> list[Statement]:
    """Every statement of an MT940 file, or StatementError naming the line at fault."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # German banks send ISO 8859-1 as often as UTF-8; every byte decodes in Latin-1.
        text = data.decode("latin-1")
    statements = [_statement(fields) for fields in _messages(text)]
    if not statements:
        raise StatementError(None, ":20:", "no MT940 statement in the file")
    return statements


def _messages(text: str) -> list[list[_Field]]:
    """The fields of each message, a field's continuation lines joined to it."""
    messages: list[list[_Field]] = []
    current: list[_Field] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if line.startswith("{") and "{4:" in line:
            line = line.split("{4:", 1)[1]  # SWIFT envelope blocks {1:...}{2:...} before the text
        if line in ("-", "-}"):
            if current:
                messages.append(current)
            current = []
            continue
        match = _TAG.match(line)
        if match:
            if match.group(1) == "20" and current:
                messages.append(current)
                current = []
            current.append(_Field(match.group(1), number, [line[match.end() :]]))
        elif current:
            current[-1].lines.append(line)
        elif line.strip():
            raise StatementError(number, "MT940", f"text before the first field: {line[:20]!r}")
    if current:
        messages.append(current)
    return messages


def _one(fields: list[_Field], *tags: str) -> _Field:
    for tag in tags:
        for found in fields:
            if found.tag == tag:
                return found
    raise StatementError(fields[0].line, f":{tags[0]}:", "required field missing")


def _statement(fields: list[_Field]) -> Statement:
    reference = _one(fields, "20").text.strip()
    number = _one(fields, "28C", "28").text.strip()
    account = _one(fields, "25").text.strip()
    opening_field, closing_field = _one(fields, "60F", "60M"), _one(fields, "62F", "62M")
    currency, opening = _balance(opening_field)
    closing_currency, closing = _balance(closing_field)
    if closing_currency != currency:
        message = f"closing balance in {closing_currency}, opening in {currency}"
        raise StatementError(closing_field.line, f":{closing_field.tag}:", message)
    created = next((f for f in fields if f.tag == "13D"), None)
    entries: list[StatementEntry] = []
    for index, found in enumerate(fields):
        if found.tag == "61":
            following = fields[index + 1] if index + 1 < len(fields) else None
            details = following.text if following is not None and following.tag == "86" else ""
            entries.append(_entry(found, details, currency, f"{reference}/{number}/{len(entries) + 1}"))
    statement = Statement(
        statement_id=f"{reference}/{number}",
        account=mask_account(account) if account else None,
        currency=currency,
        created_at=_created(created) if created is not None else None,
        opening_balance=opening,
        closing_balance=closing,
        entries=tuple(entries),
    )
    check_balances(statement, closing_field.line, f":{closing_field.tag}:")
    return statement


def _yymmdd(text: str, line: int, tag: str) -> date:
    try:
        return date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))
    except ValueError:
        raise StatementError(line, tag, f"not a YYMMDD date: {text!r}") from None


def _balance(found: _Field) -> tuple[str, Decimal]:
    tag = f":{found.tag}:"
    match = _BALANCE.fullmatch(found.text.strip())
    if match is None:
        message = f"not a balance (C/D, YYMMDD, currency, amount): {found.text!r}"
        raise StatementError(found.line, tag, message)
    _yymmdd(match["date"], found.line, tag)
    currency = parse_currency(match["currency"], found.line, tag)
    credit = match["mark"] == "C"
    return currency, parse_signed_balance(match["amount"], credit, found.line, tag, decimal_mark=",")


def _created(found: _Field) -> datetime:
    text = found.text.strip()
    try:
        return datetime.strptime(text, "%y%m%d%H%M%z")
    except ValueError:
        raise StatementError(found.line, ":13D:", f"not a YYMMDDHHMM+ZZZZ date-time: {text!r}") from None


def _entry(found: _Field, details: str, currency: str, fallback_reference: str) -> StatementEntry:
    first = found.lines[0].strip()
    match = _ENTRY.fullmatch(first)
    if match is None:
        raise StatementError(found.line, ":61:", f"not a statement line: {first!r}")
    value_date = _yymmdd(match["value"], found.line, ":61:")
    booking_date = value_date
    if match["booked"]:
        month, day = int(match["booked"][:2]), int(match["booked"][2:])
        # The booking date has no year: take the value date's, moved across a year end if needed.
        year = value_date.year
        if month < value_date.month - 6:
            year += 1
        elif month > value_date.month + 6:
            year -= 1
        try:
            booking_date = date(year, month, day)
        except ValueError:
            message = f"not an MMDD booking date: {match['booked']!r}"
            raise StatementError(found.line, ":61:", message) from None
    mark = match["mark"]
    direction: Direction = "credit" if mark in ("C", "RD") else "debit"
    amount = parse_amount(match["amount"], found.line, ":61:", decimal_mark=",")
    bank_reference = (match["bank"] or "").strip()
    gvc, purpose, name, account = _details(details)
    keywords = _keywords(purpose)
    end_to_end = keywords.get("EREF")
    # The SVWZ+ text, else what comes before the first keyword, else the whole purpose.
    first_keyword = _KEYWORD.search(purpose)
    before_keywords = purpose[: first_keyword.start()].strip() if first_keyword else purpose
    remittance = keywords.get("SVWZ") or before_keywords
    is_return = mark in ("RC", "RD") or gvc in _RETURN_GVC
    reason = _REASON.search(remittance) if is_return else None
    return StatementEntry(
        entry_reference=bank_reference if bank_reference not in _NO_REFERENCE else fallback_reference,
        booking_date=booking_date,
        value_date=value_date,
        amount=amount,
        currency=currency,
        direction=direction,
        is_return=is_return,
        remittance=remittance or purpose,
        end_to_end_id=end_to_end if end_to_end not in _NO_REFERENCE else None,
        payer_name=name,
        counterparty_account=mask_account(account) if account else None,
        bank_code="/".join(c for c in (match["type"], gvc) if c),
        batch_reference=None,
        line=found.line,
        return_reason=reason.group(1) if reason else None,
    )


def _details(text: str) -> tuple[str | None, str, str | None, str | None]:
    """GVC, purpose text, counterparty name and account number of a :86: field."""
    flat = text.replace("\n", "")
    if not re.match(r"\d{3}\?", flat):
        return None, " ".join(part.strip() for part in text.splitlines() if part.strip()), None, None
    parts = _SUBFIELD.split(flat[3:])
    subfields: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=True):
        subfields[key] = subfields.get(key, "") + value
    # ?20-?29 and ?60-?63 are one text cut into 27-character pieces: joined without spaces.
    purpose = "".join(subfields[k] for k in sorted(subfields) if k in _PURPOSE_SUBFIELDS).strip()
    name = (subfields.get("32", "") + subfields.get("33", "")).strip() or None
    account = subfields.get("31", "").strip() or None
    return flat[:3], purpose, name, account


def _keywords(purpose: str) -> dict[str, str]:
    """The SEPA keywords of a purpose text: {"EREF": "...", "SVWZ": "..."}."""
    found = list(_KEYWORD.finditer(purpose))
    return {
        match.group(1): purpose[match.end() : found[i + 1].start() if i + 1 < len(found) else None].strip()
        for i, match in enumerate(found)
    }
