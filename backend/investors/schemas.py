"""The investor service's public types: profiles, KYC, commitments and participation figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from backend.platform.fields import IsoDate, RecordId
from backend.pools.interface import ExactDecimal, PoolKind


class InvestorType(StrEnum):
    INDIVIDUAL = "individual"
    ENTITY = "entity"


class KycStatus(StrEnum):
    """Know-your-customer review. Only an approved investor may put money into a pool."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class InvestorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: RecordId = Field(
        description="The investor-role user this profile belongs to (one profile each)."
    )
    legal_name: str = Field(max_length=200, examples=["Ana Example"])
    investor_type: InvestorType
    country: str = Field(max_length=2, description="ISO 3166-1 alpha-2 code", examples=["GB"])
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=32)
    kyc_status: KycStatus = Field(
        default=KycStatus.PENDING,
        description="pending until reviewed here; approved or rejected when the review was done "
        "before the profile was created (an investor moving from another administrator)",
    )


class InvestorUpdate(BaseModel):
    """Only the fields present change. An investor may change only the contact fields;
    KYC status is a manager's or an admin's decision."""

    model_config = ConfigDict(extra="forbid")

    legal_name: str | None = Field(default=None, max_length=200)
    investor_type: InvestorType | None = None
    country: str | None = Field(default=None, max_length=2)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=32)
    kyc_status: KycStatus | None = None


class InvestorOut(BaseModel):
    id: int
    user_id: int
    legal_name: str
    investor_type: InvestorType
    country: str
    contact_email: str | None
    contact_phone: str | None
    kyc_status: KycStatus
    kyc_changed_at: datetime | None
    created_at: datetime
    updated_at: datetime


INVESTOR_SEARCH_MAX_LENGTH = 100
"""The longest search text a list of investors takes: a legal name is at most 200 characters,
and a picker narrows by part of one."""


class InvestorPage(BaseModel):
    """One page of investor profiles in id order; `next_cursor` is the last id when more may follow."""

    items: list[InvestorOut]
    next_cursor: int | None


class CommitmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    investor_id: RecordId
    amount: ExactDecimal = Field(
        description="In the pool's base currency, at its minor unit.", examples=["1000000.00"]
    )
    effective_date: IsoDate | None = Field(default=None, description="Defaults to today (UTC).")


class CommitmentOut(BaseModel):
    id: int
    pool_id: int
    investor_id: int
    amount: ExactDecimal
    currency: str
    effective_date: date
    created_at: datetime


class CommitmentPage(BaseModel):
    items: list[CommitmentOut]
    next_cursor: int | None


class Position(BaseModel):
    """What the books say about one investor in one pool; from the ledger once it exists."""

    units_held: ExactDecimal = Decimal(0)
    capital_account: ExactDecimal = Decimal(0)
    called: ExactDecimal = Decimal(0)
    recallable: ExactDecimal = Decimal(0)
    """Capital returned by recallable distributions: it may be called again."""
    contributed: ExactDecimal = Decimal(0)
    distributed: ExactDecimal = Decimal(0)
    fees_borne: ExactDecimal = Decimal(0)


class Participation(BaseModel):
    """One investor's stake in one pool, in the pool's base currency (units at 6 dp).

    `unfunded` = committed - called (ILPA: commitment less contributions called, paid or
    not): what the investor may still be called for. An
    open-ended pool takes no commitments (money comes in by subscription), so `committed`
    and `unfunded` are 0 there.
    """

    investor_id: int
    pool_id: int
    pool_kind: PoolKind
    currency: str
    committed: ExactDecimal
    contributed: ExactDecimal
    unfunded: ExactDecimal
    distributed: ExactDecimal
    fees_borne: ExactDecimal
    units_held: ExactDecimal
    capital_account: ExactDecimal


class SideLetterTerms(BaseModel):
    """What one investor's side letter changes in a closed-ended pool's terms for them; what
    it leaves empty stays as the pool's terms say. Applied by the fee and distribution
    entries posted after it is recorded."""

    model_config = ConfigDict(extra="forbid")

    reference: str = Field(
        min_length=1,
        max_length=200,
        description="Where it is agreed, e.g. 'Side letter of 1 March 2025, clause 3'.",
        examples=["Side letter of 1 March 2025, clause 3"],
    )
    management_fee_rate: ExactDecimal | None = Field(
        default=None,
        description="Replaces the pool's management fee rate for this investor, per annum: 0.015 is 1.5%.",
        examples=["0.015"],
    )
    management_fee_waiver: ExactDecimal = Field(
        default=Decimal(0),
        description="Share of this investor's management fee waived, 0 to 1 (1 waives it all).",
        examples=["0.5"],
    )
    carried_interest_rate: ExactDecimal | None = Field(
        default=None,
        description="Replaces the pool's carried interest rate for this investor (never above "
        "the pool's): 0.15 is 15%.",
        examples=["0.15"],
    )
    gp_commitment: StrictBool = Field(
        default=False,
        description="The GP's own commitment (or an affiliate's): bears no management fee and no "
        "carried interest.",
    )
    management_fee_holiday_until: IsoDate | None = Field(
        default=None,
        description="No management fee for this investor's days up to and including this date "
        "(an early closer's fee holiday); not before the pool's inception.",
        examples=["2025-06-30"],
    )


class SideLetterOut(SideLetterTerms):
    model_config = ConfigDict(extra="forbid")

    pool_id: int
    investor_id: int
    updated_at: datetime


class SideLetterPage(BaseModel):
    items: list[SideLetterOut]
