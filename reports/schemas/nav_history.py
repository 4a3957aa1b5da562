"""NAV history: the pool at each daily or monthly close, as the charts draw it.

The books' figures (before accrued carried interest), the time-weighted index every return
is read from, the step's inflows and outflows, and each share class's NAV per unit.
"""

from __future__ import annotations

import enum
from datetime import date

from pydantic import BaseModel, Field

from backend.platform.rpc.types import Measure
from reports.schemas.amounts import Amount


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
