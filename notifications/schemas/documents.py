"""The formal notices as documents: their kinds, a document as listed (with how its email
and text went), the query the listing takes, how it was read, and the capital account
statements a manager issues for a period with the figures each one prints.

Apart from the notices and deliveries because a document is the legal record, issued once and
checked against its hash whenever it is read.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from backend.platform.fields import RecordId
from notifications.schemas.deliveries import DeliveryStatus


class DocumentKind(enum.StrEnum):
    CAPITAL_CALL_NOTICE = "capital_call_notice"
    DISTRIBUTION_NOTICE = "distribution_notice"
    CAPITAL_ACCOUNT_STATEMENT = "capital_account_statement"


class ReadAction(enum.StrEnum):
    VIEW = "view"
    DOWNLOAD = "download"


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: DocumentKind
    pool_id: int
    investor_id: int
    title: str
    reference: str
    issued_on: date
    sha256: str = Field(description="SHA-256 of the PDF as issued: a changed file is refused when read")
    size: int = Field(description="bytes")
    opened_at: datetime | None = Field(
        default=None, description="when the investor it is addressed to first opened it; None: not yet"
    )
    opens: int = Field(default=0, description="views and downloads by the investor it is addressed to")
    email_status: DeliveryStatus | None = Field(
        default=None, description="where the email carrying it is (None: no email was recorded)"
    )
    email_delivery_id: int | None = Field(default=None, description="that email, to resend it")
    sms_status: DeliveryStatus | None = Field(
        default=None, description="the text message about it, if the investor takes them"
    )


class DocumentQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Within the id column's range: past 2^63 SQLite cannot even compare it (a 500, found by
    # the API fuzzing test), and no pool has such an id anywhere.
    pool_id: RecordId | None = None
    kind: DocumentKind | None = None
    limit: int = Field(default=200, ge=1, le=1000)


class StatementFigures(BaseModel):
    """One investor's capital account over a period, as the reports service states it (the
    ILPA roll-forward; movements signed as they change the balance): what a statement prints."""

    investor_id: int
    pool_id: int
    currency: str
    period: str
    start: date
    end: date
    beginning_balance: Decimal
    contributions: Decimal
    redemptions: Decimal
    distributions: Decimal
    management_fees: Decimal
    management_fee_offsets: Decimal = Decimal(0)
    performance_fees: Decimal
    income: Decimal
    expenses: Decimal
    realised_gains: Decimal
    unrealised_gains: Decimal
    carried_interest_paid: Decimal
    carried_interest_accrued: Decimal
    other: Decimal
    ending_balance: Decimal
    units_end: Decimal
    nav_per_unit_end: Decimal | None
    committed: Decimal
    unfunded_commitment: Decimal


class StatementIssue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(min_length=4, max_length=10, description='"2026-Q3", "2026-09" or "2026"')


class StatementIssueOut(BaseModel):
    pool_id: int
    period: str
    issued: int = Field(description="statements issued now")
    already: int = Field(description="statements issued before for this period (not issued again)")
