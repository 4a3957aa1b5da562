"""Validating a pain.001.001.03 file, and reading its transfers back.

The XSD is the official ISO 20022 schema as sepaxml ships it, copied to xsd/ so that the check
does not depend on a library's data layout. Beyond the schema, SEPA and bookkeeping rules that an
XSD cannot say are checked: NbOfTxs and CtrlSum (in the group header and in each payment
information block) equal the count and the exact sum of the transfers, and every amount is EUR
in whole cents.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree

from backend.payments.bankfiles._xml import Element, Reader, line_of, namespace_of, parse_xml
from backend.payments.bankfiles.statement import StatementError
from backend.payments.bankfiles.transfers import CreditTransfer, TransferFileError

SCHEMA = "pain.001.001.03"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
XSD_PATH = Path(__file__).parent / "xsd" / f"{SCHEMA}.xsd"
_SEPA_AMOUNT = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,2})?")
_ERRORS_SHOWN = 5


def _schema() -> Any:
    # Compiled per call (about 2 ms): an lxml schema object is not to be shared between threads.
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(XSD_PATH), parser))


def _validated_root(xml: bytes) -> Element:
    try:
        root = parse_xml(xml)
    except StatementError as error:
        raise TransferFileError(error.line, error.field, error.message) from None
    if namespace_of(root) != NAMESPACE:
        raise TransferFileError(line_of(root), "Document", f"not a {SCHEMA} document: {namespace_of(root)!r}")
    schema = _schema()
    if not schema.validate(root):
        errors = list(schema.error_log)
        others = [f"line {e.line}: {e.message}" for e in errors[1:_ERRORS_SHOWN]]
        more = [f"and {len(errors) - _ERRORS_SHOWN} more"] if len(errors) > _ERRORS_SHOWN else []
        raise TransferFileError(errors[0].line, "XSD", "; ".join([errors[0].message, *others, *more]))
    _check_totals(Reader(NAMESPACE), root)
    return root


def validate_pain001(xml: bytes) -> None:
    """Raises TransferFileError (with the line) unless the file is a valid, consistent SEPA pain.001."""
    _validated_root(xml)


def read_pain001(xml: bytes) -> list[CreditTransfer]:
    """The transfers of a valid pain.001 file, in file order (validated first)."""
    root = _validated_root(xml)
    x = Reader(NAMESPACE)
    transfers = []
    for tx in x.findall(root, "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf"):
        amount = _amount(x, tx)
        transfers.append(
            CreditTransfer(
                end_to_end_id=x.text(tx, "PmtId/EndToEndId") or "",
                creditor_name=x.text(tx, "Cdtr/Nm") or "",
                creditor_iban=x.text(tx, "CdtrAcct/Id/IBAN") or "",
                creditor_bic=x.text(tx, "CdtrAgt/FinInstnId/BIC"),
                amount=amount,
                currency="EUR",
                remittance=" ".join(x.texts(tx, "RmtInf/Ustrd")),
            )
        )
    return transfers


def _amount(x: Reader, tx: Element) -> Decimal:
    element = x.find(tx, "Amt/InstdAmt")
    if element is None:
        raise TransferFileError(line_of(tx), "InstdAmt", "a SEPA credit transfer needs an instructed amount")
    text = (element.text or "").strip()
    if not _SEPA_AMOUNT.fullmatch(text):
        raise TransferFileError(line_of(element), "InstdAmt", f"not a SEPA amount in whole cents: {text!r}")
    if element.get("Ccy") != "EUR":
        message = f"SEPA is EUR only, not {element.get('Ccy')!r}"
        raise TransferFileError(line_of(element), "InstdAmt/@Ccy", message)
    return Decimal(text)


def _check_count_and_sum(x: Reader, owner: Element, amounts: list[Decimal], where: str) -> None:
    count = x.find(owner, "NbOfTxs")
    if count is not None and int(count.text) != len(amounts):
        message = f"says {count.text.strip()}, the file has {len(amounts)} transfers"
        raise TransferFileError(line_of(count), f"{where}/NbOfTxs", message)
    control = x.find(owner, "CtrlSum")
    total = sum(amounts, Decimal(0))
    if control is not None and Decimal(control.text.strip()) != total:
        message = f"says {control.text.strip()}, the transfers sum to {total}"
        raise TransferFileError(line_of(control), f"{where}/CtrlSum", message)


def _check_totals(x: Reader, root: Element) -> None:
    every: list[Decimal] = []
    for info in x.findall(root, "CstmrCdtTrfInitn/PmtInf"):
        amounts = [_amount(x, tx) for tx in x.findall(info, "CdtTrfTxInf")]
        _check_count_and_sum(x, info, amounts, "PmtInf")
        every.extend(amounts)
    header = x.find(root, "CstmrCdtTrfInitn/GrpHdr")
    _check_count_and_sum(x, header, every, "GrpHdr")
