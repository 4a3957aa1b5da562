"""What a payout file carries: the transfers, the account they are paid from, and the error a
file that cannot be built or does not validate raises."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CreditTransfer:
    """One payout: who is paid, into which account, how much, and the reference they will see.

    end_to_end_id: at most 35 SEPA characters, unique in its file; the bank reports it back on
    the statement (camt.053/054 EndToEndId), which is how a payout is reconciled. amount: > 0 in
    whole cents. remittance: at most 140 characters.
    """

    end_to_end_id: str
    creditor_name: str
    creditor_iban: str
    creditor_bic: str | None
    amount: Decimal
    currency: str
    remittance: str


@dataclass(frozen=True)
class DebtorAccount:
    """The fund's account the payouts are debited from."""

    name: str
    iban: str
    bic: str | None = None


class TransferFileError(ValueError):
    """A payout file that cannot be built, or a pain.001 file that is not valid, with where and why."""

    def __init__(self, line: int | None, field: str, message: str) -> None:
        self.line = line
        self.field = field
        self.message = message
        where = f"line {line}: " if line is not None else ""
        super().__init__(f"{where}{field}: {message}")
