"""The payment service's public types: payment requests, payments, wires and webhooks."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from backend.payments.states import PaymentStatus
from backend.platform.fields import IsoDate, Money

__all__ = [
    "CollectionAccountIn",
    "CollectionAccountOut",
    "MethodIn",
    "PayIn",
    "PaymentOut",
    "PaymentRequestOut",
    "PaymentStatus",
    "Rail",
    "RequestKind",
    "RequestStatus",
    "SavedMethodOut",
    "WebhookOutcome",
    "WireApproval",
    "WireIn",
    "WireInstructions",
]


class RequestKind(StrEnum):
    CAPITAL_CALL = "capital_call"


class RequestStatus(StrEnum):
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    OVERPAID = "overpaid"
    """More arrived than was due: the excess is held as the investor's credit, never applied
    to anything without a person deciding."""


class Rail(StrEnum):
    GATEWAY = "gateway"
    """Cards and bank debits through the payment gateway."""
    BANK_TRANSFER = "bank_transfer"
    """A wire (SEPA, ACH, SWIFT) to the pool's collection account."""


class PaymentRequestOut(BaseModel):
    """What one investor owes for one capital call, and how much of it has arrived."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    pool_id: int
    investor_id: int
    kind: RequestKind
    source_entry_id: int = Field(description="the capital call's journal entry")
    reference: str = Field(description="ISO 11649 creditor reference to quote on a wire")
    currency: str
    amount_due: Decimal
    amount_received: Decimal = Field(description="succeeded payments, net of refunds and reversals")
    credit: Decimal = Field(description="received beyond what was due: the investor's credit")
    due_date: date
    status: RequestStatus
    overdue: bool = False
    created_at: datetime


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    request_id: int
    pool_id: int
    investor_id: int
    rail: Rail
    amount: Decimal
    currency: str
    status: PaymentStatus
    gateway_payment_id: str | None = None
    bank_reference: str | None = Field(default=None, description="the bank's reference of the credit")
    applied: Decimal = Field(description="what went towards the request (posted to the books)")
    credit: Decimal = Field(description="what exceeded the request: held as the investor's credit")
    ledger_entry_id: int | None = Field(default=None, description="the contribution, once posted")
    recorded_by_user_id: int | None = None
    approved_by_user_id: int | None = None
    failure_reason: str | None = None
    value_date: date | None = None
    created_at: datetime
    updated_at: datetime


class WireIn(BaseModel):
    """A wire a manager saw arrive, recorded by hand: posted once a second person approves."""

    model_config = ConfigDict(extra="forbid")

    request_id: int = Field(ge=1)
    amount: Money = Field(description="as received, in the request's currency")
    value_date: IsoDate = Field(description="the date the bank credited it")
    bank_reference: str = Field(min_length=1, max_length=64, description="the bank's reference of the credit")


class WireApproval(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool = Field(description="true posts it; false rejects it (nothing is posted)")
    reason: str = Field(default="", max_length=500)


class WebhookOutcome(BaseModel):
    """What one webhook delivery did."""

    event_id: str
    duplicate: bool = Field(description="seen before: nothing was done again")
    payment_id: int | None = None
    status: PaymentStatus | None = None
    ignored: str | None = Field(default=None, description="why the event changed nothing, if it did not")


_GATEWAY_ID = r"^(pm|tok|btok|ba)_[A-Za-z0-9_]{1,96}$"


class MethodIn(BaseModel):
    """A payment method as the gateway's hosted fields tokenised it: never a card number."""

    model_config = ConfigDict(extra="forbid")

    token: str = Field(pattern=_GATEWAY_ID, description="pm_... or tok_... from the gateway's hosted fields")


class PayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: str = Field(pattern=_GATEWAY_ID, description="one of the caller's saved methods (pm_...)")


class SavedMethodOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    token: str
    kind: str = Field(description="card, us_bank_account or sepa_debit")
    label: str = Field(description='what the gateway shows: "visa ending 4242, expires 12/2030"')


class CollectionAccountIn(BaseModel):
    """The pool's own bank account, where investors send their wires."""

    model_config = ConfigDict(extra="forbid")

    account_name: str = Field(min_length=1, max_length=140, description="the beneficiary, as the bank has it")
    iban: str = Field(min_length=15, max_length=42, description="checked (country, length, check digits)")
    bic: str | None = Field(default=None, max_length=14)


class CollectionAccountOut(BaseModel):
    pool_id: int
    account_name: str
    iban_masked: str = Field(description='country and last four: "DE…3000"')
    bic: str | None
    updated_at: datetime


class WireInstructions(BaseModel):
    """What an investor needs to pay a request by wire."""

    request_id: int
    beneficiary: str
    iban: str = Field(description="the pool's collection account, in groups of four")
    bic: str | None
    reference: str = Field(description="quote it exactly: the payment is matched by it")
    amount: Decimal = Field(description="what is still outstanding")
    currency: str
    due_date: date
