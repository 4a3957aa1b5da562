"""The ledger service's public types: what goes into the journal and what comes out of it.

Sign convention: a posting's amount is signed, debit positive, credit negative. Assets
(cash, investments, an investor's units held) therefore carry positive balances, and
capital, liabilities and the unit register's contra account (units_outstanding) negative
ones. Every entry sums to exactly zero per commodity.

Kept as one module over the 400-line rule, on purpose: it is the ledger's one vocabulary,
declarations with no behaviour beyond formatting an amount or a key. The account codes and
entry types every journal entry, capital call and NAV mark uses; the requests and answers of
the transaction service (a subscription's TransactionRequest, a batch's BatchRow built on the
same fields and types, a Preview); the paging and idempotency limits. ledger.interface
re-exports them as the service's contract, and one module keeps each word defined once, next
to the words it is built from (BatchTransactionType from TransactionType, BatchRow from the
fields a TransactionRequest carries).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from backend.finance.fees.fee_offsets import PortfolioFeeKind
from backend.finance.money import UNITS_DP, get_currency
from backend.platform.errors import ValidationFailed
from backend.platform.fields import IsoDate, Money, RecordId
from backend.platform.rpc.types import AS_JSON

UNITS_COMMODITY = "UNITS"
"""The commodity of the unit register: units of an open-ended pool, held to 6 dp."""

AMOUNT_SCALE = 6
"""The scale every amount is stored and hashed at (an integer count of 10^-6): units need
6 dp, cash at most 4 (CLF, UYW). The tables, the hash chain and the bulk writer all use it."""


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
    PORTFOLIO_COMPANY_FEE = "portfolio_company_fee"


class _TransactionFields(BaseModel):
    """The fields a recorded transaction carries besides its type (one row or one request)."""

    model_config = ConfigDict(extra="forbid")

    investor_id: RecordId | None = Field(default=None, description="subscription, redemption, contribution")
    amount: Money | None = Field(default=None, description="in the pool's currency, at its minor unit")
    units: Money | None = Field(default=None, description="redemption: units to redeem (6 dp)")
    cost: Money | None = Field(default=None, description="sale: carrying value of what was sold")
    investment: str | None = Field(
        default=None,
        min_length=1,
        max_length=80,
        description="purchase, sale, portfolio_company_fee: the portfolio investment bought, sold or "
        "paying the manager a fee (its name, as first bought); tracked per pool, deal by deal",
        examples=["Acme Robotics Series B"],
    )
    fee_kind: PortfolioFeeKind | None = Field(
        default=None,
        description="portfolio_company_fee: what the manager was paid for (transaction, monitoring, "
        "director, break_up)",
    )
    share_class: str | None = Field(
        default=None,
        min_length=1,
        max_length=16,
        description="subscription: the class subscribed to (an investor's later deals stay in it); "
        "performance_fee: the class whose fee crystallises. Pools with share classes only.",
        examples=["I"],
    )
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


class InvestmentOut(BaseModel):
    """One portfolio investment of a pool, deal by deal, from its purchases and sales."""

    name: str
    cost: Decimal = Field(description="bought, at cost")
    cost_sold: Decimal = Field(description="carrying value of what was sold")
    cost_held: Decimal = Field(description="cost - cost_sold: what the pool still holds")
    proceeds: Decimal
    realised_gain: Decimal = Field(description="proceeds - cost_sold")
    first_bought: date
    last_sold: date | None


class CapitalCallRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Money | None = None
    percent_of_commitment: Money | None = Field(default=None, description="a fraction: 0.25 calls 25%")
    due_date: IsoDate
    effective_date: IsoDate | None = Field(default=None, description="defaults to today")
    memo: str = Field(default="", max_length=500)


class SubsequentCloseRequest(BaseModel):
    """POST /pools/{id}/subsequent-closes: admit every investor committed to the pool with no
    share of its calls yet, as if they had been in from the first close."""

    model_config = ConfigDict(extra="forbid")

    closing_date: IsoDate = Field(description="the day the later investors are admitted")
    payment_date: IsoDate | None = Field(
        default=None,
        description="the day they pay (the entry's date; interest runs to it); defaults to closing_date",
    )
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
    recallable: StrictBool = Field(
        default=False,
        description="The capital this distribution returns may be called again (the terms allow it): "
        "it adds back to each investor's unfunded commitment. Closed-ended waterfall distributions only.",
    )
    deemed_contribution: StrictBool = Field(
        default=False,
        description="Where the terms allow it: each investor's share first pays what it owes on capital "
        "calls (a contribution deemed made that day; that part is not paid out in cash). Closed-ended "
        "waterfall distributions only.",
    )
    investment: str | None = Field(
        default=None,
        max_length=120,
        description="American (deal-by-deal) waterfall: the investment whose sale proceeds this pays out, "
        "through the tiers worked on that deal alone.",
    )
    final_realisation: StrictBool = Field(
        default=False,
        description="American waterfall: the deal's last distribution (all of it sold); its capital not "
        "returned is a realised loss.",
    )


class ClawbackRequest(BaseModel):
    """The GP's clawback test, at the end of the fund or (where the terms allow) an interim date."""

    model_config = ConfigDict(extra="forbid")

    effective_date: IsoDate
    interim: StrictBool = Field(
        default=False,
        description="An interim test, before every deal is finally realised (the terms' interim_clawback).",
    )
    memo: str = Field(default="", max_length=500)


class ValuationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: IsoDate
    net_asset_value: Money
    memo: str = Field(default="", max_length=500)
    fx_rates: dict[Annotated[str, Field(max_length=3)], Money] = Field(
        default_factory=dict,
        max_length=20,
        description="A pool with share classes in other currencies: each of those currencies' rate "
        "on as_of, in units of it per one unit of the pool's currency (e.g. EUR 0.92 in a USD "
        "pool). Required for each, at every valuation: the day's deals in those classes are "
        "struck at it.",
        examples=[{"EUR": "0.92"}],
    )
    hedge_results: dict[Annotated[str, Field(max_length=16)], Money] = Field(
        default_factory=dict,
        max_length=20,
        description="Hedged classes: the result of each class's currency hedge since the last "
        "valuation, in the pool's currency (a loss negative), by class code. It is part of "
        "net_asset_value, and the class's alone.",
        examples=[{"I-EUR": "-1250.00"}],
    )


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
    recallable: Decimal = Field(
        default=Decimal(0), description="capital returned by recallable distributions: may be called again"
    )
    unfunded_commitment: Decimal = Field(
        description="committed - called + recallable (ILPA: recallable distributions restore it)"
    )
    overdue: Decimal = Field(
        default=Decimal(0), description="called, unpaid and past its due date (oldest calls are paid first)"
    )
    in_default: bool = Field(default=False, description="anything overdue on a capital call")
    share_class: str | None = Field(default=None, description="the class held (pools with share classes)")
    nav_per_unit: Decimal | None = Field(
        default=None, description="NAV per unit of the units held (of their class, in a pool with classes)"
    )
    nav_per_unit_currency: str | None = Field(
        default=None,
        description="the currency of nav_per_unit where it is not the pool's (a class in another currency)",
    )


class ShareClassOut(BaseModel):
    """One share class of a pool as its books stand."""

    class_id: str
    currency: str = Field(description="what the class deals and is priced in")
    hedged: bool = False
    units: Decimal
    net_asset_value: Decimal = Field(
        description="the sum of its holders' capital accounts, in the pool's currency"
    )
    nav_per_unit: Decimal = Field(
        description="net assets / units in the class's currency, or its launch price while it has none"
    )
    fx_rate: Decimal | None = Field(
        default=None,
        description="a class in another currency: units of it per one unit of the pool's currency, "
        "the latest valuation's",
    )
    class_currency_net_asset_value: Decimal | None = Field(
        default=None, description="a class in another currency: its net assets in that currency"
    )
    holders: int
    management_fee_rate: Decimal
    performance_fee_rate: Decimal
    high_water_mark: Decimal = Field(description="per unit: its last performance fee's, or its launch price")


class PoolPositions(BaseModel):
    pool_id: int
    currency: str
    net_asset_value: Decimal
    units_outstanding: Decimal
    nav_per_unit: Decimal | None = Field(description="none in a pool with share classes: each has its own")
    rounding_residue: Decimal
    ledger_version: int
    positions: list[PositionOut]
    share_classes: list[ShareClassOut] = Field(default_factory=list)


# -- batch ingest (ledger.batch, TransactionService.record_batch) --------------------------

BATCH_MAX_ROWS = 10_000
IMPORT_COLUMNS = (
    "type",
    "investor_id",
    "amount",
    "units",
    "cost",
    "investment",
    "fee_kind",
    "effective_date",
    "memo",
)
"""The columns a spreadsheet of transactions may have (ledger.importer), as the batch rows name them."""
"""The most rows one batch request (or one imported file) may carry."""


# What a batch row may be: every manager-recorded type, and a valuation. Built from
# TransactionType so the two lists cannot drift; mypy cannot follow a computed member list.
BatchTransactionType = enum.StrEnum(  # type: ignore[misc]
    "BatchTransactionType",
    [(member.name, member.value) for member in TransactionType] + [("VALUATION", "valuation")],
)
BatchTransactionType.__doc__ = "What a batch row may be: every manager-recorded type, and a valuation."


class BatchRow(_TransactionFields):
    """One row of a batch: a TransactionRequest, or a valuation whose `amount` is the pool's
    net asset value as of `effective_date` (a row that changes nothing is kept as the day's
    mark, with no postings)."""

    type: BatchTransactionType
    amount: Money | None = Field(default=None, description="in the pool's currency; valuation: the NAV")


BatchRowInput = Annotated[TransactionRequest | BatchRow | Mapping[str, object], AS_JSON]
"""A batch's row as its caller has it: a checked request or row, or the row's fields by name as
a request body (JSON values) or an imported sheet (text) holds them, or a script writes them
(a date, a Decimal), which record_batch checks on its own so that each problem names its row.
Across gRPC each row is its JSON text (a Decimal as its text, a date ISO, as the REST API
would take them) and the service checks it the same way: a model's JSON validates back to the
same row, and a value a row refuses is refused with the same reason."""


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


class PreviewLine(BaseModel):
    account: AccountCode
    investor_id: int | None
    amount: Decimal = Field(description="signed: debit positive, credit negative")


class Preview(BaseModel):
    """The entry a request would post now: its lines and the rule's details."""

    pool_id: int
    currency: str
    entry_type: EntryType | None = Field(description="null when nothing would be posted")
    effective_date: date
    lines: list[PreviewLine]
    details: Annotated[dict[str, Any], AS_JSON]  # the rule's workings, as EntryOut.details
    ledger_version: int = Field(description="the books this preview was computed from")


MAX_PAGE = 500


IDEMPOTENCY_KEY_FIELD = "Idempotency-Key"


MAX_IDEMPOTENCY_KEY_LENGTH = 255


def check_key(key: str) -> str:
    if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise ValidationFailed(
            f"must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters (a UUID is a good choice)",
            field=IDEMPOTENCY_KEY_FIELD,
        )
    return key


DEFAULT_PAGE = 50


AccountRef = tuple[AccountCode, int | None]


def commodity_places(commodity: str) -> int:
    """The decimal places a commodity is kept to: its currency's minor unit, 6 for units."""
    return UNITS_DP if commodity == UNITS_COMMODITY else get_currency(commodity).exponent


def present(amount: Decimal, commodity: str) -> Decimal:
    """An amount written at its commodity's scale (exact: stored amounts are validated)."""
    return amount.quantize(Decimal(1).scaleb(-commodity_places(commodity)))
