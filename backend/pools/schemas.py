"""The pool service's public types: pool terms in, pools out.

Amounts and rates are exact Decimals. On the wire they leave as JSON strings ("1000.00"), so
no client parses them into a binary float; they come in as strings, integers or JSON numbers.
A JSON number reaches Python as a binary float, which is exact only up to 15 significant
digits, so a longer one is refused and the client is told to send a string instead.

Business rules (rate bounds, precision per currency, which terms fit which kind of pool) are
checked by the service, not here, so every such error is a ValidationFailed naming its field
whether the caller is the API, the portal or another service.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    WithJsonSchema,
)

from backend.finance.clawback import TaxOffset
from backend.finance.daycount import DayCount
from backend.finance.fees import AccrualFrequency, Crystallisation, FeeTiming, GainBasis, HurdleType
from backend.finance.waterfall import Compounding
from backend.platform.fields import DECIMAL_TEXT_PATTERN, IsoDate, RecordId, decimal_from_text

# A double carries 15 significant decimal digits faithfully (DBL_DIG): any decimal number
# written with at most 15 survives the trip through a float and back unchanged.
_FLOAT_SAFE_DIGITS = 15


def _exact_decimal_input(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("must be a decimal number, not a boolean")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        shortest = Decimal(repr(value))
        if len(shortest.as_tuple().digits) > _FLOAT_SAFE_DIGITS:
            raise ValueError(
                f"has more than {_FLOAT_SAFE_DIGITS} significant digits; send it as a string "
                'such as "1234567890123.45" so it stays exact'
            )
        return shortest
    if isinstance(value, str):
        return decimal_from_text(value)
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError("must be a finite number")
    return value


ExactDecimal = Annotated[
    Decimal,
    BeforeValidator(_exact_decimal_input),
    # Text as the parser reads it (no ".5", no "5.", no exponent), or a JSON number.
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "pattern": DECIMAL_TEXT_PATTERN}, {"type": "number"}],
            "description": "a decimal string, or a JSON number of at most 15 significant digits",
        }
    ),
    # Fixed-point text: "0.0000001", never "1E-7", whatever the Decimal's exponent.
    PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json"),
]
"""An exact Decimal: in from a string, integer or short JSON number; out as a JSON string."""


class PoolKind(StrEnum):
    OPEN_ENDED = "open_ended"
    """Unitised: investors subscribe for units at NAV per unit and redeem them."""
    CLOSED_ENDED = "closed_ended"
    """Commitments: investors commit, capital is called, distributions run a waterfall."""


class PoolStatus(StrEnum):
    """Lifecycle: open -> closed -> liquidating -> liquidated; open -> liquidating directly.

    open         accepts new money (subscriptions, commitments).
    closed       no new investors or money; existing positions run on (fees, calls, NAV).
    liquidating  assets are being realised; only distributions and redemptions remain.
    liquidated   final: the books are closed, settings are frozen.
    """

    OPEN = "open"
    CLOSED = "closed"
    LIQUIDATING = "liquidating"
    LIQUIDATED = "liquidated"


class FeeBasis(StrEnum):
    """What the management fee is charged on."""

    NAV = "nav"
    """Net asset value: open-ended pools."""
    COMMITTED = "committed"
    """Committed capital (typically during the investment period): closed-ended pools."""
    INVESTED = "invested"
    """Invested (called and not yet returned) capital: closed-ended pools."""


class NavPoint(StrEnum):
    """Which net asset value a fee on NAV charged in arrears is on, for its period."""

    ENDING = "ending"
    """The NAV at the period's end, before the fee (the valuation's)."""
    BEGINNING = "beginning"
    """The NAV at the close of the day before the period's first day."""
    AVERAGE = "average"
    """(beginning + ending) / 2."""


class WaterfallStyle(StrEnum):
    EUROPEAN = "european"
    """Whole-fund: the GP takes carry only after all contributed capital and the preferred
    return are back with the investors."""
    AMERICAN = "american"
    """Deal by deal: each investment's proceeds go through the tiers on that investment's
    capital alone, so the GP is paid carry on a winner before later deals lose; a clawback
    at the end of the fund (and at interim dates if the terms say so) gives back what it
    took beyond the whole-fund figure."""


class ManagementFeeTerms(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rate: ExactDecimal = Field(description="Per annum, as a fraction: 0.02 is 2%.", examples=["0.02"])
    basis: FeeBasis
    frequency: AccrualFrequency = AccrualFrequency.QUARTERLY
    day_count: DayCount = DayCount.ACT_365F
    step_down_on: IsoDate | None = Field(
        default=None,
        description="Closed-ended pools charging on commitments: from this day (the end of the "
        "investment period) the fee is charged on invested capital instead.",
        examples=["2030-01-01"],
    )
    step_down_rate: ExactDecimal | None = Field(
        default=None,
        description="The rate from step_down_on, per annum (e.g. 0.015); empty: the same rate.",
        examples=["0.015"],
    )
    offset_rate: ExactDecimal | None = Field(
        default=None,
        description="The share (0 to 1) of the fees the manager receives from portfolio companies "
        "(transaction, monitoring, director, break-up; recorded as portfolio_company_fee) that "
        "reduces the management fee: 1 is the ILPA Principles' 100% offset. Empty: no offset.",
        examples=["0.8"],
    )
    nav_point: NavPoint | None = Field(
        default=None,
        description="A fee on NAV accrued at each valuation: on the period's ending, beginning or "
        "average NAV ((beginning + ending) / 2). Empty: ending in arrears, beginning in advance.",
    )
    timing: FeeTiming = Field(
        default=FeeTiming.IN_ARREARS,
        description="in_arrears: each period is charged at its end, on the figures then; in_advance: at "
        "its start (the entry dated on or before the period's first day), on the figures known then: "
        "commitments and invested capital at the start, or the NAV at the start (beginning NAV).",
    )


class PerformanceFeeTerms(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rate: ExactDecimal = Field(description="Share of gains above the hurdle, e.g. 0.20.", examples=["0.2"])
    high_water_mark: StrictBool = True  # JSON true/false only: 0 or "no" is refused, not guessed
    hurdle_rate: ExactDecimal = Field(
        default=Decimal(0),
        description="Hurdle per year, e.g. 0.05: pro-rated (ACT/365F) from the last fee, compounded "
        "over whole years without one.",
    )
    hurdle: HurdleType = Field(
        default=HurdleType.HARD,
        description="hard: the fee is on the gain above the hurdle only; soft: once the hurdle is "
        "cleared, on the whole gain (or with catch_up_rate, the manager catches up to it).",
    )
    catch_up_rate: ExactDecimal | None = Field(
        default=None,
        description="Soft hurdle only: the manager's share of the gain above the hurdle until it has "
        "rate x the whole gain (1 is a full catch-up, e.g. 0.5); empty: the whole gain at once.",
        examples=["1"],
    )
    gain_basis: GainBasis = Field(
        default=GainBasis.NET_OF_MANAGEMENT_FEE,
        description="What the gain is measured on: the NAV after the management fee (net), or before "
        "the management fee charged since the high-water mark was set (gross). The high-water mark is "
        "net of all fees either way.",
    )
    crystallisation: Crystallisation | None = Field(
        default=None,
        description="When the fee crystallises: on or after the last weekday of each month, quarter "
        "or year; empty: whenever the manager charges it.",
    )


class WaterfallTerms(BaseModel):
    model_config = ConfigDict(extra="forbid")

    style: WaterfallStyle = WaterfallStyle.EUROPEAN
    preferred_return_rate: ExactDecimal = Field(description="Hurdle per annum, e.g. 0.08.", examples=["0.08"])
    compounding: Compounding = Compounding.ANNUAL
    catch_up_rate: ExactDecimal = Field(
        description="GP share of the catch-up tier: 1 is full catch-up, 0 is none.", examples=["1"]
    )
    carried_interest_rate: ExactDecimal = Field(
        description="GP share of profit, e.g. 0.20.", examples=["0.2"]
    )
    day_count: DayCount = DayCount.ACT_365F
    equalisation_interest_rate: ExactDecimal = Field(
        default=Decimal(0),
        description="Subsequent closes: simple interest a year (e.g. 0.08) that investors admitted "
        "later pay on their share of each earlier call, from its date, to the investors already in; "
        "counted on day_count.",
        examples=["0.08"],
    )
    clawback_tax_offset: TaxOffset = Field(
        default=TaxOffset.NONE,
        description="American waterfall only: how the GP's tax on the carry it received reduces the "
        "clawback: none; net_of_tax (the excess less the assumed tax); capped_at_after_tax_carry "
        "(never more than the carry less the assumed tax).",
    )
    clawback_tax_rate: ExactDecimal = Field(
        default=Decimal(0),
        description="American waterfall only: the tax rate assumed on the GP's carry (e.g. 0.30).",
        examples=["0.3"],
    )
    interim_clawback: StrictBool = Field(
        default=False,
        description="American waterfall only: the clawback may also be tested before the end of the "
        "fund, over the distributions so far.",
    )


class ShareClassTerms(BaseModel):
    """One share class of an open-ended pool: its own fee rates, minimums and launch price, in the
    pool's currency. Each class has its own NAV per unit; an investor holds one class of a pool."""

    model_config = ConfigDict(extra="forbid")

    class_id: str = Field(
        min_length=1,
        max_length=16,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Short code the investor's subscriptions name, e.g. A or I-EUR.",
        examples=["I"],
    )
    name: str = Field(default="", max_length=60, examples=["Institutional"])
    currency: str | None = Field(
        default=None,
        max_length=3,
        description="ISO 4217 code the class deals and is priced in (its minimums, its NAV per unit, "
        "its holders' subscriptions and redemptions); empty: the pool's base currency. Each valuation "
        "gives the rate (fx_rates).",
        examples=["EUR"],
    )
    hedged: StrictBool = Field(
        default=False,
        description="A class in another currency whose currency exposure is hedged: the hedge's result, "
        "given at each valuation (hedge_results), is the class's alone.",
    )
    management_fee_rate: ExactDecimal = Field(
        default=Decimal(0),
        description="A year, on the class's NAV, accrued at each valuation (e.g. 0.015).",
        examples=["0.015"],
    )
    performance_fee_rate: ExactDecimal = Field(
        default=Decimal(0),
        description="Share of the gain in the class's NAV per unit above its high-water mark, "
        "crystallised when the manager charges it for the class (e.g. 0.2).",
        examples=["0.2"],
    )
    minimum_subscription: ExactDecimal = Field(
        default=Decimal(0), description="Smallest first subscription in the class.", examples=["1000000.00"]
    )
    minimum_subsequent_subscription: ExactDecimal = Field(
        default=Decimal(0), description="Smallest top-up by a holder of the class.", examples=["10000.00"]
    )
    initial_nav_per_unit: ExactDecimal | None = Field(
        default=None, description="The class's launch price; empty: the pool's initial NAV per unit."
    )
    performance_fee_crystallisation: Crystallisation | None = Field(
        default=None,
        description="When the class's performance fee crystallises: on or after the last weekday of "
        "each month, quarter or year; empty: whenever the manager charges it.",
    )
    performance_fee_on_redemption: StrictBool = Field(
        default=True,
        description="A holder's own performance fee on the units it redeems (their gain over each "
        "unit's reference) crystallises at the redemption and is kept from its proceeds; false: "
        "a leaver pays no performance fee on its gain.",
    )


class PoolSettings(BaseModel):
    """Every setting of a pool; what is created, and what an update is merged into."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=120, examples=["Harbour Growth Fund I"])
    kind: PoolKind
    base_currency: str = Field(max_length=3, description="ISO 4217 code", examples=["USD"])
    inception_date: IsoDate
    initial_nav_per_unit: ExactDecimal = Field(
        default=Decimal("1.000000"), description="Launch price per unit, > 0, up to 6 dp."
    )
    management_fee: ManagementFeeTerms | None = None
    performance_fee: PerformanceFeeTerms | None = Field(default=None, description="Open-ended pools only.")
    waterfall: WaterfallTerms | None = Field(default=None, description="Closed-ended pools only; required.")
    minimum_subscription: ExactDecimal = Field(
        default=Decimal(0), description="At the base currency's minor unit.", examples=["10000.00"]
    )
    share_classes: list[ShareClassTerms] = Field(
        default_factory=list,
        max_length=20,
        description="Open-ended pools only: the classes investors subscribe to, each with its own "
        "fees and NAV per unit. Empty: one class on the pool's own terms.",
    )


class PoolCreate(PoolSettings):
    manager_user_id: RecordId | None = Field(
        default=None,
        description="The pool's first manager. A manager creating a pool becomes it; an admin must name one.",
    )


class PoolUpdate(BaseModel):
    """Only the fields present change. A nested set of terms is replaced whole; null removes it."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=120)
    kind: PoolKind | None = None
    base_currency: str | None = Field(default=None, max_length=3)
    inception_date: IsoDate | None = None
    initial_nav_per_unit: ExactDecimal | None = None
    management_fee: ManagementFeeTerms | None = None
    performance_fee: PerformanceFeeTerms | None = None
    waterfall: WaterfallTerms | None = None
    minimum_subscription: ExactDecimal | None = None
    share_classes: list[ShareClassTerms] | None = Field(default=None, max_length=20)


class PoolOut(PoolSettings):
    model_config = ConfigDict(extra="forbid")

    id: int
    status: PoolStatus
    base_currency_exponent: int = Field(description="ISO 4217 minor-unit exponent: 2 for USD, 0 for JPY.")
    manager_ids: list[int]
    status_changed_at: datetime
    created_at: datetime
    updated_at: datetime


class PoolPage(BaseModel):
    """One page of pools in id order; `next_cursor` is the last id on it when more may follow."""

    items: list[PoolOut]
    next_cursor: int | None


DEFAULT_PAGE_SIZE = 50


MAX_PAGE_SIZE = 200
