"""Bank files of the bank-transfer rail: camt.053/054, MT940 and CSV statements in, pain.001 out.

Every expected figure below is worked out by hand from the fixture files in tests/fixtures/bank/
(their comments-free XML is what a bank sends), not read back from the parser.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lxml import etree
from sepaxml.validation import try_valid_xml

from backend.payments.bankfiles import (
    CreditTransfer,
    DebtorAccount,
    Statement,
    StatementEntry,
    StatementError,
    TransferFileError,
    credit_transfer_file,
    mask_account,
    normalise_iban,
    parse_camt053,
    parse_camt054,
    parse_mt940,
    parse_statement_csv,
    read_pain001,
    to_cents,
    validate_bic,
    validate_pain001,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bank"
PAIN = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.03}"


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _total(statement: Statement, direction: str) -> Decimal:
    return sum((e.amount for e in statement.entries if e.direction == direction), Decimal(0))


def _by_e2e(statements: list[Statement]) -> dict[str | None, StatementEntry]:
    return {e.end_to_end_id: e for s in statements for e in s.entries}


# --- camt.053.001.02 ------------------------------------------------------------------------------


def test_camt053_reads_both_statements_with_their_balances_and_booked_entries() -> None:
    first, second = parse_camt053(_read("camt053_capital_call.xml"))
    assert (first.statement_id, second.statement_id) == ("STMT-20260302-061", "STMT-20260303-062")
    assert first.account == second.account == "DE…3000"
    assert first.currency == "EUR"
    assert first.created_at == datetime(2026, 3, 2, 22, 0, tzinfo=timezone(timedelta(hours=1)))
    assert (first.opening_balance, first.closing_balance) == (Decimal("150000.00"), Decimal("221665.50"))
    # PRCD stands in for a missing OPBD.
    assert (second.opening_balance, second.closing_balance) == (Decimal("221665.50"), Decimal("211165.50"))
    # 6 Ntry in the first statement: one PDNG (skipped), one batch of 3 (split) -> 5 - 1 + 3 = 7.
    assert len(first.entries) == 7
    assert len(second.entries) == 2
    # credits 25000.00 + 12500.50 + (10000 + 15000 + 5000) + 4200.00; one fee debit of 35.00
    assert _total(first, "credit") == Decimal("71700.50")
    assert _total(first, "debit") == Decimal("35.00")
    assert _total(second, "credit") == Decimal("7500.00")
    assert _total(second, "debit") == Decimal("18000.00")
    assert all(isinstance(e.amount, Decimal) and e.amount > 0 for s in (first, second) for e in s.entries)


def test_camt053_first_entry_carries_reference_counterparty_and_source_line() -> None:
    entry = parse_camt053(_read("camt053_capital_call.xml"))[0].entries[0]
    assert entry.entry_reference == "2026030200001101"
    assert (entry.booking_date, entry.value_date) == (date(2026, 3, 2), date(2026, 3, 2))
    assert entry.amount == Decimal("25000.00")
    assert str(entry.amount) == "25000.00"  # exact, from the text
    assert entry.direction == "credit"
    assert entry.remittance == "CC-0007-INV-0012 Capital call no. 3"
    assert entry.end_to_end_id == "ACME-PF-20260227-01"
    assert entry.payer_name == "Acme Pension Fund Trustees Ltd"
    assert entry.counterparty_account == "GB…6819"
    assert entry.bank_code == "PMNT/RCDT/ESCT"
    assert entry.batch_reference is None
    assert not entry.is_return
    assert entry.line == 63  # the <Ntry> element


def test_camt053_structured_creditor_reference_and_notprovided_end_to_end_id() -> None:
    entry = parse_camt053(_read("camt053_capital_call.xml"))[0].entries[1]
    assert entry.remittance == "CC-0007-INV-0013"  # from Strd/CdtrRefInf/Ref
    assert entry.end_to_end_id is None  # NOTPROVIDED is SEPA's "none given"
    assert entry.payer_name == "Société Générale Investissements"
    assert entry.counterparty_account == "FR…2606"


def test_camt053_batch_booking_is_split_one_entry_per_transaction() -> None:
    entries = parse_camt053(_read("camt053_capital_call.xml"))[0].entries
    batch = [e for e in entries if e.batch_reference is not None]
    assert [e.amount for e in batch] == [Decimal("10000.00"), Decimal("15000.00"), Decimal("5000.00")]
    assert sum(e.amount for e in batch) == Decimal("30000.00")  # the Ntry's booked amount
    assert {e.batch_reference for e in batch} == {"VDBH-PMTINF-0301-A"}
    assert [e.end_to_end_id for e in batch] == ["VDBH-0301-001", "VDBH-0301-002", "VDBH-0301-003"]
    assert [e.remittance for e in batch] == ["CC-0007-INV-0014", "CC-0007-INV-0015", "CC-0007-INV-0016"]
    assert [e.counterparty_account for e in batch] == ["NL…4300", "AT…3201", "BE…7034"]
    assert [e.payer_name for e in batch] == [
        "Van den Berg Holding B.V.",
        "Alpine Family Office GmbH",
        "Dupont et Fils SA",
    ]
    # No TxDtls AcctSvcrRef: stable references derived from the Ntry's, unique per transaction.
    assert [e.entry_reference for e in batch] == [f"2026030200001103/{i}" for i in (1, 2, 3)]
    assert [e.line for e in batch] == [216, 239, 262]  # each TxDtls element


def test_camt053_batch_without_transaction_amounts_stays_one_entry() -> None:
    text = _read("camt053_capital_call.xml").decode()
    batch_start, batch_end = text.index("<Btch>"), text.index("</NtryDtls>", text.index("<Btch>"))
    batch = re.sub(r"\s*<AmtDtls>.*?</AmtDtls>", "", text[batch_start:batch_end], flags=re.DOTALL)
    assert batch.count("<TxDtls>") == 3 and "<AmtDtls>" not in batch
    entries = parse_camt053((text[:batch_start] + batch + text[batch_end:]).encode())[0].entries
    assert len(entries) == 5  # the three transactions are one entry again
    (summary,) = [e for e in entries if e.batch_reference == "VDBH-PMTINF-0301-A"]
    assert (summary.amount, summary.entry_reference) == (Decimal("30000.00"), "2026030200001103")
    assert summary.remittance == "SAMMLER-GUTSCHRIFT 3 POSTEN"
    assert summary.end_to_end_id is None


def test_camt053_batch_with_some_amounts_missing_is_refused() -> None:
    text = _read("camt053_capital_call.xml").decode()
    one_missing = re.sub(
        r"<AmtDtls>\s*<TxAmt>\s*<Amt Ccy=\"EUR\">15000\.00</Amt>\s*</TxAmt>\s*</AmtDtls>", "", text
    )
    assert one_missing != text
    with pytest.raises(StatementError, match="without an amount") as caught:
        parse_camt053(one_missing.encode())
    assert (caught.value.line, caught.value.field) == (239, "TxDtls/Amt")


def test_camt053_pending_entry_is_not_imported() -> None:
    statements = parse_camt053(_read("camt053_capital_call.xml"))
    everything = [e for s in statements for e in s.entries]
    assert "PENDING-0001" not in {e.end_to_end_id for e in everything}
    assert Decimal("999.99") not in {e.amount for e in everything}
    assert "2026030200001105" not in {e.entry_reference for e in everything}


def test_camt053_return_is_flagged_with_its_reason() -> None:
    entries = parse_camt053(_read("camt053_capital_call.xml"))[0].entries
    returns = [e for e in entries if e.is_return]
    assert len(returns) == 1
    (returned,) = returns
    assert returned.amount == Decimal("4200.00")
    assert returned.direction == "credit"  # a payout that came back
    assert returned.end_to_end_id == "DIST-0003-0001"
    assert returned.return_reason == "AC04"
    assert returned.bank_code == "PMNT/ICDT/RRTN"
    assert returned.counterparty_account == "ES…1332"
    assert all(e.return_reason is None for e in entries if not e.is_return)


def test_camt053_fee_debit_without_details_takes_the_entry_text() -> None:
    fee = parse_camt053(_read("camt053_capital_call.xml"))[0].entries[-1]
    assert (fee.direction, fee.amount) == ("debit", Decimal("35.00"))
    assert fee.remittance == "Kontofuehrungsentgelt 02/2026"
    assert fee.bank_code == "ACMT/MDOP/CHRG"
    assert (fee.payer_name, fee.counterparty_account, fee.end_to_end_id) == (None, None, None)


def test_camt053_debit_names_the_creditor_and_joins_unstructured_lines() -> None:
    credit, payout = parse_camt053(_read("camt053_capital_call.xml"))[1].entries
    assert credit.remittance == "CC-0008-INV-0001 Zweiter Kapitalabruf"  # two Ustrd elements
    assert payout.direction == "debit"
    assert payout.payer_name == "Rossi Family Trust"  # the creditor, not our own fund
    assert payout.counterparty_account == "IT…3456"
    assert payout.end_to_end_id == "DIST-0002-0001"


# --- camt.053.001.08 and camt.054 ------------------------------------------------------------------


def test_camt053_v08_reads_choice_status_party_names_and_transaction_amounts() -> None:
    (statement,) = parse_camt053(_read("camt053_v08.xml"))
    assert statement.statement_id == "C53-20260310-0417"
    assert statement.opening_balance == Decimal("10000.00")
    assert statement.closing_balance == Decimal("80250.25")
    # 5 Ntry: INFO skipped, a batch of 2 split -> 5 - 1 + 1 = 5 entries
    assert len(statement.entries) == 5
    assert _total(statement, "credit") == Decimal("79250.25")  # 50000 + 20000 + 8000.25 + 1250
    assert _total(statement, "debit") == Decimal("9000.00")
    first = statement.entries[0]
    assert (first.payer_name, first.remittance) == ("Kowalczyk Capital Sp. z o.o.", "CC-0009-INV-0001")
    assert first.counterparty_account == "PL…2874"
    batch = [e for e in statement.entries if e.batch_reference == "LUXI-2026-03-09"]
    assert [e.amount for e in batch] == [Decimal("20000.00"), Decimal("8000.25")]
    assert [e.entry_reference for e in batch] == ["C53-0417-E02-1", "C53-0417-E02-2"]  # the bank's own
    assert Decimal("300.00") not in {e.amount for e in statement.entries}  # the INFO entry


def test_camt053_v08_return_found_by_bank_transaction_code_alone() -> None:
    (statement,) = parse_camt053(_read("camt053_v08.xml"))
    (returned,) = [e for e in statement.entries if e.is_return]
    # No RvslInd in this one: the RRTN sub-family says it is a return.
    assert returned.end_to_end_id == "DIST-0004-0007"
    assert returned.return_reason == "AC01"
    assert returned.remittance == "Return of payment"  # no RmtInf: the entry's own text
    assert returned.amount == Decimal("1250.00")


def test_camt054_payout_confirmations() -> None:
    (notification,) = parse_camt054(_read("camt054_payout_confirmations.xml"))
    assert notification.statement_id == "C54-20260305-0007"
    assert (notification.opening_balance, notification.closing_balance) == (None, None)
    assert [e.end_to_end_id for e in notification.entries] == [f"DIST-0005-000{i}" for i in (1, 2, 3, 4)]
    assert all(e.direction == "debit" for e in notification.entries)
    assert _total(notification, "debit") == Decimal("20395.67")  # 12000 + 7345.67 + 250 + 800
    batch = [e for e in notification.entries if e.batch_reference == "NW-PAYOUT-20260305-01-1"]
    assert sum(e.amount for e in batch) == Decimal("19595.67")
    accounts = [e.counterparty_account for e in notification.entries]
    assert accounts == ["GB…6819", "FR…2606", "NL…4300", "BE…7034"]


def test_camt_kinds_are_not_mixed_up() -> None:
    with pytest.raises(StatementError, match=r"not a camt\.053 document") as caught:
        parse_camt053(_read("camt054_payout_confirmations.xml"))
    assert caught.value.field == "Document"
    with pytest.raises(StatementError, match=r"not a camt\.054 document"):
        parse_camt054(_read("camt053_capital_call.xml"))


def test_camt053_other_version_is_refused_by_namespace() -> None:
    data = _read("camt053_capital_call.xml").replace(b"camt.053.001.02", b"camt.053.001.04")
    with pytest.raises(StatementError) as caught:
        parse_camt053(data)
    assert "camt.053.001.04" in str(caught.value)
    assert "accepted: camt.053.001.02, camt.053.001.08" in str(caught.value)


# --- malformed camt files: all or nothing, with line and field --------------------------------------


def test_camt053_bad_amount_names_line_and_field() -> None:
    with pytest.raises(StatementError) as caught:
        parse_camt053(_read("camt053_bad_amount.xml"))
    assert (caught.value.line, caught.value.field) == (133, "Amt")
    assert str(caught.value) == "line 133: Amt: not a decimal amount: '12,3x'"


def test_camt053_batch_whose_transactions_do_not_add_up_is_refused() -> None:
    with pytest.raises(StatementError) as caught:
        parse_camt053(_read("camt053_batch_mismatch.xml"))
    assert (caught.value.line, caught.value.field) == (189, "Amt")  # the batch Ntry's Amt
    assert "sum to 29999.00" in caught.value.message
    assert "30000.00" in caught.value.message


def test_camt053_statement_that_does_not_reconcile_is_refused() -> None:
    # The first CLBD (line 46) moved by one cent: an entry is missing, or one too many.
    data = _read("camt053_capital_call.xml").replace(b"221665.50", b"221665.51", 1)
    with pytest.raises(StatementError) as caught:
        parse_camt053(data)
    assert (caught.value.line, caught.value.field) == (46, "Bal")
    assert "221665.51" in caught.value.message


def test_camt053_truncated_file_names_the_line() -> None:
    data = _read("camt053_capital_call.xml").replace(b"</Ntry>", b"", 1)
    with pytest.raises(StatementError) as caught:
        parse_camt053(data)
    assert caught.value.field == "XML"
    assert caught.value.line == 417


def test_entity_expansion_attack_is_refused() -> None:
    with pytest.raises(StatementError) as caught:
        parse_camt053(_read("camt053_billion_laughs.xml"))
    assert (caught.value.line, caught.value.field) == (2, "XML")
    assert "DTD and entity declarations are not allowed" in caught.value.message


def test_entity_attacks_in_other_encodings_and_external_entities_are_refused() -> None:
    bomb = _read("camt053_billion_laughs.xml").decode().replace("UTF-8", "UTF-16")
    with pytest.raises(StatementError):
        parse_camt053(bomb.encode("utf-16"))  # past the byte scan: libxml2's own limits refuse it
    external = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>'
    )
    with pytest.raises(StatementError, match="not allowed"):
        parse_camt053(external)


# --- MT940 -------------------------------------------------------------------------------------------


def test_mt940_reads_both_statements_and_reconciles_them() -> None:
    first, second = parse_mt940(_read("statement.mt940"))
    assert (first.statement_id, second.statement_id) == ("STARTUMSE/00061/001", "STARTUMSE/00062/001")
    assert first.account == "…3000"  # BLZ/account number form
    assert second.account == "DE…3000"  # IBAN form
    assert (first.opening_balance, first.closing_balance) == (Decimal("150000.00"), Decimal("222665.50"))
    assert (second.opening_balance, second.closing_balance) == (Decimal("222665.50"), Decimal("204165.50"))
    assert first.created_at is None
    assert second.created_at == datetime(2026, 3, 3, 6, 15, tzinfo=timezone(timedelta(hours=1)))
    assert len(first.entries) == 6
    assert len(second.entries) == 2
    assert _total(first, "credit") == Decimal("72700.50")  # 25000 + 12500.50 + 30000 + 4200 + 1000
    assert _total(first, "debit") == Decimal("35.00")
    assert _total(second, "debit") == Decimal("18500.00")  # 18000 + the 500 reversal
    assert [e.line for e in first.entries] == [5, 9, 13, 16, 20, 22]
    assert [e.line for e in second.entries] == [33, 37]


def test_mt940_structured_86_gives_end_to_end_id_remittance_and_counterparty() -> None:
    first = parse_mt940(_read("statement.mt940"))[0].entries[0]
    assert first.entry_reference == "2026030200001101"
    assert first.amount == Decimal("25000.00")  # "CR25000,00": credit, funds code R
    assert first.end_to_end_id == "ACME-PF-20260227-01"
    assert first.remittance == "CC-0007-INV-0012 Capital call no. 3"  # ?21 and ?22 joined
    assert first.payer_name == "Acme Pension Fund Trustees Ltd"  # ?32 and ?33
    assert first.counterparty_account == "GB…6819"
    assert first.bank_code == "NTRF/166"
    assert first.booking_date == date(2026, 3, 2)


def test_mt940_returns_by_gvc_and_by_reversal_mark() -> None:
    first, second = parse_mt940(_read("statement.mt940"))
    returned = first.entries[3]
    assert (returned.is_return, returned.direction, returned.amount) == (True, "credit", Decimal("4200.00"))
    assert returned.return_reason == "AC04"  # from "RETOURE AC04 Konto erloschen"
    assert returned.end_to_end_id == "DIST-0003-0001"
    reversal = second.entries[1]  # RC: a credit reversed, so money leaves the account
    assert (reversal.is_return, reversal.direction, reversal.amount) == (True, "debit", Decimal("500.00"))
    assert [e.is_return for e in first.entries] == [False, False, False, True, False, False]


def test_mt940_notprovided_fallbacks_and_unstructured_86() -> None:
    entries = parse_mt940(_read("statement.mt940"))[0].entries
    assert entries[1].end_to_end_id is None  # EREF+NOTPROVIDED
    assert entries[4].remittance == "Kontofuehrungsentgelt 02/2026"
    free = entries[5]
    assert free.entry_reference == "STARTUMSE/00061/001/6"  # NONREF and no bank reference
    assert free.remittance == "Payment CC-0009-INV-0004 from Alpha Beta LLP, thank you"
    assert free.end_to_end_id == "AB-LLP-77"
    assert free.bank_code == "NTRF"


def test_mt940_latin1_file_is_read() -> None:
    data = (
        ":20:X\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C260302EUR0,00\n"
        ":61:260302C10,00NTRFNONREF\n:86:166?20SVWZ+Miete?32M\xfcller\n:62F:C260302EUR10,00\n-\n"
    ).encode("latin-1")
    (statement,) = parse_mt940(data)
    assert statement.entries[0].payer_name == "Müller"
    assert statement.opening_balance == Decimal(0)


@pytest.mark.parametrize(
    ("replace", "by", "line", "field"),
    [
        (b"CR12500,50NTRF", b"CR12500.50NTRF", 9, ":61:"),  # a point where MT940 has a comma
        (b":62F:C260302EUR222665,50", b":62F:C260302EUR222665,49", 25, ":62F:"),
        (b":60F:C260302EUR150000,00", b":60F:C260302EUR150000", 4, ":60F:"),
        (b":61:2603020302DR35,00", b":61:2613020302DR35,00", 20, ":61:"),  # month 13
    ],
)
def test_mt940_malformed_names_line_and_field(replace: bytes, by: bytes, line: int, field: str) -> None:
    data = _read("statement.mt940")
    assert replace in data
    with pytest.raises(StatementError) as caught:
        parse_mt940(data.replace(replace, by, 1))
    assert (caught.value.line, caught.value.field) == (line, field)


def test_mt940_without_closing_balance_is_refused() -> None:
    data = b":20:X\n:25:DE89370400440532013000\n:28C:1/1\n:60F:C260302EUR0,00\n-\n"
    with pytest.raises(StatementError, match="required field missing") as caught:
        parse_mt940(data)
    assert caught.value.field == ":62F:"


# --- CSV ---------------------------------------------------------------------------------------------


def test_csv_statement() -> None:
    (statement,) = parse_statement_csv(_read("statement.csv"))
    assert statement.account is None
    assert statement.currency == "EUR"
    assert len(statement.entries) == 7  # the blank line 5 is skipped
    assert [e.line for e in statement.entries] == [2, 3, 4, 6, 7, 8, 9]
    assert _total(statement, "credit") == Decimal("56700.50")  # 25000 + 12500.50 + 4200 + 7500 + 7500
    assert _total(statement, "debit") == Decimal("18035.00")
    returned = statement.entries[2]
    assert (returned.is_return, returned.value_date, returned.end_to_end_id) == (True, None, "DIST-0003-0001")
    assert statement.entries[1].payer_name == "Société Générale Investissements, Paris"  # quoted comma
    assert [e.counterparty_account for e in statement.entries] == [
        "GB…6819", "FR…2606", "ES…1332", None, "CH…2957", "CH…2957", "…3456",
    ]
    assert statement.entries[1].end_to_end_id is None


def test_csv_entry_references_are_stable_and_distinct() -> None:
    (statement,) = parse_statement_csv(_read("statement.csv"))
    references = [e.entry_reference for e in statement.entries]
    assert len(set(references)) == 7
    # Lines 7 and 8 are the same payment twice: numbered, not merged.
    assert references[4].endswith(":1") and references[5].endswith(":2")
    assert references[4].rsplit(":", 1)[0] == references[5].rsplit(":", 1)[0]
    # The same row in another export gets the same reference.
    lines = _read("statement.csv").decode().splitlines()
    (alone,) = parse_statement_csv(f"{lines[0]}\n{lines[1].replace('25000.00', '25000.0')}\n".encode())
    assert alone.entries[0].entry_reference == references[0]


def test_csv_bad_amount_names_line_and_column() -> None:
    with pytest.raises(StatementError) as caught:
        parse_statement_csv(_read("statement_bad.csv"))
    assert str(caught.value) == "line 3: amount: not a decimal amount: '12.500,50'"


HEADER = (
    "booking_date,value_date,amount,currency,direction,reference,payer_name,payer_account,end_to_end_id,is_return"
)


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("2026-03-02,,-5.00,EUR,credit,r,,,,false", "amount", "not a decimal amount"),
        ("2026-03-02,,0.00,EUR,credit,r,,,,false", "amount", "greater than zero"),
        ("2026-03-02,,5.00,EUR,in,r,,,,false", "direction", "expected credit or debit"),
        ("2026-02-30,,5.00,EUR,credit,r,,,,false", "booking_date", "not a calendar date"),
        ("02.03.2026,,5.00,EUR,credit,r,,,,false", "booking_date", "not an ISO date"),
        ("2026-03-02,,5.00,euro,credit,r,,,,false", "currency", "ISO 4217"),
        ("2026-03-02,,5.00,EUR,credit,r,,,,yes", "is_return", "true or false"),
        ("2026-03-02,,5.00,EUR,credit,r,,,", "row", "9 columns"),
    ],
)
def test_csv_row_errors_name_line_and_column(row: str, field: str, message: str) -> None:
    data = f"{HEADER}\n2026-03-01,,1.00,EUR,credit,ok,,,,false\n{row}\n".encode()
    with pytest.raises(StatementError, match=message) as caught:
        parse_statement_csv(data)
    assert (caught.value.line, caught.value.field) == (3, field)


def test_csv_header_and_file_level_errors() -> None:
    with pytest.raises(StatementError) as caught:
        parse_statement_csv(HEADER.replace("amount", "betrag").encode())
    assert (caught.value.line, caught.value.field) == (1, "betrag")
    with pytest.raises(StatementError) as caught:
        parse_statement_csv(HEADER.replace(",is_return", "").encode())
    assert (caught.value.line, caught.value.field) == (1, "is_return")
    mixed = f"{HEADER}\n2026-03-01,,1.00,EUR,credit,a,,,,\n2026-03-01,,1.00,USD,credit,b,,,,\n"
    with pytest.raises(StatementError, match="USD in a EUR statement") as caught:
        parse_statement_csv(mixed.encode())
    assert caught.value.line == 3
    assert parse_statement_csv(f"{HEADER}\n".encode()) == []
    with pytest.raises(StatementError, match="not UTF-8"):
        parse_statement_csv(f"{HEADER}\n2026-03-01,,1.00,EUR,credit,M\xfcller,,,,\n".encode("latin-1"))


# --- no full account number anywhere ---------------------------------------------------------------

STATEMENT_FIXTURES = [
    ("camt053_capital_call.xml", parse_camt053),
    ("camt053_v08.xml", parse_camt053),
    ("camt054_payout_confirmations.xml", parse_camt054),
    ("statement.mt940", parse_mt940),
    ("statement.csv", parse_statement_csv),
]


# Every account number the fixtures use: the fund's own and its investors'.
ACCOUNTS = [
    "DE89370400440532013000", "0532013000", "GB29NWBK60161331926819", "FR1420041010050500013M02606",
    "NL91ABNA0417164300", "AT611904300234573201", "BE68539007547034", "ES9121000418450200051332",
    "IT60X0542811101000000123456", "CH9300762011623852957", "PL61109010140000071219812874",
    "LU280019400644750000", "IE29AIBK93115212345678", "FI2112345600000785", "0000123456",
]


@pytest.mark.parametrize(("name", "parse"), STATEMENT_FIXTURES)
def test_no_full_account_number_in_any_parse_result(name: str, parse) -> None:
    # Line breaks and spaces out, so an IBAN wrapped over two MT940 lines is found as well.
    source = re.sub(r"\s", "", _read(name).decode())
    present = [account for account in ACCOUNTS if account in source]
    assert len(present) >= 5, "the check must see the fixture's accounts"
    shown = repr(parse(_read(name)))
    for account in present:
        assert account not in shown
        digits = re.sub(r"\D", "", account)
        runs = {digits[i : i + 8] for i in range(len(digits) - 7)}
        leaked = [run for run in runs if run in shown]
        assert leaked == [], f"{name}: digits of {account[:2]}… appear in the result: {leaked}"


def test_an_unmasked_account_cannot_be_put_into_an_entry() -> None:
    with pytest.raises(ValueError, match="must be masked"):
        StatementEntry(
            entry_reference="r", booking_date=date(2026, 3, 2), value_date=None, amount=Decimal(1),
            currency="EUR", direction="credit", is_return=False, remittance="", end_to_end_id=None,
            payer_name=None, counterparty_account="DE89370400440532013000", bank_code=None,
            batch_reference=None, line=1,
        )


# --- IBAN, BIC, masking ------------------------------------------------------------------------------


def test_normalise_iban_accepts_spaces_and_lower_case() -> None:
    assert normalise_iban("de89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    assert normalise_iban("FR14 2004 1010 0505 0001 3M02 606") == "FR1420041010050500013M02606"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("DE89370400440532013001", "IBAN: checksum does not match"),
        ("DE8937040044053201300", "IBAN: wrong length for DE: 21 characters, expected 22"),
        ("XX89370400440532013000", "IBAN: unknown country code 'XX'"),
        ("DE89370400440532O13000", "IBAN: characters or structure not valid for DE"),
        ("   ", "IBAN: empty"),
    ],
)
def test_normalise_iban_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        normalise_iban(text)
    assert str(caught.value) == message


def test_validate_bic() -> None:
    assert validate_bic("cobadeffxxx") == "COBADEFFXXX"
    assert validate_bic("NWBKGB2L") == "NWBKGB2L"
    with pytest.raises(ValueError, match="8 or 11 characters"):
        validate_bic("COBADE")
    with pytest.raises(ValueError, match="unknown country code 'XX'"):
        validate_bic("COBAXXFF")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("DE89 3704 0044 0532 0130 00", "DE…3000"),
        ("gb29nwbk60161331926819", "GB…6819"),
        ("0532013000", "…3000"),
        ("37040044/0532013000", "…3000"),
        ("12-34-56 87654321", "…4321"),
        ("123", "…123"),
    ],
)
def test_mask_account(text: str, masked: str) -> None:
    assert mask_account(text) == masked


def test_mask_account_needs_an_account() -> None:
    with pytest.raises(ValueError):
        mask_account(" / ")


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ -", min_size=1, max_size=40))
def test_mask_account_never_shows_more_than_country_and_four(text: str) -> None:
    assume(re.search(r"[A-Z0-9]", text) is not None)
    masked = mask_account(text)
    assert re.fullmatch(r"(?:[A-Z]{2})?…[A-Z0-9]{1,4}", masked)


# --- pain.001 ----------------------------------------------------------------------------------------

DEBTOR = DebtorAccount("Northwind Growth Fund I SCSp", "DE89 3704 0044 0532 0130 00", "COBADEFFXXX")
TRANSFERS = [
    CreditTransfer("DIST-0005-0001", "Acme Pension Fund Trustees Ltd", "GB29NWBK60161331926819",
                   "NWBKGB2LXXX", Decimal("12000.00"), "EUR", "Distribution 2026-03 Northwind I"),
    CreditTransfer("DIST-0005-0002", "Société Générale Investissements", "FR1420041010050500013M02606",
                   None, Decimal("7345.67"), "EUR", "Distribution 2026-03 Northwind I"),
    CreditTransfer("DIST-0005-0003", "Van den Berg Holding B.V.", "NL91 ABNA 0417 1643 00",
                   None, Decimal("250"), "EUR", "Distribution 2026-03 Northwind I"),
]


def _pain(transfers=TRANSFERS, **options) -> bytes:
    return credit_transfer_file(
        DEBTOR, transfers, message_id="NW-PAYOUT-20260305-01", execution_date=date(2026, 3, 5),
        created_at=datetime(2026, 3, 4, 9, 30), **options,
    )


def test_pain001_round_trip_for_three_transfers() -> None:
    xml = _pain()
    validate_pain001(xml)
    try_valid_xml(xml, "pain.001.001.03")  # sepaxml's own validator (xmlschema) agrees
    root = etree.fromstring(xml)
    header = root.find(f"{PAIN}CstmrCdtTrfInitn/{PAIN}GrpHdr")
    assert header.findtext(f"{PAIN}MsgId") == "NW-PAYOUT-20260305-01"
    assert header.findtext(f"{PAIN}CreDtTm") == "2026-03-04T09:30:00"
    assert header.findtext(f"{PAIN}NbOfTxs") == "3"
    assert header.findtext(f"{PAIN}CtrlSum") == "19595.67"  # 12000.00 + 7345.67 + 250.00
    (info,) = root.findall(f"{PAIN}CstmrCdtTrfInitn/{PAIN}PmtInf")
    assert info.findtext(f"{PAIN}BtchBookg") == "true"
    assert info.findtext(f"{PAIN}NbOfTxs") == "3"
    assert info.findtext(f"{PAIN}CtrlSum") == "19595.67"
    assert info.findtext(f"{PAIN}ReqdExctnDt") == "2026-03-05"
    assert info.findtext(f"{PAIN}DbtrAcct/{PAIN}Id/{PAIN}IBAN") == "DE89370400440532013000"
    assert info.findtext(f"{PAIN}DbtrAgt/{PAIN}FinInstnId/{PAIN}BIC") == "COBADEFFXXX"
    txs = info.findall(f"{PAIN}CdtTrfTxInf")
    assert [t.findtext(f"{PAIN}Amt/{PAIN}InstdAmt") for t in txs] == ["12000.00", "7345.67", "250.00"]
    assert {t.find(f"{PAIN}Amt/{PAIN}InstdAmt").get("Ccy") for t in txs} == {"EUR"}
    assert [t.findtext(f"{PAIN}CdtrAcct/{PAIN}Id/{PAIN}IBAN") for t in txs] == [
        "GB29NWBK60161331926819", "FR1420041010050500013M02606", "NL91ABNA0417164300",
    ]
    assert [t.findtext(f"{PAIN}PmtId/{PAIN}EndToEndId") for t in txs] == [
        "DIST-0005-0001", "DIST-0005-0002", "DIST-0005-0003",
    ]
    assert txs[1].findtext(f"{PAIN}Cdtr/{PAIN}Nm") == "Societe Generale Investissements"  # transliterated
    assert txs[0].findtext(f"{PAIN}CdtrAgt/{PAIN}FinInstnId/{PAIN}BIC") == "NWBKGB2LXXX"
    assert _pain() == xml  # reproducible: same inputs, same bytes


def test_pain001_ids_come_back_on_the_banks_confirmation() -> None:
    sent = read_pain001(_pain())
    confirmed = _by_e2e(parse_camt054(_read("camt054_payout_confirmations.xml")))
    for transfer in sent:
        entry = confirmed[transfer.end_to_end_id]
        assert (entry.amount, entry.direction) == (transfer.amount, "debit")
        assert entry.counterparty_account == mask_account(transfer.creditor_iban)


def test_pain001_without_batch_booking_has_one_payment_block_per_transfer() -> None:
    root = etree.fromstring(_pain(batch=False))
    infos = root.findall(f"{PAIN}CstmrCdtTrfInitn/{PAIN}PmtInf")
    assert [i.findtext(f"{PAIN}BtchBookg") for i in infos] == ["false"] * 3
    assert [i.findtext(f"{PAIN}NbOfTxs") for i in infos] == ["1"] * 3
    assert [i.findtext(f"{PAIN}CtrlSum") for i in infos] == ["12000.00", "7345.67", "250.00"]
    assert [i.findtext(f"{PAIN}PmtInfId") for i in infos] == [f"NW-PAYOUT-20260305-01-{n}" for n in (1, 2, 3)]


def test_pain001_debtor_without_bic_is_notprovided() -> None:
    xml = credit_transfer_file(
        DebtorAccount("Northwind Growth Fund I SCSp", "DE89370400440532013000"),
        TRANSFERS[:1], message_id="M1", execution_date=date(2026, 3, 5),
    )
    root = etree.fromstring(xml)
    agent = root.find(f"{PAIN}CstmrCdtTrfInitn/{PAIN}PmtInf/{PAIN}DbtrAgt/{PAIN}FinInstnId")
    assert agent.findtext(f"{PAIN}Othr/{PAIN}Id") == "NOTPROVIDED"


def _with(**changes) -> list[CreditTransfer]:
    return [dataclasses.replace(TRANSFERS[0], **changes)]


@pytest.mark.parametrize(
    ("transfers", "message"),
    [
        (_with(currency="USD"), "EUR only, not 'USD'"),
        (_with(amount=Decimal("10.005")), "fractions of a cent"),
        (_with(amount=Decimal("0.00")), "greater than zero"),
        (_with(amount=Decimal("-5.00")), "greater than zero"),
        (_with(amount=Decimal("1000000000.00")), "SEPA maximum"),
        (_with(creditor_iban="DE89370400440532013001"), "creditor_iban: IBAN: checksum does not match"),
        (_with(creditor_iban="BR1800360305000010009795493C1"), "outside the SEPA zone"),
        (_with(creditor_bic="NWBK"), "BIC: must be 8 or 11"),
        (_with(end_to_end_id="X" * 36), "end_to_end_id: 1 to 35"),
        (_with(end_to_end_id="DIST_0005"), "end_to_end_id: 1 to 35"),
        (_with(end_to_end_id="/DIST-1"), "must not start or end with '/'"),
        (_with(remittance="R" * 141), "remittance: 141 characters, at most 140"),
        (_with(remittance="  "), "remittance: must not be empty"),
        (_with(creditor_name="Smith & Sons"), "character '&' is not in the SEPA character set"),
        (_with(creditor_name="N" * 71), "creditor_name: 71 characters, at most 70"),
        ([*_with(), *_with()], "'DIST-0005-0001' is used by two transfers"),
        ([], "at least one transfer"),
    ],
)
def test_pain001_refuses_what_a_sepa_bank_would_reject(transfers, message: str) -> None:
    with pytest.raises(TransferFileError, match=re.escape(message)):
        _pain(transfers)


def test_pain001_refuses_a_bad_message_id_or_debtor() -> None:
    with pytest.raises(TransferFileError, match="message_id"):
        credit_transfer_file(DEBTOR, TRANSFERS, message_id="M" * 36, execution_date=date(2026, 3, 5))
    with pytest.raises(TransferFileError, match=r"debtor\.iban: IBAN: checksum"):
        credit_transfer_file(
            DebtorAccount("Fund", "DE89370400440532013001"), TRANSFERS, message_id="M",
            execution_date=date(2026, 3, 5),
        )


def test_pain001_transliterates_names_without_dropping_anything() -> None:
    changed = _with(creditor_name="Jürgen Müller-Straße", remittance="Ausschüttung €")
    (transfer,) = read_pain001(_pain(changed))
    assert transfer.creditor_name == "Jurgen Muller-Strasse"
    assert transfer.remittance == "Ausschuttung EUR"


def _pretty_pain() -> bytes:
    """The generated file, one element a line, so that a test can point at lines."""
    tree = etree.fromstring(_pain())
    return bytes(etree.tostring(tree, pretty_print=True, xml_declaration=True, encoding="UTF-8"))


def _replace_nth(data: bytes, old: bytes, new: bytes, nth: int) -> bytes:
    parts = data.split(old)
    assert len(parts) > nth
    return old.join(parts[:nth]) + new + old.join(parts[nth:])


@pytest.mark.parametrize(
    ("old", "new", "nth", "field", "line"),
    [
        (b"<CtrlSum>19595.67</CtrlSum>", b"<CtrlSum>19595.68</CtrlSum>", 1, "GrpHdr/CtrlSum", 8),
        (b"<CtrlSum>19595.67</CtrlSum>", b"<CtrlSum>19595.66</CtrlSum>", 2, "PmtInf/CtrlSum", 18),
        (b"<NbOfTxs>3</NbOfTxs>", b"<NbOfTxs>4</NbOfTxs>", 1, "GrpHdr/NbOfTxs", 7),
        (b"<NbOfTxs>3</NbOfTxs>", b"<NbOfTxs>2</NbOfTxs>", 2, "PmtInf/NbOfTxs", 17),
        (b">250.00</InstdAmt>", b">250.01</InstdAmt>", 1, "PmtInf/CtrlSum", 18),
        (b">250.00</InstdAmt>", b">250.001</InstdAmt>", 1, "InstdAmt", None),
        (b'Ccy="EUR">250.00', b'Ccy="USD">250.00', 1, "InstdAmt/@Ccy", None),
    ],
)
def test_validate_pain001_checks_counts_sums_and_amounts_with_the_line(
    old: bytes, new: bytes, nth: int, field: str, line: int | None
) -> None:
    pretty = _pretty_pain()
    validate_pain001(pretty)
    with pytest.raises(TransferFileError) as caught:
        validate_pain001(_replace_nth(pretty, old, new, nth))
    assert caught.value.field == field
    if line is not None:
        assert caught.value.line == line
    else:
        assert caught.value.line is not None


def test_validate_pain001_reports_xsd_errors_with_their_line() -> None:
    pretty = _pretty_pain()
    target = b"<IBAN>GB29NWBK60161331926819</IBAN>"
    line = next(n for n, text in enumerate(pretty.split(b"\n"), start=1) if target in text)
    with pytest.raises(TransferFileError) as caught:
        validate_pain001(pretty.replace(target, b"<IBAN>gb29 nwbk</IBAN>"))
    assert caught.value.field == "XSD"
    assert caught.value.line == line
    assert str(caught.value).startswith(f"line {line}: XSD: Element")
    assert "IBAN" in str(caught.value)


def test_validate_pain001_refuses_other_documents_and_entity_attacks() -> None:
    with pytest.raises(TransferFileError, match=r"not a pain\.001\.001\.03 document"):
        validate_pain001(_read("camt053_v08.xml"))
    with pytest.raises(TransferFileError, match="not allowed"):
        validate_pain001(_read("camt053_billion_laughs.xml"))


@pytest.mark.parametrize(
    ("amount", "cents"),
    [
        ("0.01", 1),
        ("19595.67", 1959567),
        ("250", 25000),
        ("1.500", 150),
        ("1E+2", 10000),
        ("999999999.99", 99999999999),
    ],
)
def test_to_cents_is_exact(amount: str, cents: int) -> None:
    assert to_cents(Decimal(amount)) == cents


@pytest.mark.parametrize("amount", ["1.005", "0.001", "0", "-1.00", "NaN", "Infinity"])
def test_to_cents_refuses(amount: str) -> None:
    with pytest.raises(ValueError):
        to_cents(Decimal(amount))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2),
        min_size=1,
        max_size=4,
    )
)
def test_amounts_survive_the_file_exactly(amounts: list[Decimal]) -> None:
    transfers = [
        CreditTransfer(f"E2E-{n}", "Investor", "GB29NWBK60161331926819", None, amount, "EUR", "Payout")
        for n, amount in enumerate(amounts)
    ]
    xml = _pain(transfers)
    assert [t.amount for t in read_pain001(xml)] == amounts
    header = etree.fromstring(xml).find(f"{PAIN}CstmrCdtTrfInitn/{PAIN}GrpHdr")
    assert Decimal(header.findtext(f"{PAIN}CtrlSum")) == sum(amounts, Decimal(0))
    assert [to_cents(a) for a in amounts] == [int(a.scaleb(2)) for a in amounts]
