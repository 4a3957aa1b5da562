"""A notification as its sender words it and as its reader sees it: the kinds of notice, the
money and dates in a notice's words, one notification to create for one user, and the bell's
list of them.

The words every other part of the schema is built from (a delivery, a choice, a document
names a kind of notice), so this module imports none of its siblings.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
