"""What a manager records against a pool (ledger.transactions): a transaction's type and
fields, and the requests of capital calls, subsequent closes, distributions, clawbacks,
valuations and reversals."""

from __future__ import annotations

import enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from backend.finance.fees.fee_offsets import PortfolioFeeKind
from backend.platform.fields import IsoDate, Money, RecordId


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


class ReversalRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    effective_date: IsoDate | None = None
    memo: str | None = Field(default=None, max_length=500)
