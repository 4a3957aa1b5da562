"""Capital account statements: one investor's capital account in one pool over a period (ILPA).

The statement's figures and the formats it is delivered in.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from reports.schemas.amounts import Amount


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
