"""The payment service's public types for payouts: investors' bank accounts for payouts, the
payouts each distribution or redemption owes, and the files that pay them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from backend.payments.schemas import AtMinorUnit
from backend.platform.fields import IsoDate

__all__ = [
    "AccountDecision",
    "PayoutAccountIn",
    "PayoutAccountOut",
    "PayoutAccountStatus",
    "PayoutBatchOut",
    "PayoutFileIn",
    "PayoutKind",
    "PayoutOut",
    "PayoutRail",
    "PayoutStatus",
]


class PayoutAccountIn(BaseModel):
    """An investor's own bank account for distributions and redemption proceeds."""

    model_config = ConfigDict(extra="forbid")

    account_name: str = Field(min_length=1, max_length=140, description="the holder, as the bank has it")
    iban: str = Field(
        min_length=15, max_length=42, repr=False, description="checked (country, length, check digits)"
    )
    bic: str | None = Field(default=None, max_length=14)
    password: str = Field(
        min_length=1,
        max_length=1024,
        repr=False,
        description="the caller's password again: bank details change only so",
    )


class PayoutAccountStatus(StrEnum):
    UNCONFIRMED = "unconfirmed"
    """Entered by the investor with their password; waits for the code emailed to them."""
    PENDING = "pending"
    """Confirmed by the investor; paid into only once a second person verifies it."""
    VERIFIED = "verified"
    REPLACED = "replaced"
    REJECTED = "rejected"
    LAPSED = "lapsed"
    """Never confirmed: the code expired, or was mistyped too often."""


class PayoutAccountOut(BaseModel):
    id: int
    investor_id: int
    account_name: str
    iban_masked: str
    bic: str | None
    country: str
    status: PayoutAccountStatus
    requested_at: datetime
    code_expires_at: datetime | None = Field(
        default=None, description="unconfirmed: the emailed code works until then"
    )
    confirmed_at: datetime | None = Field(default=None, description="when the investor entered the code")
    verified_at: datetime | None
    held_until: date | None = Field(description="payouts to it wait for review until this day")


class PayoutAccountCode(BaseModel):
    """The one-time code emailed to the investor's sign-in address when they asked for the change."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[0-9]{6}$", repr=False, description="the six digits from the email")


class AccountDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verify: bool = Field(description="true: confirmed with the investor; false: rejected")
    note: str = Field(min_length=1, max_length=300, description="how it was confirmed (a call-back to ...)")


class PayoutKind(StrEnum):
    DISTRIBUTION = "distribution"
    REDEMPTION = "redemption"
    CLAWBACK = "clawback"
    """Carry the GP gave back (American waterfall), passed on to the investors who bore it."""


class PayoutRail(StrEnum):
    BANK = "bank"
    """In a pain.001 file the pool's bank executes (SEPA: EUR only)."""
    GATEWAY = "gateway"
    """A transfer through the payment gateway, in the pool's currency."""


class PayoutStatus(StrEnum):
    HELD = "held"
    """Waits for a person: no verified account, or one changed too recently."""
    READY = "ready"
    INSTRUCTED = "instructed"
    """In a payment file sent to the bank (the bank's statement confirms it), or being sent
    through the gateway (its answer confirms it)."""
    PAID = "paid"
    RETURNED = "returned"
    """The bank sent it back, or the gateway reversed the transfer: the investor is owed it."""
    CANCELED = "canceled"
    """The books reversed the distribution or redemption before the money was sent."""


class PayoutOut(AtMinorUnit):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    pool_id: int
    investor_id: int
    source_entry_id: int
    effective_date: date = Field(description="the distribution's or redemption's date in the books")
    kind: PayoutKind
    amount: Decimal
    currency: str
    status: PayoutStatus
    hold_reason: str
    end_to_end_id: str = Field(description="the bank reports it back on the statement")
    rail: PayoutRail | None = Field(description="how it was sent; none until it is")
    gateway_transfer_id: str | None
    batch_id: int | None
    created_at: datetime
    updated_at: datetime


class PayoutFileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    execution_date: IsoDate = Field(description="the day the bank is to pay")


class PayoutBatchOut(AtMinorUnit):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    pool_id: int
    message_id: str
    execution_date: date
    payouts: int
    total: Decimal
    currency: str
    created_at: datetime
