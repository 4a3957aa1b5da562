"""Bank files of the bank-transfer rail: statements in, credit transfers out.

Pure code: bytes in, values out, no database and no I/O. Statements (camt.053, camt.054, MT940,
CSV) become `Statement`s of booked `StatementEntry`s for the reconciliation, or a
`StatementError` naming the line and field at fault (never a partial result); payouts become a
SEPA pain.001.001.03 file validated against the official XSD. No full account number leaves a
parser: counterparty and statement accounts are masked ("DE…3000").
"""

from backend.payments.bankfiles.camt053 import parse_camt053, parse_camt054
from backend.payments.bankfiles.csv_statement import parse_statement_csv
from backend.payments.bankfiles.iban import mask_account, normalise_iban, validate_bic
from backend.payments.bankfiles.mt940 import parse_mt940
from backend.payments.bankfiles.pain001 import credit_transfer_file, to_cents
from backend.payments.bankfiles.pain001_check import read_pain001, validate_pain001
from backend.payments.bankfiles.statement import Direction, Statement, StatementEntry, StatementError
from backend.payments.bankfiles.transfers import CreditTransfer, DebtorAccount, TransferFileError

__all__ = [
    "CreditTransfer",
    "DebtorAccount",
    "Direction",
    "Statement",
    "StatementEntry",
    "StatementError",
    "TransferFileError",
    "credit_transfer_file",
    "mask_account",
    "normalise_iban",
    "parse_camt053",
    "parse_camt054",
    "parse_mt940",
    "parse_statement_csv",
    "read_pain001",
    "to_cents",
    "validate_bic",
    "validate_pain001",
]
