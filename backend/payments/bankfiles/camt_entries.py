"""The entries (Ntry) of ISO 20022 camt.053 statements and camt.054 notifications.

The same reading serves .001.02 and .001.08, whose entries differ in a few places, each handled
where it occurs: the status is a bare code in .02 and a choice (Sts/Cd) in .08; a transaction's
own amount is TxDtls/Amt in .08 and TxDtls/AmtDtls/TxAmt/Amt in both; a party's name is
Dbtr/Nm in .02 and Dbtr/Pty/Nm in .08.

Only booked entries (Sts BOOK) are returned: pending (PDNG), information-only (INFO) and future
(FUTR) entries may still change or vanish, so importing them would match money not yet on the
account. A batch booking (one Ntry for several transactions, with TxDtls for each) is split into
one entry per transaction, after checking that their amounts add up to the booked amount; a
batch reported without its transactions, or without their amounts, stays one entry for the sum.
A batch where only some transactions have an amount is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from backend.payments.bankfiles._xml import Element, Reader, line_of
from backend.payments.bankfiles.iban import mask_account
from backend.payments.bankfiles.statement import (
    Direction,
    StatementEntry,
    StatementError,
    parse_amount,
    parse_currency,
    parse_iso_date,
)

# Bank transaction codes (family or sub-family) that mean money came back: a payment return,
# an ACH return, a reversal after a cancellation request.
RETURN_CODES = frozenset({"RRTN", "ARET", "RPCR"})
BOOKED = "BOOK"
_NOT_PROVIDED = "NOTPROVIDED"  # the SEPA placeholder for "the payer gave no end-to-end id"


def read_entries(x: Reader, container: Element, statement_id: str) -> list[StatementEntry]:
    """Every booked entry of one Stmt or Ntfctn, batch bookings split, in file order."""
    entries: list[StatementEntry] = []
    for index, ntry in enumerate(x.findall(container, "Ntry"), start=1):
        status = x.first_text(ntry, "Sts/Cd", "Sts/Prtry", "Sts")
        if status is None:
            raise StatementError(line_of(ntry), "Sts", "entry has no status")
        if status == BOOKED:
            entries.extend(_read_entry(x, ntry, f"{statement_id}/{index}"))
    return entries


def _direction(text: str | None, line: int, field: str) -> Direction:
    if text == "CRDT":
        return "credit"
    if text == "DBIT":
        return "debit"
    raise StatementError(line, field, f"expected CRDT or DBIT, got {text!r}")


def _amount(element: Element, field: str) -> tuple[Decimal, str]:
    amount = parse_amount(element.text, line_of(element), field)
    return amount, parse_currency(element.get("Ccy"), line_of(element), f"{field}/@Ccy")


def _bank_code(x: Reader, owner: Element) -> tuple[str | None, frozenset[str]]:
    """The code as "PMNT/RCDT/ESCT" (or the proprietary code), and its family and sub-family."""
    domain = x.text(owner, "BkTxCd/Domn/Cd")
    family = x.text(owner, "BkTxCd/Domn/Fmly/Cd")
    sub_family = x.text(owner, "BkTxCd/Domn/Fmly/SubFmlyCd")
    codes = frozenset(code for code in (family, sub_family) if code)
    if domain:
        return "/".join(c for c in (domain, family, sub_family) if c), codes
    return x.text(owner, "BkTxCd/Prtry/Cd"), codes


def _remittance(x: Reader, tx: Element | None) -> str:
    if tx is None:
        return ""
    # A bank splits long unstructured text over several Ustrd elements; a structured creditor
    # reference (RF... or the platform's own) sits in Strd/CdtrRefInf/Ref.
    parts = x.texts(tx, "RmtInf/Ustrd") + x.texts(tx, "RmtInf/Strd/CdtrRefInf/Ref")
    return " ".join(parts) or (x.text(tx, "AddtlTxInf") or "")


def _counterparty(x: Reader, tx: Element | None, direction: Direction) -> tuple[str | None, str | None]:
    """The other side's name and masked account: the debtor of a credit, the creditor of a debit."""
    if tx is None:
        return None, None
    party = "Dbtr" if direction == "credit" else "Cdtr"
    name = x.first_text(
        tx,
        f"RltdPties/{party}/Nm",
        f"RltdPties/{party}/Pty/Nm",
        f"RltdPties/Ultmt{party}/Nm",
        f"RltdPties/Ultmt{party}/Pty/Nm",
    )
    account = x.first_text(tx, f"RltdPties/{party}Acct/Id/IBAN", f"RltdPties/{party}Acct/Id/Othr/Id")
    return name, mask_account(account) if account else None


@dataclass(frozen=True)
class _Booking:
    """What an entry's transactions share: the Ntry's dates, codes and reversal mark."""

    booking_date: date
    value_date: date | None
    reversal: bool
    code: str | None
    codes: frozenset[str]
    fallback_remittance: str
    currency: str
    batch_reference: str | None


def _read_entry(x: Reader, ntry: Element, fallback_reference: str) -> list[StatementEntry]:
    line = line_of(ntry)
    amount_element = x.find(ntry, "Amt")
    if amount_element is None:
        raise StatementError(line, "Amt", "entry has no amount")
    amount, currency = _amount(amount_element, "Amt")
    direction = _direction(x.text(ntry, "CdtDbtInd"), line, "CdtDbtInd")
    booked = x.first_text(ntry, "BookgDt/Dt", "BookgDt/DtTm")
    if booked is None:
        raise StatementError(line, "BookgDt", "booked entry has no booking date")
    valued = x.first_text(ntry, "ValDt/Dt", "ValDt/DtTm")
    reference = x.first_text(ntry, "AcctSvcrRef", "NtryRef") or fallback_reference
    transactions = [tx for details in x.findall(ntry, "NtryDtls") for tx in x.findall(details, "TxDtls")]
    is_batch = len(transactions) > 1 or x.find(ntry, "NtryDtls/Btch") is not None
    code, codes = _bank_code(x, ntry)
    booking = _Booking(
        booking_date=parse_iso_date(booked, line, "BookgDt"),
        value_date=parse_iso_date(valued, line, "ValDt") if valued else None,
        reversal=x.text(ntry, "RvslInd") in ("true", "1"),
        code=code,
        codes=codes,
        fallback_remittance=x.text(ntry, "AddtlNtryInf") or "",
        currency=currency,
        batch_reference=(
            x.first_text(ntry, "NtryDtls/Btch/PmtInfId", "NtryDtls/Btch/MsgId") or reference
            if is_batch
            else None
        ),
    )
    if len(transactions) > 1 and not any(_has_amount(x, tx) for tx in transactions):
        # Transactions listed without their amounts cannot be split: the batch stays one entry.
        transactions = []
    if len(transactions) <= 1:
        # One transaction, or a batch the bank reports as one sum without its transactions.
        tx = transactions[0] if transactions else None
        return [_entry(x, tx, booking, reference=reference, amount=amount, direction=direction, line=line)]
    split = [
        _batch_part(x, tx, booking, index=index, reference=reference, direction=direction)
        for index, tx in enumerate(transactions, 1)
    ]
    total = sum((e.amount if e.direction == direction else -e.amount for e in split), Decimal(0))
    if total != amount:
        raise StatementError(
            line_of(amount_element),
            "Amt",
            f"the {len(split)} TxDtls amounts of the batch sum to {total}, the entry books {amount}",
        )
    return split


def _has_amount(x: Reader, tx: Element) -> bool:
    return x.find(tx, "Amt") is not None or x.find(tx, "AmtDtls/TxAmt/Amt") is not None


def _batch_part(
    x: Reader, tx: Element, booking: _Booking, *, index: int, reference: str, direction: Direction
) -> StatementEntry:
    line = line_of(tx)
    element, field = x.find(tx, "Amt"), "TxDtls/Amt"
    if element is None:
        element, field = x.find(tx, "AmtDtls/TxAmt/Amt"), "TxDtls/AmtDtls/TxAmt/Amt"
    if element is None:
        raise StatementError(line, "TxDtls/Amt", "a batch transaction without an amount cannot be split")
    amount, currency = _amount(element, field)
    if currency != booking.currency:
        raise StatementError(line_of(element), f"{field}/@Ccy", f"{currency} in a {booking.currency} batch")
    indicator = x.text(tx, "CdtDbtInd")
    tx_direction = _direction(indicator, line, "TxDtls/CdtDbtInd") if indicator else direction
    own = x.text(tx, "Refs/AcctSvcrRef")
    # The transaction's own bank reference when it has one, else a stable one derived from the Ntry.
    tx_reference = own if own and own != reference else f"{reference}/{index}"
    return _entry(x, tx, booking, reference=tx_reference, amount=amount, direction=tx_direction, line=line)


def _entry(
    x: Reader,
    tx: Element | None,
    booking: _Booking,
    *,
    reference: str,
    amount: Decimal,
    direction: Direction,
    line: int,
) -> StatementEntry:
    code, codes = booking.code, booking.codes
    reason, end_to_end, has_return_info = None, None, False
    if tx is not None:
        if x.find(tx, "BkTxCd") is not None:
            tx_code, tx_codes = _bank_code(x, tx)
            code, codes = tx_code or code, codes | tx_codes
        end_to_end = x.text(tx, "Refs/EndToEndId")
        reason = x.first_text(tx, "RtrInf/Rsn/Cd", "RtrInf/Rsn/Prtry")
        has_return_info = x.find(tx, "RtrInf") is not None
    name, account = _counterparty(x, tx, direction)
    return StatementEntry(
        entry_reference=reference,
        booking_date=booking.booking_date,
        value_date=booking.value_date,
        amount=amount,
        currency=booking.currency,
        direction=direction,
        is_return=booking.reversal or bool(codes & RETURN_CODES) or has_return_info,
        remittance=_remittance(x, tx) or booking.fallback_remittance,
        end_to_end_id=end_to_end if end_to_end and end_to_end != _NOT_PROVIDED else None,
        payer_name=name,
        counterparty_account=account,
        bank_code=code,
        batch_reference=booking.batch_reference,
        line=line,
        return_reason=reason,
    )
