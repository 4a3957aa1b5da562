"""SEPA credit-transfer files (ISO 20022 pain.001.001.03) for the platform's payouts.

`credit_transfer_file` checks every transfer, has sepaxml build the XML (amounts handed over as
integer cents, converted from Decimal exactly), fixes what sepaxml leaves to chance (the message
id, the creation time, random payment-information ids, an empty debtor agent), then validates
the result against the official XSD and reads it back to check that NbOfTxs, CtrlSum, amounts,
IBANs and end-to-end ids are the ones asked for. A file that fails any check is never returned.

SEPA is EUR only: a transfer in any other currency is refused. A fund paying USD (or GBP)
distributions needs another format (pain.001 for cross-border payments, or the bank's own), which
is not built here.

Names and remittance text are transliterated to the SEPA character set (é -> e, ß -> ss); a
character with no such spelling is refused, never dropped, and nothing is cut to length: a
value too long is refused too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lxml import etree
from sepaxml import SepaTransfer

from backend.payments.bankfiles.iban import in_sepa_zone, normalise_iban, validate_bic
from backend.payments.bankfiles.pain001_check import SCHEMA, read_pain001, validate_pain001
from backend.payments.bankfiles.transfers import CreditTransfer, DebtorAccount, TransferFileError

__all__ = [
    "SCHEMA",
    "CreditTransfer",
    "DebtorAccount",
    "TransferFileError",
    "credit_transfer_file",
    "read_pain001",
    "to_cents",
    "validate_pain001",
]

# The EPC's basic Latin character set, which every SEPA bank must accept.
_SEPA_TEXT = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]*")
_SPELLED = {"ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Œ": "OE", "œ": "oe", "Ł": "L", "ł": "l",
            "Đ": "D", "đ": "d", "Þ": "TH", "þ": "th", "€": "EUR", "\u2019": "'"}
_MAX_CENTS = 99_999_999_999  # 999,999,999.99 EUR, the SEPA scheme's ceiling for one transfer
_NAME_MAX = 70
_REMITTANCE_MAX = 140
_ID_MAX = 35


def to_cents(amount: Decimal) -> int:
    """The amount in whole cents, exactly; ValueError for a fraction of a cent or a non-positive amount."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValueError(f"amount: not a finite Decimal: {amount!r}")
    # Integer arithmetic on the digits: no rounding context can touch the amount on the way.
    sign, digits, exponent = amount.as_tuple()
    number = int("".join(map(str, digits)) or "0")
    shift = int(exponent) + 2  # a finite Decimal's exponent is a number
    if shift < 0:
        number, remainder = divmod(number, 10**-shift)
        if remainder:
            raise ValueError(f"amount: fractions of a cent are not allowed: {amount}")
    else:
        number *= 10**shift
    if sign or number == 0:
        raise ValueError(f"amount: must be greater than zero: {amount}")
    if number > _MAX_CENTS:
        raise ValueError(f"amount: above the SEPA maximum of 999999999.99: {amount}")
    return int(number)


def _sepa_text(text: str, field: str, maximum: int) -> str:
    spelled = "".join(_SPELLED.get(c, c) for c in unicodedata.normalize("NFKD", text))
    plain = " ".join("".join(c for c in spelled if not unicodedata.combining(c)).split())
    if not plain:
        raise ValueError(f"{field}: must not be empty")
    if not _SEPA_TEXT.fullmatch(plain):
        bad = next(c for c in plain if not _SEPA_TEXT.fullmatch(c))
        raise ValueError(f"{field}: character {bad!r} is not in the SEPA character set")
    if len(plain) > maximum:
        raise ValueError(f"{field}: {len(plain)} characters, at most {maximum} allowed")
    return plain


def _identifier(text: str, field: str) -> str:
    if not text or len(text) > _ID_MAX or not _SEPA_TEXT.fullmatch(text) or text != text.strip():
        raise ValueError(f"{field}: 1 to {_ID_MAX} SEPA characters without outer spaces: {text!r}")
    if text.startswith("/") or text.endswith("/") or "//" in text:
        raise ValueError(f"{field}: must not start or end with '/' nor contain '//': {text!r}")
    return text


def _sepa_iban(text: str, field: str) -> str:
    try:
        iban = normalise_iban(text)
    except ValueError as error:
        raise ValueError(f"{field}: {error}") from None
    if not in_sepa_zone(iban):
        raise ValueError(f"{field}: {iban[:2]} accounts are outside the SEPA zone")
    return iban


def _payment(transfer: CreditTransfer, execution_date: date) -> dict[str, Any]:
    if transfer.currency != "EUR":
        raise ValueError(f"currency: SEPA credit transfers are EUR only, not {transfer.currency!r}")
    payment: dict[str, Any] = {
        "name": _sepa_text(transfer.creditor_name, "creditor_name", _NAME_MAX),
        "IBAN": _sepa_iban(transfer.creditor_iban, "creditor_iban"),
        "amount": to_cents(transfer.amount),
        "execution_date": execution_date,
        "description": _sepa_text(transfer.remittance, "remittance", _REMITTANCE_MAX),
        "endtoend_id": _identifier(transfer.end_to_end_id, "end_to_end_id"),
    }
    if transfer.creditor_bic:
        payment["BIC"] = validate_bic(transfer.creditor_bic)
    return payment


def credit_transfer_file(
    debtor: DebtorAccount,
    transfers: Sequence[CreditTransfer],
    *,
    message_id: str,
    execution_date: date,
    batch: bool = True,
    created_at: datetime | None = None,
) -> bytes:
    """A validated pain.001.001.03 file paying `transfers` from `debtor`'s account.

    batch=True asks the bank for one booking of the total (BtchBookg true, one PmtInf);
    batch=False gives one PmtInf, and one booking, per transfer. created_at (default: now, local
    time) is the file's CreDtTm; pass it to make the file reproducible.
    """
    if not transfers:
        raise TransferFileError(None, "transfers", "a credit-transfer file needs at least one transfer")
    try:
        config: dict[str, Any] = {
            "name": _sepa_text(debtor.name, "debtor.name", _NAME_MAX),
            "IBAN": _sepa_iban(debtor.iban, "debtor.iban"),
            "batch": batch,
            "currency": "EUR",
        }
        if debtor.bic:
            config["BIC"] = validate_bic(debtor.bic)
        message_id = _identifier(message_id, "message_id")
    except ValueError as error:
        raise TransferFileError(None, "debtor", str(error)) from None
    payments: list[dict[str, Any]] = []
    for number, transfer in enumerate(transfers, start=1):
        try:
            payments.append(_payment(transfer, execution_date))
        except ValueError as error:
            where = f"transfer {number} ({transfer.end_to_end_id!r})"
            raise TransferFileError(None, where, str(error)) from None
    ids = [p["endtoend_id"] for p in payments]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate is not None:
        raise TransferFileError(None, "end_to_end_id", f"{duplicate!r} is used by two transfers")
    # clean=False: the texts are already in the SEPA set, and sepaxml's cleaning would cut them.
    sepa = SepaTransfer(config, clean=False)
    for payment in payments:
        sepa.add_payment(payment)
    # sepaxml's own check (validate=True) runs the same XSD through xmlschema: ours below gives lines.
    xml = _settle(sepa.export(validate=False), message_id, created_at)
    _check_against(xml, payments)
    return xml


def _settle(xml: bytes, message_id: str, created_at: datetime | None) -> bytes:
    """Our message id and time, stable payment-information ids, and NOTPROVIDED for no debtor BIC."""
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    ns = {"p": etree.QName(root).namespace}
    root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", ns).text = message_id
    if created_at is not None:
        root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:CreDtTm", ns).text = created_at.strftime("%Y-%m-%dT%H:%M:%S")
    for number, info in enumerate(root.iterfind("p:CstmrCdtTrfInitn/p:PmtInf", ns), start=1):
        suffix = f"-{number}"
        info.find("p:PmtInfId", ns).text = message_id[: _ID_MAX - len(suffix)] + suffix
        institution = info.find("p:DbtrAgt/p:FinInstnId", ns)
        if len(institution) == 0:
            other = etree.SubElement(institution, f"{{{ns['p']}}}Othr")
            etree.SubElement(other, f"{{{ns['p']}}}Id").text = "NOTPROVIDED"
    body = bytes(etree.tostring(root, xml_declaration=False, encoding="UTF-8"))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _check_against(xml: bytes, payments: list[dict[str, Any]]) -> None:
    """The file is valid (XSD, counts, sums) and says what was asked: same transfers, amounts,
    accounts and ids, in the same order."""
    found = read_pain001(xml)
    asked = [(p["endtoend_id"], p["IBAN"], Decimal(p["amount"]).scaleb(-2)) for p in payments]
    if [(t.end_to_end_id, t.creditor_iban, t.amount) for t in found] != asked:
        message = "the generated file does not match the transfers asked for"
        raise TransferFileError(None, "CdtTrfTxInf", message)
