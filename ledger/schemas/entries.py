"""The journal as it is written and read: entry and event types, an entry and its postings
as returned, a page of entries, an account's balance, and the hash chain's verification
report."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from backend.platform.rpc.types import AS_JSON
from ledger.schemas.accounts import AccountCode


class EntryType(enum.StrEnum):
    SUBSCRIPTION = "subscription"
    REDEMPTION = "redemption"
    CAPITAL_CALL = "capital_call"
    CONTRIBUTION = "contribution"
    DISTRIBUTION = "distribution"
    MANAGEMENT_FEE = "management_fee"
    PERFORMANCE_FEE = "performance_fee"
    FEE_PAYMENT = "fee_payment"
    INCOME = "income"
    EXPENSE = "expense"
    PURCHASE = "purchase"
    SALE = "sale"
    VALUATION = "valuation"
    TRANSFER = "transfer"
    ADJUSTMENT = "adjustment"
    REVERSAL = "reversal"
    SUBSEQUENT_CLOSE = "subsequent_close"
    """Investors admitted after capital was called pay their share of the earlier calls and
    equalisation interest; the investors already in get back what they overpaid, and the
    interest (posting_rules.closings)."""
    CLAWBACK = "clawback"
    """The GP gives back carry it took deal by deal beyond the whole fund's figure; it passes
    through the pool to the investors who bore it (posting_rules.deal_distributions)."""
    PORTFOLIO_COMPANY_FEE = "portfolio_company_fee"
    """A memorandum entry: a fee the manager received from a portfolio company. No money of
    the pool moves (no postings); the amount is in the hashed memo, and the management fees
    after it are reduced by the terms' offset rate of it."""


class EventType(enum.StrEnum):
    """Events the engine emits itself; callers may add their own (e.g. valuation.recorded)."""

    ENTRY_COMMITTED = "entry.committed"
    ENTRY_REVERSED = "entry.reversed"


class EventIn(BaseModel):
    """An extra event to publish with the entry, e.g. capital_call.issued."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$", max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict)


class PostingOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    account_id: int
    account: AccountCode
    investor_id: int | None
    commodity: str
    amount: Decimal


class EntryOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    pool_id: int
    seq: int
    entry_type: EntryType
    effective_date: date
    memo: str
    created_by: str
    created_by_user_id: int | None
    created_at: datetime
    reverses_entry_id: int | None
    prev_hash: str
    hash: str
    postings: list[PostingOut]
    # Each rule's workings have a shape of their own: across gRPC, the JSON the ledger stores.
    details: Annotated[dict[str, Any], AS_JSON] = Field(
        default_factory=dict,
        description="how the posting rule worked out the figures: price, units, allocation, tiers",
    )


class EntryPage(BaseModel):
    entries: list[EntryOut] = Field(description="in journal order (ascending seq)")
    next_cursor: str | None = Field(description="pass back to get the next page; null on the last page")


class AccountBalance(BaseModel):
    model_config = ConfigDict(frozen=True)

    account_id: int
    account_key: str = Field(description='e.g. "cash" or "units/7"')
    account: AccountCode
    investor_id: int | None
    commodity: str
    balance: Decimal = Field(description="signed, debit positive, at the commodity's scale")


class VerifyBreak(BaseModel):
    """One thing found wrong. seq/entry_id name the entry; account_key names an account."""

    pool_id: int
    seq: int | None = None
    entry_id: int | None = None
    account_key: str | None = None
    problem: str
    detail: str

    def describe(self) -> str:
        where = f"pool {self.pool_id}"
        if self.seq is not None:
            where += f" seq {self.seq}"
        if self.entry_id is not None:
            where += f" entry {self.entry_id}"
        if self.account_key is not None:
            where += f" account {self.account_key}"
        return f"{where}: {self.problem}: {self.detail}"


class VerifyReport(BaseModel):
    ok: bool
    pools: int
    entries: int
    postings: int
    seconds: float
    first_break: VerifyBreak | None
    breaks: int = Field(description="how many problems were found in all")

    def describe(self) -> str:
        if self.first_break is None:
            return (
                f"ok: {self.pools} pools, {self.entries} entries, {self.postings} postings "
                f"verified in {self.seconds:.2f}s"
            )
        return f"BROKEN ({self.breaks} problems); first: {self.first_break.describe()}"
