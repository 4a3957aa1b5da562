"""What a pool's books show: each investor's position, each share class, the portfolio
investments deal by deal, the whole pool's positions, and the NAV a valuation struck."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from ledger.schemas.entries import EntryOut


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
