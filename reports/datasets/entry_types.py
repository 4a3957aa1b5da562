"""A transaction type in words: the one table the portal and the exports both show.

Apart from the journal's datasets because the portal reads it too (through reports.interface),
and a label's wording changes for reasons of its own.
"""

from __future__ import annotations

from ledger.interface import EntryType

ENTRY_TYPE_LABELS: dict[EntryType, str] = {
    EntryType.SUBSCRIPTION: "Subscription",
    EntryType.REDEMPTION: "Redemption",
    EntryType.CAPITAL_CALL: "Capital call",
    EntryType.CONTRIBUTION: "Contribution",
    EntryType.DISTRIBUTION: "Distribution",
    EntryType.MANAGEMENT_FEE: "Management fee",
    EntryType.PERFORMANCE_FEE: "Performance fee",
    EntryType.FEE_PAYMENT: "Fee payment",
    EntryType.INCOME: "Income",
    EntryType.EXPENSE: "Expense",
    EntryType.PURCHASE: "Purchase",
    EntryType.SALE: "Sale",
    EntryType.VALUATION: "Valuation",
    EntryType.TRANSFER: "Transfer",
    EntryType.ADJUSTMENT: "Adjustment",
    EntryType.REVERSAL: "Reversal",
}


def entry_type_label(entry_type: EntryType | str, reverses: int | None = None) -> str:
    """A transaction type in words ("Capital call"; "Reversal of #123" when the entry it
    reverses is known): the one table the portal and the exports both show."""
    try:
        kind = EntryType(entry_type)
    except ValueError:  # a type this build does not know yet still reads as words
        return str(entry_type).replace("_", " ").capitalize()
    if kind is EntryType.REVERSAL and reverses is not None:
        return f"Reversal of #{reverses}"
    return ENTRY_TYPE_LABELS.get(kind, kind.value.replace("_", " ").capitalize())
