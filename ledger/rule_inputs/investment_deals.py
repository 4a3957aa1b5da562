"""The pool's investments, deal by deal: the register of named investments and the running
record an American (deal-by-deal) waterfall reads, from the standing purchases, sales,
distributions and clawbacks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ledger import posting_rules as rules
from ledger.book_reads import standing_details
from ledger.investments import investment_book
from ledger.posting_rules import PoolTerms
from ledger.posting_rules.deal_distributions import DealBook
from ledger.schemas import EntryType, InvestmentOut


def investments(session: Session, pool_id: int) -> list[InvestmentOut]:
    """The pool's named investments, deal by deal, from its standing purchases and sales."""
    rows = standing_details(session, pool_id, (EntryType.PURCHASE, EntryType.SALE))
    return investment_book((on, kind, details) for _, on, kind, details in rows)


DealRows = list[tuple[int, date, EntryType, dict[str, Any]]]


def deal_rows(session: Session, pool_id: int) -> DealRows:
    """The standing purchases, sales, distributions and clawbacks an American waterfall reads."""
    kinds = (EntryType.PURCHASE, EntryType.SALE, EntryType.DISTRIBUTION, EntryType.CLAWBACK)
    return standing_details(session, pool_id, kinds)


def deal_facts(rows: DealRows, terms: PoolTerms, commitments: Mapping[int, Decimal]) -> DealBook:
    """The pool's deals and their running record (American waterfall), from ``deal_rows``."""
    named = [(on, kind, d) for _, on, kind, d in rows if "investment" in d]
    return rules.deal_book(
        [(on, d["investment"], Decimal(d["amount"])) for on, kind, d in named if kind is EntryType.PURCHASE],
        [
            (d["investment"], Decimal(d["cost"]), Decimal(d["proceeds"]))
            for _, kind, d in named
            if kind is EntryType.SALE
        ],
        distributions=[(on, d) for on, kind, d in named if kind is EntryType.DISTRIBUTION],
        clawbacks_paid=[d for _, _, kind, d in rows if kind is EntryType.CLAWBACK],
        commitments=commitments,
        currency=terms.currency,
    )
