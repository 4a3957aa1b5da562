"""The payment service's public types: payment requests, payments, wires and webhooks."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, FieldSerializationInfo, field_serializer

from backend.finance.money import CURRENCIES
from backend.payments.states import PaymentStatus
from backend.platform.fields import IsoDate, Money

__all__ = [
    "CollectionAccountIn",
    "CollectionAccountOut",
    "GatewayHealthOut",
    "LineStatus",
    "ManualMatchIn",
    "MethodIn",
    "PayIn",
    "PaymentOut",
    "PaymentRequestOut",
    "PaymentStatus",
    "Rail",
    "RefundIn",
    "RequestKind",
    "RequestStatus",
    "SavedMethodOut",
    "StatementFormat",
    "StatementImportOut",
    "StatementLineOut",
    "StatementUpload",
    "WebhookOutcome",
    "WireApproval",
    "WireIn",
    "WireInstructions",
]


BIGINT_MAX = 2**63 - 1
"""The payment tables' ids are BIGINT: beyond this an id names no row (and SQLite cannot bind it)."""


class AtMinorUnit(BaseModel):
    """Amounts are kept at the books' cash scale; in JSON they read at the currency's minor
    unit ("20000.00", not "20000.0000"), as the ledger presents them."""

    @field_serializer("*", when_used="json")
    def _minor_unit(self, value: object, info: FieldSerializationInfo) -> object:
        currency = CURRENCIES.get(str(getattr(self, "currency", "") or ""))
        if isinstance(value, Decimal) and currency is not None:
            return str(value.quantize(currency.quantum))
        return value


class RequestKind(StrEnum):
    CAPITAL_CALL = "capital_call"


class RequestStatus(StrEnum):
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    OVERPAID = "overpaid"
    """More arrived than was due: the excess is held as the investor's credit, never applied
    to anything without a person deciding."""
    CANCELED = "canceled"
    """The books reversed the capital call before anything was paid: nothing is owed; money
    that arrives anyway is held as credit."""


class Rail(StrEnum):
    GATEWAY = "gateway"
    """Cards and bank debits through the payment gateway."""
    BANK_TRANSFER = "bank_transfer"
    """A wire (SEPA, ACH, SWIFT) to the pool's collection account."""
    BOOKS = "books"
    """A contribution recorded straight in the books (by hand, an import): mirrored, never posted."""


class PaymentRequestOut(AtMinorUnit):
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


class PaymentOut(AtMinorUnit):
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
    awaiting_approval: bool = Field(default=False, description="a wire waiting for a second person")
    failure_reason: str | None = None
    value_date: date | None = None
    created_at: datetime
    updated_at: datetime


class WireIn(BaseModel):
    """A wire a manager saw arrive, recorded by hand: posted once a second person approves."""

    model_config = ConfigDict(extra="forbid")

    request_id: int = Field(ge=1, le=BIGINT_MAX)
    amount: Money = Field(description="as received, in the request's currency")
    value_date: IsoDate = Field(description="the date the bank credited it")
    bank_reference: str = Field(min_length=1, max_length=64, description="the bank's reference of the credit")


class RefundIn(BaseModel):
    """Money given back through the gateway to the card or account that paid."""

    model_config = ConfigDict(extra="forbid")

    amount: Money | None = Field(
        default=None, description="in the payment's currency; by default its credit, else all of it"
    )
    reason: str = Field(min_length=1, max_length=200, description="why: it is audited and shown")


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


class PoolBankDetails(BaseModel):
    """The pool's collection account in full, as a capital call notice prints it."""

    account_name: str
    iban: str = Field(description="in groups of four")
    bic: str | None


class WireInstructions(AtMinorUnit):
    """What an investor needs to pay a request by wire."""

    request_id: int
    beneficiary: str
    iban: str = Field(description="the pool's collection account, in groups of four")
    bic: str | None
    reference: str = Field(description="quote it exactly: the payment is matched by it")
    amount: Decimal = Field(description="what is still outstanding")
    currency: str
    due_date: date


class StatementFormat(StrEnum):
    CAMT053 = "camt053"
    CAMT054 = "camt054"
    MT940 = "mt940"
    CSV = "csv"


STATEMENT_MAX_BYTES = 5 * 1024 * 1024


class StatementUpload(BaseModel):
    """A bank statement file of the pool's collection account, as uploaded (base64)."""

    model_config = ConfigDict(extra="forbid")

    format: StatementFormat
    filename: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(min_length=4, max_length=STATEMENT_MAX_BYTES * 4 // 3 + 4)


class LineStatus(StrEnum):
    MATCHED = "matched"
    """Became a payment against the request its reference (or payer and amount) named."""
    RETURNED = "returned"
    """A payment that came back: the payment it returned is reversed."""
    UNMATCHED = "unmatched"
    """Money in that names no request: waits for a person (`match_line`)."""
    PROPOSED = "proposed"
    """A person matched it: waits for a second person to approve the payment."""
    NOT_A_PAYMENT = "ignored"
    """Money out that is no investor's payment (bank fees, payouts)."""


class StatementLineOut(AtMinorUnit):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    import_id: int
    pool_id: int
    entry_reference: str
    booking_date: date
    value_date: date | None
    amount: Decimal
    currency: str
    direction: str
    is_return: bool
    remittance: str
    payer_name: str | None
    counterparty_account: str | None = Field(description='masked: "DE…3000"')
    line: int = Field(description="where it is in the file")
    status: LineStatus
    reason: str
    payment_id: int | None
    payout_id: int | None = Field(default=None, description="the payout a debit paid or a return sent back")


class StatementImportOut(BaseModel):
    import_id: int
    pool_id: int
    filename: str
    lines: int = Field(description="new lines imported (a re-import of the same movements adds none)")
    duplicates: int = Field(description="movements already imported before")
    matched: int
    returned: int
    unmatched: int
    ignored: int
    results: list[StatementLineOut]


class ManualMatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    request_id: int = Field(ge=1, le=BIGINT_MAX, description="the payment request the money is for")


class DifferenceKind(StrEnum):
    AT_GATEWAY_NOT_IN_BOOKS = "at_gateway_not_in_books"
    IN_BOOKS_NOT_AT_GATEWAY = "in_books_not_at_gateway"
    AMOUNT_DIFFERS = "amount_differs"
    CURRENCY_DIFFERS = "currency_differs"
    RETURNED_AT_GATEWAY = "returned_at_gateway"
    GATEWAY_FEES = "gateway_fees"
    AT_BANK_NOT_IN_BOOKS = "at_bank_not_in_books"
    NOT_ON_A_STATEMENT = "not_on_a_statement"
    BOOKS_BEHIND = "books_behind"


class ReconciliationDifferenceOut(AtMinorUnit):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    kind: DifferenceKind
    pool_id: int | None
    payment_id: int | None
    source: str = Field(description="where it was found: a gateway movement, a statement line, a payment")
    amount: Decimal | None
    currency: str | None
    detail: str
    action: str = Field(description="what a person should do about it")


class ReconciliationOut(BaseModel):
    run_id: int
    on_date: date
    created_at: datetime
    gateway_entries: int
    statement_lines: int
    payments_checked: int
    gateway_error: str | None = Field(description="the gateway could not be read: its side is unchecked")
    differences: list[ReconciliationDifferenceOut]


class GatewayHealthOut(BaseModel):
    """How the gateway's news and the books are keeping up: what an operator looks at first."""

    window_hours: int
    events: int = Field(description="webhook events applied or recorded in the window")
    ignored: int = Field(description="of which changed nothing (stale, unknown payment)")
    events_by_type: dict[str, int]
    last_event_at: datetime | None
    last_event_type: str | None
    stuck_attempts: int = Field(description="gateway attempts pending or processing for over an hour")
    books_behind: int = Field(description="payments whose contribution the books do not hold yet")
    awaiting_approval: int = Field(description="wires and matches waiting for a second person")
    unmatched_lines: int = Field(description="statement credits in the manual match queue")
