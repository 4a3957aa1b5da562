"""The report service's public types: performance, NAV history, statements, benchmarks.

On the wire: amounts, units, NAV per unit and index levels are exact decimals written as
JSON strings ("1000.00"); returns and ratios (TWR, IRR, TVPI, volatility...) are JSON
numbers (binary floats, unrounded) as fractions (0.05 is 5%), or null when undefined
(under a year for annualised figures, no paid-in capital, no IRR solution, too few
observations for a risk figure). Those are typed `Measure`: a float by design, which the
service over gRPC carries as a protobuf double, bit for bit (a plain float is refused there).

Net and gross. A closed-ended pool's capital accounts hold the GP's carried interest until a
distribution pays it. The LPs' figures at the end of a report (net asset value, value,
TVPI, RVPI, IRR, the statement's balances) are net of carried interest, paid and accrued
by a hypothetical liquidation of the value through the waterfall (reports.carry), as ILPA
and GIPS ask. The figures before carried interest stay beside them, named ``gross_...``,
with ``accrued_carried_interest`` the difference. Time-weighted returns and the NAV history
are the pool's, before carried interest: the GP's share of a distribution is paid out of
the pool like the LPs' share (carry is an allocation of the pool's return between LPs and
GP, not a loss of the pool). Open-ended pools accrue none: there net and gross are equal.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, PrivateAttr

from backend.finance.errors import LedgerInputError
from backend.finance.money import CURRENCIES, get_currency
from backend.platform.fields import IsoDate, RecordId
from backend.platform.rpc.types import Measure
from backend.pools.interface import ExactDecimal as ExactDecimalIn

Amount = Annotated[
    Decimal, PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json")
]
"""An exact decimal, out as a fixed-point JSON string."""


# -- benchmarks ----------------------------------------------------------------------------


def _supported_currency(code: str) -> str:
    # The platform's currency table decides, as it does for a pool's base currency: a
    # well-formed code it does not know ("GFE") is the caller's mistake, not the server's.
    try:
        get_currency(code)
    except LedgerInputError as exc:
        raise ValueError(exc.reason) from None
    return code


class BenchmarkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    currency: Annotated[str, AfterValidator(_supported_currency)] = Field(
        pattern=r"^[A-Z]{3}$", json_schema_extra={"enum": list(sorted(CURRENCIES))}
    )
    description: str = Field(default="", max_length=500)


class BenchmarkOut(BaseModel):
    id: int
    name: str
    currency: str
    description: str
    first_date: date | None
    last_date: date | None
    levels: int = Field(description="how many dated levels are stored")
    created_at: datetime
    shared: bool = Field(
        default=False,
        description="reference data any manager may attach; changed only by admins (else its creator's)",
    )
    created_by_user_id: int | None = None


class BenchmarkLevel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: IsoDate
    level: ExactDecimalIn = Field(description="index level at the close, > 0, at most 6 decimal places")


class BenchmarkLevelOut(BaseModel):
    date: date
    level: Amount


class BenchmarkLevelsIn(BaseModel):
    """Levels as JSON rows, or as CSV text with a header `date,level` (ISO dates)."""

    model_config = ConfigDict(extra="forbid")

    levels: list[BenchmarkLevel] = Field(default_factory=list, max_length=100_000)
    csv: str | None = Field(default=None, max_length=5_000_000)


class LevelsLoaded(BaseModel):
    benchmark_id: int
    loaded: int = Field(description="levels written (a date already stored is replaced)")
    first_date: date | None
    last_date: date | None


class PoolBenchmarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    benchmark_id: RecordId


class PoolBenchmarkOut(BaseModel):
    pool_id: int
    benchmark_id: int
    name: str


# -- performance -----------------------------------------------------------------------------


class PeriodReturn(BaseModel):
    """A return over (start, end]: cumulative, and annualised when the period is >= 365 days."""

    name: str = Field(description="MTD, QTD, YTD, 1Y, 3Y, 5Y, SI (since inception), or 'period'")
    start: date = Field(description="the base date: the return runs from its close to end's close")
    end: date
    days: int
    cumulative: Measure | None = Field(description="null when the track record does not cover the period")
    annualised: Measure | None = Field(description="null under 365 days (GIPS) or when not covered")
    partial: bool = Field(
        default=False, description="MTD/QTD/YTD of a pool launched within the period: measured from inception"
    )
    no_valuation: bool = Field(
        default=False,
        description="true when no valuation falls within the period: cumulative and annualised are "
        "null (no market move was measured), never 0",
    )


class Drawdown(BaseModel):
    max_drawdown: Measure | None = Field(description="<= 0, from the pool's time-weighted index")
    peak_date: date | None
    trough_date: date | None
    recovery_date: date | None = Field(description="first date back at the peak; null if not yet")


class Risk(BaseModel):
    frequency: str = Field(description="monthly: month-end samples of the time-weighted index")
    observations: int
    volatility: Measure | None = Field(description="annualised sample std of monthly returns (x sqrt 12)")
    sharpe: Measure | None = Field(description="risk-free rate 0; annualised")
    sortino: Measure | None = Field(description="minimum acceptable return 0; downside over all months")
    drawdown: Drawdown


class MoneyWeighted(BaseModel):
    """The investors' (or one investor's) money: paid in, received, and what is left.

    Net of carried interest (paid and accrued); the gross figures are before it: the GP's
    share of distributions counted as received, the value before the accrual."""

    paid_in: Amount
    received: Amount = Field(description="cash the investors actually received")
    value: Amount = Field(
        description="what the stake is worth at the end, net of unpaid calls and of accrued carried interest"
    )
    irr: Measure | None = Field(description="XIRR (act/365F) of the flows plus the value at the end; net")
    tvpi: Measure | None = Field(description="(received + value) / paid in; net")
    dpi: Measure | None = Field(description="received / paid in")
    rvpi: Measure | None = Field(description="value / paid in; net")
    carried_interest_paid: Amount = Field(
        description="the GP's catch-up and carried interest taken out of distributions to date"
    )
    accrued_carried_interest: Amount = Field(
        description="the GP's share of a hypothetical liquidation at the value at the end"
    )
    gross_value: Amount = Field(description="value before accrued carried interest")
    gross_irr: Measure | None = Field(description="XIRR before carried interest (paid and accrued)")
    gross_tvpi: Measure | None = Field(description="(received + carry paid + gross value) / paid in")
    gross_dpi: Measure | None = Field(description="(received + carry paid) / paid in")
    gross_rvpi: Measure | None = Field(description="gross value / paid in")


class BenchmarkComparison(BaseModel):
    benchmark_id: int
    name: str
    period_return: Measure | None = Field(description="the index's return over the same (start, end]")
    ks_pme: Measure | None = Field(description="Kaplan-Schoar PME of the pool's flows since inception")
    direct_alpha: Measure | None = Field(
        description="annual: XIRR of the index-compounded flows plus the value (Gredil et al. 2014)"
    )
    note: str = ""


class ClassPerformance(BaseModel):
    """One share class's figures (reports.class_history): its holders' units and net assets, its
    NAV per unit and returns in its own currency, and its holders' money-weighted figures in it."""

    class_id: str
    name: str
    currency: str
    units: Amount = Field(description="at end: the class's units (its holders')")
    net_asset_value: Amount = Field(
        description="at end: the sum of its holders' capital accounts, in the pool's currency (the books)"
    )
    nav_per_unit: Amount = Field(description="at end: the class's price (its launch price before any)")
    twr: Measure | None = Field(
        description="over (start, end]: the class's time-weighted index at end over that at start, less "
        "1: its NAV per unit at end over that at start (with any distribution per unit reinvested); "
        "null when no valuation falls in that span or the class never had units"
    )
    twr_annualised: Measure | None
    periods: list[PeriodReturn] = Field(
        description="MTD ... SI of the class's index, SI from the day before its first units"
    )
    money_weighted: MoneyWeighted | None = Field(
        description="the class's holders together, in the class's currency: their subscriptions, "
        "redemption proceeds and distributions, and the class's net assets at end; null before any"
    )


class ClassPricePoint(BaseModel):
    date: date
    nav_per_unit: Amount


class HeldClass(BaseModel):
    """The share class an investor holds, as that investor may see it: its price and returns,
    nothing of what its other holders own (no units, net assets or flows)."""

    class_id: str
    name: str
    currency: str
    nav_per_unit: Amount = Field(description="at the end, in the class's currency")
    periods: list[PeriodReturn] = Field(description="MTD ... SI of the class's NAV per unit")
    prices: list[ClassPricePoint] = Field(
        description="the class's NAV per unit after each valuation or class fee that moved it, to the end"
    )


class PoolPerformance(BaseModel):
    pool_id: int
    kind: str
    currency: str
    as_of: date = Field(description="the books as they stood at the end of this date")
    start: date
    end: date
    method: str = Field(
        description="unit_price (open-ended: NAV per unit with distributions per unit reinvested) or "
        "linked_valuations (closed-ended, and open-ended with share classes: value linked at every entry, "
        "the GP's share of distributions paid out like the LPs'); either way the time-weighted index that "
        "twr, periods, risk and the NAV history all read"
    )
    net_asset_value: Amount = Field(description="the LPs' net asset value: net of accrued carried interest")
    value: Amount = Field(description="net asset value less capital called and not yet paid")
    accrued_carried_interest: Amount = Field(
        description="the GP's share of a hypothetical liquidation at the value at end (closed-ended)"
    )
    gross_net_asset_value: Amount = Field(
        description="net asset value before accrued carried interest (the books)"
    )
    gross_value: Amount = Field(description="value before accrued carried interest")
    units_outstanding: Amount
    nav_per_unit: Amount | None = Field(
        description="open-ended without share classes; null otherwise (each class has its own: share_classes)"
    )
    twr: Measure | None = Field(
        description="time-weighted return over (start, end], cumulative: the ratio of the "
        "time-weighted index at the two dates (the pool's, before carried interest); null when no "
        "valuation or income falls in that span (nothing was measured)"
    )
    twr_annualised: Measure | None
    periods: list[PeriodReturn]
    risk: Risk
    money_weighted: MoneyWeighted | None = Field(description="since inception to end; null before any money")
    benchmark: BenchmarkComparison | None
    entries: int = Field(description="journal entries replayed")
    last_valuation_date: date | None = Field(
        default=None,
        description="the last valuation on or before end: the date the figures' market values are "
        "as of (null: never valued, so no return is shown)",
    )
    share_classes: list[ClassPerformance] = Field(
        default_factory=list,
        description="a pool with share classes: each class's own return (the pool's twr is then on its "
        "value linked at every entry, method linked_valuations)",
    )


class InvestorPoolPerformance(BaseModel):
    pool_id: int
    kind: str
    currency: str
    units: Amount
    capital_account: Amount = Field(description="the capital account in the books (before accrued carry)")
    accrued_carried_interest: Amount = Field(description="this investor's part of the pool's accrual")
    first_flow_date: date | None
    exit_date: date | None = Field(
        description="the last flow, when the investor holds nothing any more: their return ends there"
    )
    money_weighted: MoneyWeighted | None
    twr: Measure | None = Field(
        description="the investor's own TWR from their first flow to the end (or their exit), before "
        "carried interest like the pool's; net of it are the money-weighted figures"
    )
    twr_annualised: Measure | None
    pool_twr: Measure | None = Field(description="the pool's time-weighted return over the same dates")
    share_class: HeldClass | None = Field(
        default=None, description="a pool with share classes: the class the investor holds"
    )


class CurrencyTotal(BaseModel):
    currency: str
    money_weighted: MoneyWeighted | None


class InvestorPerformance(BaseModel):
    investor_id: int
    as_of: date
    pools: list[InvestorPoolPerformance]
    totals: list[CurrencyTotal] = Field(description="all pools of one currency together")


class Frequency(enum.StrEnum):
    DAILY = "daily"
    MONTHLY = "monthly"


class NavPoint(BaseModel):
    """The pool at one close: the books' figures (before accrued carried interest)."""

    date: date
    net_asset_value: Amount = Field(
        description="the books' net asset value (before accrued carried interest)"
    )
    value: Amount = Field(description="net asset value less unpaid calls")
    units_outstanding: Amount
    nav_per_unit: Amount | None
    distributions_per_unit: Amount | None = Field(
        description="open-ended: cash distributed per unit during the step, to 6 places (reinvested in "
        "the index, which links the exact figure)"
    )
    index: Measure = Field(
        description="time-weighted growth of 1 since inception: every return of the pool is a ratio of "
        "it (open-ended: NAV per unit with distributions per unit reinvested)"
    )
    inflow: Amount = Field(description="subscriptions/contributions during the step (day or month)")
    outflow: Amount = Field(description="redemptions/distributions received during the step")
    class_nav_per_unit: dict[str, Amount] = Field(
        default_factory=dict,
        description="a pool with share classes (whose nav_per_unit is null): each class's NAV per unit "
        "at the close, in its own currency, by class id",
    )


class ClassLabel(BaseModel):
    class_id: str
    name: str
    currency: str


class NavHistory(BaseModel):
    pool_id: int
    currency: str
    frequency: Frequency
    start: date
    end: date
    points: list[NavPoint]
    last_valuation_date: date | None = Field(
        default=None, description="the last valuation on or before end: returns after it are not measured"
    )
    share_classes: list[ClassLabel] = Field(
        default_factory=list, description="the classes whose prices the points give (class_nav_per_unit)"
    )


# -- statements ------------------------------------------------------------------------------


class StatementFormat(enum.StrEnum):
    JSON = "json"
    XLSX = "xlsx"


class CapitalAccountStatement(BaseModel):
    """One investor's capital account in one pool over (start - 1, end], in the ILPA layout;
    it ties out to the cent.

    beginning_balance + contributions + redemptions + distributions + management_fees +
    management_fee_offsets + performance_fees + income + expenses + realised_gains + unrealised_gains +
    carried_interest_paid + carried_interest_accrued + other = ending_balance.

    The balances are net of accrued carried interest (what the investor's stake is worth if
    the pool were liquidated at its value); ending_capital_account is the capital account in
    the books at the end of `end` and ending_balance = ending_capital_account -
    accrued_carried_interest_end (likewise at the start). Movements are signed as they
    change the balance (money out and costs negative). Distributions are the cash the
    investor actually received; the GP's catch-up and carried interest their capital account
    bore in those distributions is carried_interest_paid, and the change in the accrual over
    the period is carried_interest_accrued.
    """

    investor_id: int
    pool_id: int
    pool_kind: str
    currency: str
    period: str = Field(description='the period asked for: "2025-Q4", "2025", or "start..end"')
    start: date
    end: date
    period_label: str = Field(
        default="",
        description='the period as a reader sees it: "2026 (to date)" for one still running, which '
        "ends today (end), else the period",
    )
    investor_name: str = Field(default="", description="the investor's legal name, as the reader may see it")
    pool_name: str = Field(default="")
    beginning_balance: Amount = Field(description="net of accrued carried interest at the start")
    contributions: Amount = Field(description="subscriptions (units value) and capital called")
    redemptions: Amount = Field(description="capital released by redemptions (negative)")
    distributions: Amount = Field(description="cash received from distributions (negative)")
    management_fees: Amount = Field(description="gross of any offset (negative)")
    management_fee_offsets: Amount = Field(
        default=Decimal(0),
        description="the investor's share of portfolio-company fees offset against the management fee",
    )
    performance_fees: Amount
    income: Amount
    expenses: Amount = Field(description="partnership expenses")
    realised_gains: Amount = Field(description="from sales")
    unrealised_gains: Amount = Field(description="valuation changes")
    carried_interest_paid: Amount = Field(
        description="the GP's catch-up and carried interest borne in the period's distributions (negative)"
    )
    carried_interest_accrued: Amount = Field(
        description="change in accrued carried interest over the period (negative when it grew)"
    )
    other: Amount = Field(description="adjustments, transfers, reversals of entries outside the period")
    ending_balance: Amount = Field(description="net of accrued carried interest at the end")
    beginning_capital_account: Amount = Field(description="the capital account in the books at the start")
    ending_capital_account: Amount = Field(description="the capital account in the books at the end")
    accrued_carried_interest_start: Amount
    accrued_carried_interest_end: Amount
    cash_contributed: Amount = Field(description="cash paid in during the period")
    cash_received: Amount = Field(description="redemption proceeds and distributions received in the period")
    units_start: Amount
    units_end: Amount
    nav_per_unit_start: Amount | None
    nav_per_unit_end: Amount | None
    committed: Amount
    contributed_to_date: Amount = Field(description="cash contributed since inception, to end")
    unfunded_commitment: Amount = Field(description="committed - called to date, paid or not (closed-ended)")
    call_receivable_end: Amount = Field(description="called at end but not yet paid")


@dataclass(frozen=True, slots=True)
class Refreshed:
    pool_id: int
    as_of: date
    ledger_version: int
    computed: bool
    """False when the stored snapshot was already at this ledger version."""


@dataclass(frozen=True, slots=True)
class Recomputed:
    pools: int
    """How many pools the run covered."""
    computed: int
    """How many snapshots were computed (the rest were current and not forced, or the pool
    stopped being the actor's to recompute during the run)."""
    as_of: date
    seconds: float


# -- FX rates and conversion into a reporting currency (reports.fx) -------------------------


class FxRateIn(BaseModel):
    """One published reference rate: units of `currency` per one euro on `date` (ECB style)."""

    model_config = ConfigDict(extra="forbid")

    date: IsoDate
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["USD"])
    rate: ExactDecimalIn = Field(description="units of the currency per 1 EUR, > 0, at most 8 decimal places")


class FxRatesIn(BaseModel):
    """Rates as JSON rows, or as the ECB's CSV (eurofxref-hist.csv or eurofxref.csv), or both."""

    model_config = ConfigDict(extra="forbid")

    rates: list[FxRateIn] = Field(default_factory=list, max_length=200_000)
    csv: str | None = Field(default=None, max_length=10_000_000)


class FxRateOut(BaseModel):
    date: date
    currency: str
    rate: Amount = Field(description="units of the currency per 1 EUR")


class FxRatesLoaded(BaseModel):
    new: int = Field(description="(date, currency) rates stored for the first time")
    replaced: int = Field(description="stored rates given a different value (corrections, audited)")
    unchanged: int = Field(description="rates loaded again with the value already stored")
    ignored_currencies: list[str] = Field(description="columns the platform has no currency for")
    first_date: date | None
    last_date: date | None


class FxQuote(BaseModel):
    """How a figure in `from_currency` dated `on` converts to `to_currency`.

    `rate` is None when a rate is missing (no rate of either currency published within
    MAX_RATE_AGE_DAYS on or before `on`): the figure cannot be converted, and says so."""

    from_currency: str
    to_currency: str
    on: date
    rate: Amount | None = Field(description="units of to_currency per 1 from_currency, to 10 places (shown)")
    from_per_eur: Amount | None = Field(description="the source's rate used (1 for EUR)")
    to_per_eur: Amount | None = Field(description="the target's rate used (1 for EUR)")
    from_rate_date: date | None = Field(description="publication date of from_per_eur (None: EUR or same)")
    to_rate_date: date | None = Field(description="publication date of to_per_eur (None: EUR or same)")

    @property
    def missing(self) -> bool:
        return self.from_per_eur is None or self.to_per_eur is None


class FxQuotes(BaseModel):
    to_currency: str
    quotes: list[FxQuote]
    _index: dict[tuple[str, date], FxQuote] | None = PrivateAttr(default=None)

    def quote(self, from_currency: str, on: date) -> FxQuote | None:
        """The quote for (from_currency, on), if it was asked for (indexed on first use: a page
        converts thousands of figures)."""
        if self._index is None:
            self._index = {(q.from_currency, q.on): q for q in self.quotes}
        return self._index.get((from_currency, on))
