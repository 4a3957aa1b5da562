"""The ledger service's public types: what goes into the journal and what comes out of it.

Sign convention: a posting's amount is signed, debit positive, credit negative. Assets
(cash, investments, an investor's units held) therefore carry positive balances, and
capital, liabilities and the unit register's contra account (units_outstanding) negative
ones. Every entry sums to exactly zero per commodity.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from backend.platform.fields import IsoDate, Money, RecordId

UNITS_COMMODITY = "UNITS"
"""The commodity of the unit register: units of an open-ended pool, held to 6 dp."""


class AccountCode(enum.StrEnum):
    """The kinds of account a pool's books have. Extend here; the database stores the value.

    Each code knows its commodity (the pool currency, or UNITS for the unit register),
    whether one account exists per investor, and whether its balance may go below zero.
    """

    CASH = "cash"
    INVESTMENTS = "investments"
    CALL_RECEIVABLE = "call_receivable"
    CAPITAL = "capital"
    UNITS = "units"
    UNITS_OUTSTANDING = "units_outstanding"
    FEES_PAYABLE = "fees_payable"
    GP_CARRY = "gp_carry"
    ROUNDING_RESIDUE = "rounding_residue"
    EXTERNAL_CLEARING = "external_clearing"
    INCOME = "income"
    EXPENSE = "expense"
    GAINS = "gains"

    @property
    def per_investor(self) -> bool:
        return self in _PER_INVESTOR

    @property
    def in_units(self) -> bool:
        return self in _IN_UNITS

    def commodity(self, currency: str) -> str:
        return UNITS_COMMODITY if self.in_units else currency

    def may_go_negative(self, cash_may_go_negative: bool) -> bool:
        """Whether a debit-positive balance below zero is allowed.

        Cash follows the pool's own setting (an overdraft facility); an investor can
        never hold fewer than zero units. Everything else is a measurement or a
        credit-normal account whose balance is negative in the normal course.
        """
        if self is AccountCode.CASH:
            return cash_may_go_negative
        return self is not AccountCode.UNITS


# A capital call books a receivable per investor (what each one owes against the call).
_PER_INVESTOR = frozenset({AccountCode.CALL_RECEIVABLE, AccountCode.CAPITAL, AccountCode.UNITS})
_IN_UNITS = frozenset({AccountCode.UNITS, AccountCode.UNITS_OUTSTANDING})


@dataclass(frozen=True, slots=True)
class PostingLine:
    """One signed posting, debit positive and credit negative: what a posting rule produces
    and what the journal checks and writes (one class, so nothing is copied in between)."""

    account: AccountCode
    investor_id: int | None
    amount: Decimal

    @property
    def ref(self) -> tuple[AccountCode, int | None]:
        return (self.account, self.investor_id)


def account_key(code: AccountCode, investor_id: int | None) -> str:
    """The account's name within its pool, e.g. "cash" or "units/7"; stable, used in hashes."""
    return code.value if investor_id is None else f"{code.value}/{investor_id}"


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


class EventType(enum.StrEnum):
    """Events the engine emits itself; callers may add their own (e.g. valuation.recorded)."""

    ENTRY_COMMITTED = "entry.committed"
    ENTRY_REVERSED = "entry.reversed"


def _refuse_float(value: Any) -> Any:
    # A float has already lost the exact amount the caller meant (0.1 is not 1/10).
    if isinstance(value, float):
        raise ValueError("amounts must be given as a decimal string or Decimal, not a float")
    return value


ExactDecimal = Annotated[Decimal, BeforeValidator(_refuse_float)]


class PostingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    account: AccountCode
    investor_id: int | None = Field(default=None, gt=0)
    amount: ExactDecimal = Field(description="signed: debit positive, credit negative")


class EventIn(BaseModel):
    """An extra event to publish with the entry, e.g. capital_call.issued."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$", max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict)


class PostEntryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pool_id: int = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="the pool's ISO 4217 currency")
    entry_type: EntryType
    effective_date: date
    memo: str = Field(default="", max_length=500)
    postings: list[PostingIn] = Field(min_length=2, max_length=10_000)
    events: list[EventIn] = Field(default_factory=list, max_length=20)
    cash_may_go_negative: bool = Field(
        default=False, description="the pool's overdraft setting, applied to its cash account"
    )


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
    details: dict[str, Any] = Field(
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


# -- the pool-facing transactions (ledger.transactions) ------------------------------------


class TransactionType(enum.StrEnum):
    """What a manager records through POST /pools/{id}/transactions."""

    SUBSCRIPTION = "subscription"
    REDEMPTION = "redemption"
    CONTRIBUTION = "contribution"
    DISTRIBUTION = "distribution"
    MANAGEMENT_FEE = "management_fee"
    PERFORMANCE_FEE = "performance_fee"
    FEE_PAYMENT = "fee_payment"
    INCOME = "income"
    EXPENSE = "expense"
    PURCHASE = "purchase"
    SALE = "sale"


class _TransactionFields(BaseModel):
    """The fields a recorded transaction carries besides its type (one row or one request)."""

    model_config = ConfigDict(extra="forbid")

    investor_id: RecordId | None = Field(default=None, description="subscription, redemption, contribution")
    amount: Money | None = Field(default=None, description="in the pool's currency, at its minor unit")
    units: Money | None = Field(default=None, description="redemption: units to redeem (6 dp)")
    cost: Money | None = Field(default=None, description="sale: carrying value of what was sold")
    period_start: IsoDate | None = Field(
        default=None,
        description="management_fee: first day charged; defaults to the day after the last period charged",
    )
    period_end: IsoDate | None = Field(
        default=None, description="management_fee: last day charged; defaults to effective_date"
    )
    override_reason: str | None = Field(
        default=None,
        max_length=500,
        description="management_fee: why `amount` replaces the fee the pool's terms give (audited)",
    )
    effective_date: IsoDate
    memo: str = Field(default="", max_length=500)


class TransactionRequest(_TransactionFields):
    type: TransactionType


class CapitalCallRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Money | None = None
    percent_of_commitment: Money | None = Field(default=None, description="a fraction: 0.25 calls 25%")
    due_date: IsoDate
    effective_date: IsoDate | None = Field(default=None, description="defaults to today")
    memo: str = Field(default="", max_length=500)


class DistributionMode(enum.StrEnum):
    PRO_RATA = "pro_rata"
    WATERFALL = "waterfall"


class DistributionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Money
    effective_date: IsoDate
    mode: DistributionMode
    memo: str = Field(default="", max_length=500)


class ValuationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: IsoDate
    net_asset_value: Money
    memo: str = Field(default="", max_length=500)


class ValuationOut(BaseModel):
    pool_id: int
    as_of: date
    net_asset_value: Decimal = Field(
        description="the NAV after the entry: the NAV recorded, less the management fee the mark accrued"
    )
    nav_per_unit: Decimal | None
    entry: EntryOut = Field(
        description="the marking entry; it has no postings when the books already showed this value"
    )


class ReversalRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective_date: IsoDate | None = None
    memo: str | None = Field(default=None, max_length=500)


class PositionOut(BaseModel):
    """One investor in one pool, from the books (cash at the currency's minor unit)."""

    pool_id: int
    investor_id: int
    currency: str
    units: Decimal
    value: Decimal = Field(description="the investor's capital account")
    contributed: Decimal
    distributed: Decimal
    fees: Decimal
    committed: Decimal
    called: Decimal = Field(default=Decimal(0), description="capital called to date, paid or not")
    unfunded_commitment: Decimal = Field(description="committed - called (ILPA)")
    overdue: Decimal = Field(
        default=Decimal(0), description="called, unpaid and past its due date (oldest calls are paid first)"
    )
    in_default: bool = Field(default=False, description="anything overdue on a capital call")


class PoolPositions(BaseModel):
    pool_id: int
    currency: str
    net_asset_value: Decimal
    units_outstanding: Decimal
    nav_per_unit: Decimal | None
    rounding_residue: Decimal
    ledger_version: int
    positions: list[PositionOut]


# -- batch ingest (ledger.batch, TransactionService.record_batch) --------------------------

BATCH_MAX_ROWS = 10_000
"""The most rows one batch request (or one imported file) may carry."""


class BatchTransactionType(enum.StrEnum):
    """What a batch row may be: every manager-recorded type, and a valuation."""

    SUBSCRIPTION = "subscription"
    REDEMPTION = "redemption"
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


class BatchRow(_TransactionFields):
    """One row of a batch: a TransactionRequest, or a valuation whose `amount` is the pool's
    net asset value as of `effective_date` (a row that changes nothing is kept as the day's
    mark, with no postings)."""

    type: BatchTransactionType
    amount: Money | None = Field(default=None, description="in the pool's currency; valuation: the NAV")


class BatchRequest(BaseModel):
    """POST /pools/{id}/transactions/batch. Rows are checked one by one, so that every
    problem is reported with its row (0-based index into `transactions`)."""

    model_config = ConfigDict(extra="forbid")

    transactions: list[dict[str, Any]] = Field(min_length=1, max_length=BATCH_MAX_ROWS)


class RowError(BaseModel):
    model_config = ConfigDict(frozen=True)

    row: int = Field(description="0-based index of the row in the batch")
    field: str
    reason: str


class BatchResult(BaseModel):
    """What one batch wrote: every entry in one transaction, in row order."""

    pool_id: int
    rows: int
    entries: int
    postings: int
    first_seq: int | None = Field(description="seq of the first entry written; null if none was")
    last_seq: int | None
    last_hash: str | None = Field(description="the pool's chain head after the batch")
    ledger_version: int
    entry_ids: list[int | None] = Field(
        description="per row, the entry it wrote; null for a valuation that changed nothing"
    )
