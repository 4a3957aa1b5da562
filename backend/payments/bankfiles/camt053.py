"""ISO 20022 bank-to-customer statements (camt.053) and debit/credit notifications (camt.054).

Versions .001.02 (still what most European banks send) and .001.08 are read; the version is
told by the document's namespace, and any other namespace is refused by name rather than read
with guesses. A document may hold several statements (one Stmt per account or per day); each
becomes a `Statement`, its entries read by `camt_entries`. A statement that gives an opening
(OPBD, or PRCD) and a closing (CLBD) booked balance must reconcile with its booked entries.

camt.054 is what the bank sends to confirm the credit transfers the platform initiated (payouts
in a pain.001 file): the same entries, in Ntfctn instead of Stmt, and without balances.
"""

from __future__ import annotations

from decimal import Decimal

from backend.payments.bankfiles._xml import Element, Reader, line_of, local_name, namespace_of, parse_xml
from backend.payments.bankfiles.camt_entries import read_entries
from backend.payments.bankfiles.iban import mask_account
from backend.payments.bankfiles.statement import (
    Statement,
    StatementError,
    check_balances,
    parse_currency,
    parse_iso_datetime,
    parse_signed_balance,
)

_ISO = "urn:iso:std:iso:20022:tech:xsd:"
CAMT053_NAMESPACES = frozenset({f"{_ISO}camt.053.001.02", f"{_ISO}camt.053.001.08"})
CAMT054_NAMESPACES = frozenset({f"{_ISO}camt.054.001.02", f"{_ISO}camt.054.001.08"})
_OPENING = ("OPBD", "PRCD")  # opening booked; else the previous statement's closing booked
_CLOSING = "CLBD"


def parse_camt053(data: bytes) -> list[Statement]:
    """Every statement of a camt.053 file, or StatementError naming the line at fault."""
    return _parse(data, CAMT053_NAMESPACES, "camt.053", "BkToCstmrStmt", "Stmt")


def parse_camt054(data: bytes) -> list[Statement]:
    """Every notification of a camt.054 file, each as a Statement without balances."""
    return _parse(data, CAMT054_NAMESPACES, "camt.054", "BkToCstmrDbtCdtNtfctn", "Ntfctn")


def _parse(data: bytes, namespaces: frozenset[str], kind: str, message: str, report: str) -> list[Statement]:
    root = parse_xml(data)
    namespace = namespace_of(root)
    if local_name(root) != "Document" or namespace not in namespaces:
        accepted = ", ".join(sorted(n.removeprefix(_ISO) for n in namespaces))
        raise StatementError(
            line_of(root),
            "Document",
            f"not a {kind} document this platform reads "
            f"(namespace {namespace or 'none'!r}; accepted: {accepted})",
        )
    x = Reader(namespace)
    body = x.find(root, message)
    if body is None:
        raise StatementError(line_of(root), message, f"a {kind} document needs its {message} element")
    group_created = x.text(body, "GrpHdr/CreDtTm")
    reports = x.findall(body, report)
    if not reports:
        raise StatementError(line_of(body), report, f"the document holds no {report}")
    return [_statement(x, element, report, group_created) for element in reports]


def _statement(x: Reader, element: Element, report: str, group_created: str | None) -> Statement:
    line = line_of(element)
    statement_id = x.text(element, "Id")
    if statement_id is None:
        raise StatementError(line, f"{report}/Id", "statement has no Id")
    created = x.text(element, "CreDtTm") or group_created
    account = x.first_text(element, "Acct/Id/IBAN", "Acct/Id/Othr/Id")
    account_currency = x.text(element, "Acct/Ccy")
    entries = read_entries(x, element, statement_id)
    if account_currency is not None:
        currency = parse_currency(account_currency, line, "Acct/Ccy")
        for entry in entries:
            if entry.currency != currency:
                message = f"{entry.currency} entry on a {currency} account"
                raise StatementError(entry.line, "Amt/@Ccy", message)
    else:
        # A multi-currency account names no currency: take the balances' or the entries'.
        # (An lxml element without children is falsy, hence no `or` between the two finds.)
        first = x.find(element, "Bal/Amt")
        first = x.find(element, "Ntry/Amt") if first is None else first
        if first is None:
            raise StatementError(line, "Acct/Ccy", "no currency for the account")
        currency = parse_currency(first.get("Ccy"), line_of(first), "Amt/@Ccy")
    opening, _ = _balance(x, element, _OPENING, currency)
    closing, closing_line = _balance(x, element, (_CLOSING,), currency)
    statement = Statement(
        statement_id=statement_id,
        account=mask_account(account) if account else None,
        currency=currency,
        created_at=parse_iso_datetime(created, line, "CreDtTm") if created else None,
        opening_balance=opening,
        closing_balance=closing,
        entries=tuple(entries),
    )
    check_balances(statement, closing_line, "Bal")
    return statement


def _balance(
    x: Reader, element: Element, codes: tuple[str, ...], currency: str
) -> tuple[Decimal | None, int | None]:
    """The first balance of the preferred type, signed (a debit balance is negative), and its line."""
    balances = x.findall(element, "Bal")
    for code in codes:
        for balance in balances:
            if x.first_text(balance, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry") != code:
                continue
            amount = x.find(balance, "Amt")
            line = line_of(balance)
            if amount is None:
                raise StatementError(line, "Bal/Amt", f"{code} balance has no amount")
            if parse_currency(amount.get("Ccy"), line_of(amount), "Bal/Amt/@Ccy") != currency:
                raise StatementError(line_of(amount), "Bal/Amt/@Ccy", f"{code} balance not in {currency}")
            indicator = x.text(balance, "CdtDbtInd")
            if indicator not in ("CRDT", "DBIT"):
                raise StatementError(line, "Bal/CdtDbtInd", f"expected CRDT or DBIT, got {indicator!r}")
            return parse_signed_balance(amount.text, indicator == "CRDT", line_of(amount), "Bal/Amt"), line
    return None, None
