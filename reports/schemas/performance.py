"""Performance read models: a pool's and an investor's returns, risk and money-weighted figures.

Period returns, drawdown and risk of the pool's time-weighted index, the money-weighted
figures (IRR, TVPI, DPI, RVPI) net of carried interest with the gross ones beside them, the
comparison with the pool's benchmark, each share class's figures and the class an investor
holds, and an investor's pools with their totals by currency.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from backend.platform.rpc.types import Measure
from reports.schemas.amounts import Amount


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
