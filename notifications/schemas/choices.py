"""What a person may choose about their notices, and what holds when they have not: the kinds
emailed and texted by default, the formal notices that cannot be switched off, a preference
per kind and channel, valuation digests and the language notices are written in.

Apart from the deliveries because these are the person's own settings, kept and changed by
them; the outbox only reads them.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from notifications.schemas.deliveries import Channel
from notifications.schemas.notices import NotificationKind

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
