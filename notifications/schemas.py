"""The notification service's public types."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from backend.platform.fields import RecordId
from notifications.figures import money


class NotificationKind(enum.StrEnum):
    CAPITAL_CALL = "capital_call.issued"
    DISTRIBUTION = "distribution.made"
    VALUATION = "valuation.recorded"
    PAYMENT_REMINDER = "payment.reminder"
    PAYMENT_RECEIVED = "payment.received"
    PAYMENT_FAILED = "payment.failed"
    """A payment that did not go through, or came back (a returned debit, a dispute)."""
    PAYMENT_REFUNDED = "payment.refunded"
    BANK_DETAILS = "bank_details.changed"
    """A change of the account payouts go to: asked, verified or rejected. Always emailed."""
    STATEMENT = "statement.available"
    """A capital account statement was issued (a formal notice, with the PDF attached)."""
    UNDELIVERABLE = "delivery.failed"
    """To a pool's managers: a notice to one of its people could not be delivered for good (an
    address or number refused, a text bounced): someone must reach them another way."""
    REDEMPTION_SETTLED = "redemption.settled"
    """A redemption's proceeds left the pool's account (the bank or the gateway said so)."""
    KYC_STATUS = "kyc.status_changed"
    """The investor's KYC review was decided (approved: they may invest; rejected; pending)."""
    NEW_DEVICE = "signin.new_device"
    """A sign-in from a browser or client the person has not signed in from before."""
    CONTACT_DETAILS = "contact_details.changed"
    """An investor's contact email or phone changed: told at the old address and the new one,
    because a changed address is how a stolen account keeps its owner from hearing of it."""
    PASSWORD_RESET = "password.reset_requested"  # noqa: S105 - a kind of notice, not a secret
    """A one-time link to choose a new password (an admin sent it, or the person asked on the
    login page). Emailed to the account's own address only: the link opens the account, so it
    is never in the app or a text."""
    OPERATOR_ALERT = "operator.alert"
    """To administrators: something the platform cannot put right by itself (events not
    reaching the broker, the books and the bank disagreeing)."""


class Amount(BaseModel):
    """Money in a notice's words: written for the reader's language when read ("EUR 10,000.00"
    in English, "10.000,00 €" in German), always at the currency's minor unit."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: Decimal
    currency: str = Field(min_length=3, max_length=3)


class Day(BaseModel):
    """A date in a notice's words: ISO in English ("2026-12-18"), the reader's own form otherwise."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: date


class Words(BaseModel):
    """A sentence of a notice as its sender words it: the catalogue's message (the English text,
    with %(name)s placeholders) and what goes in them, text already formatted for the reader
    ("EUR 10,000.00") or words of their own. notifications.catalogue.say reads it in a
    language; in English it is the message itself."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    message: str = Field(max_length=500)
    values: dict[str, str | Amount | Day | Words] = Field(default_factory=dict)

    def english(self) -> str:
        if not self.values:
            return self.message
        return self.message % {k: _english(v) for k, v in self.values.items()}


def _english(value: str | Amount | Day | Words) -> str:
    if isinstance(value, Words):
        return value.english()
    if isinstance(value, Amount):
        return money(value.value, value.currency)
    if isinstance(value, Day):
        return value.value.isoformat()
    return value


class NotificationIn(BaseModel):
    """One notification to create for one user (the consumer builds these from an event).

    `title_words` and `body_words`, when the sender words them from the catalogue, are read in
    each person's language (the in-app item, the email, the text); `title` and `body` are the
    English, filled in from the words when not given."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _english_from_words(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for text, words in (("title", "title_words"), ("body", "body_words")):
                given = data.get(words)
                if given is not None and not data.get(text):
                    said = given if isinstance(given, Words) else Words.model_validate(given)
                    data = {**data, text: said.english()[: 200 if text == "title" else 500]}
        return data

    @model_validator(mode="after")
    def _titled(self) -> NotificationIn:
        if not self.title:
            raise ValueError("title: a notice needs a title (or title_words)")
        return self

    user_id: int
    kind: NotificationKind
    pool_id: int | None = None
    entry_id: int | None = None
    title: str = Field(default="", max_length=200, description="English; from title_words when not given")
    body: str = Field(default="", max_length=500)
    link: str = Field(default="", max_length=200)
    effective_date: date | None = Field(
        default=None, description="the entry's date: history loaded today is not emailed"
    )
    document_id: int | None = Field(default=None, description="a notice issued for it: attached to the email")
    email_to: str | None = Field(
        default=None,
        max_length=254,
        description="email this address only (an address the person had before): no bell item, no text",
    )
    title_words: Words | None = None
    body_words: Words | None = None
    lang: str = Field(default="en", max_length=8, description="the language title and body are in")


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: NotificationKind
    pool_id: int | None
    entry_id: int | None
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class NotificationList(BaseModel):
    items: list[NotificationOut] = Field(description="newest first")
    unread: int = Field(description="how many of the user's notifications are unread (all, not just these)")


MAX_LIST = 100


class Channel(enum.StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    SMS = "sms"


class DeliveryStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    """Refused for good (the server rejected the address): not tried again."""
    UNKNOWN = "unknown"
    """A worker died while sending: it may have gone. Not sent again without a person."""
    DELIVERED = "delivered"
    """The provider reported it on the person's phone (an SMS's signed status callback)."""
    BOUNCED = "bounced"
    """The provider reported it undeliverable after taking it: not tried again."""


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: str
    user_id: int
    channel: Channel
    kind: NotificationKind
    pool_id: int | None
    to_address: str
    subject: str
    status: DeliveryStatus
    attempts: int
    next_try_at: datetime | None
    last_error: str
    created_at: datetime
    sent_at: datetime | None


class DeliveryFilter(BaseModel):
    """Which deliveries the log shows (administrators): all of them, newest first, unless narrowed."""

    model_config = ConfigDict(extra="forbid")

    status: DeliveryStatus | None = None
    channel: Channel | None = None
    kind: NotificationKind | None = None
    search: str = Field(default="", max_length=100, description="part of the address, number or subject")
    limit: int = Field(default=200, ge=1, le=1000)


EMAILED_KINDS = frozenset(
    {
        NotificationKind.CAPITAL_CALL,
        NotificationKind.DISTRIBUTION,
        NotificationKind.PAYMENT_REMINDER,
        NotificationKind.PAYMENT_RECEIVED,
        NotificationKind.PAYMENT_FAILED,
        NotificationKind.PAYMENT_REFUNDED,
        NotificationKind.BANK_DETAILS,
        NotificationKind.STATEMENT,
        NotificationKind.UNDELIVERABLE,
        NotificationKind.REDEMPTION_SETTLED,
        NotificationKind.KYC_STATUS,
        NotificationKind.NEW_DEVICE,
        NotificationKind.PASSWORD_RESET,
        NotificationKind.OPERATOR_ALERT,
    }
)
"""Emailed unless the person says otherwise: formal notices and reminders. A valuation stays
in the app unless asked for (it comes every month: the bell, not the mailbox)."""

TEXTED_KINDS = frozenset(
    {
        NotificationKind.CAPITAL_CALL,
        NotificationKind.PAYMENT_REMINDER,
        NotificationKind.PAYMENT_FAILED,
        NotificationKind.BANK_DETAILS,
        NotificationKind.NEW_DEVICE,
    }
)
"""Sent by SMS, to investors with a phone on file, unless they say otherwise: what needs acting
on within days (money due, money that did not arrive) or at once (bank details changed, or a
sign-in from a device never seen: the classic first steps of payout fraud). A change of
contact details is not texted: the new number may be the thief's; the old and new email
addresses are told instead."""

FORMAL_NOTICES = frozenset(
    {
        NotificationKind.CAPITAL_CALL,
        NotificationKind.DISTRIBUTION,
        NotificationKind.BANK_DETAILS,
        NotificationKind.STATEMENT,
        NotificationKind.CONTACT_DETAILS,
        NotificationKind.PASSWORD_RESET,
    }
)
"""Notices with legal or money consequences: always sent, by email and in the app, whatever
the person's preferences (a missed capital call defaults an investor; a bank detail change
nobody was told of is how payouts are stolen)."""


class PreferenceOut(BaseModel):
    kind: NotificationKind
    channel: Channel
    enabled: StrictBool = Field(description='true or false: 0 or "no" is refused, not guessed at')
    mandatory: bool = Field(description="a formal notice: always sent, cannot be switched off")
    default: bool = Field(description="what applies when the person has not chosen")


class PreferenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: NotificationKind
    channel: Channel
    enabled: StrictBool = Field(description='true or false: 0 or "no" is refused, not guessed at')


class DigestFrequency(enum.StrEnum):
    """How a person takes valuation news by email: one email per valuation (OFF: as their
    email preference says), or grouped into one email a day or a week (DIGESTED_KINDS)."""

    OFF = "off"
    DAILY = "daily"
    WEEKLY = "weekly"


DIGESTED_KINDS = frozenset({NotificationKind.VALUATION})
"""News that comes often and asks nothing of the reader: what a digest groups."""


class DigestChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    frequency: DigestFrequency = Field(
        description="off: valuations as the email preference says; daily or weekly: grouped into one email"
    )


class LanguageChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: str = Field(
        min_length=2,
        max_length=8,
        description='the language of your notices: "en" (English) or "de" (Deutsch)',
    )


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


class EmailPreview(BaseModel):
    """A kind's email rendered with sample figures (administrators: notifications/previews.py)."""

    kind: NotificationKind
    subject: str
    text: str = Field(description="the plain-text part, as sent")
    html: str = Field(description="the HTML part, as sent: show it sandboxed, never inline")


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
