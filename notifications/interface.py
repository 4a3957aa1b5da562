"""The notification service as its callers see it: a user's in-app notifications (a Protocol)
and their types.

Callers import this module only. The container binds `DatabaseNotificationService`
(service.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from backend.platform.actors import Actor
from notifications.catalogue import LANGUAGES, worded
from notifications.provider_health import ProviderHealthOut
from notifications.schemas import (
    MAX_LIST,
    Amount,
    Channel,
    Day,
    DeliveryFilter,
    DeliveryOut,
    DeliveryStatus,
    DigestChoice,
    DigestFrequency,
    DocumentKind,
    DocumentOut,
    DocumentQuery,
    EmailPreview,
    LanguageChoice,
    NotificationIn,
    NotificationKind,
    NotificationList,
    NotificationOut,
    PreferenceIn,
    PreferenceOut,
    ReadAction,
    StatementFigures,
    StatementIssue,
    StatementIssueOut,
    Words,
)

__all__ = [
    "LANGUAGES",
    "MAX_LIST",
    "Amount",
    "Channel",
    "Day",
    "DeliveryFilter",
    "DeliveryOut",
    "DeliveryStatus",
    "DigestChoice",
    "DigestFrequency",
    "DocumentKind",
    "DocumentOut",
    "DocumentQuery",
    "EmailPreview",
    "LanguageChoice",
    "NotificationIn",
    "NotificationKind",
    "NotificationList",
    "NotificationOut",
    "NotificationService",
    "PreferenceIn",
    "PreferenceOut",
    "ProviderHealthOut",
    "ReadAction",
    "StatementFigures",
    "StatementIssue",
    "StatementIssueOut",
    "Words",
    "worded",
]


class NotificationService(Protocol):
    def list_for_user(
        self,
        actor: Actor,
        *,
        unread_only: bool = False,
        limit: int = 20,
        kind: NotificationKind | None = None,
    ) -> NotificationList:
        """The signed-in user's notifications (of one kind), newest first, and their unread count."""

    def unread_count(self, actor: Actor) -> int: ...

    def mark_read(self, actor: Actor, notification_id: int) -> NotificationOut:
        """Mark one of the user's notifications read (again: no change). Another user's: NotFound."""

    def mark_all_read(self, actor: Actor) -> int: ...

    def preferences(self, actor: Actor) -> list[PreferenceOut]:
        """The signed-in person's choices, every kind on every channel, as they apply now."""

    def set_preference(
        self, actor: Actor, kind: NotificationKind, channel: Channel, enabled: bool
    ) -> PreferenceOut:
        """Switch one kind on or off on one channel for the signed-in person; a formal notice
        cannot be switched off (ValidationFailed)."""

    def language(self, actor: Actor) -> LanguageChoice:
        """The language the signed-in person reads their notices in (English unless chosen)."""

    def set_language(self, actor: Actor, language: str) -> LanguageChoice:
        """Choose it among the languages with a catalogue (LANGUAGES); notices from then on."""

    def digest(self, actor: Actor) -> DigestChoice:
        """Whether the signed-in person takes valuation news as a daily or weekly digest."""

    def set_digest(self, actor: Actor, frequency: DigestFrequency) -> DigestChoice:
        """Choose a digest (or none); while one is chosen, valuations are not emailed singly."""

    def send_digests(self, now: datetime | None = None) -> int:
        """System (beat, every morning): record the digests due; how many were new."""

    def unsubscribe(self, token: str) -> PreferenceOut:
        """One-click unsubscribe (RFC 8058) from a signed link: no session."""

    def documents(
        self, actor: Actor, *, pool_id: int | None = None, kind: DocumentKind | None = None, limit: int = 200
    ) -> list[DocumentOut]:
        """The documents the actor may see (their own; their pools'; all for admins), newest
        first, each with when its addressee first opened it."""

    def open_document(self, actor: Actor, document_id: int, action: ReadAction) -> tuple[DocumentOut, bytes]:
        """The document's PDF, checked against its issued hash; the read is recorded."""

    def issue_statements(self, actor: Actor, pool_id: int, period: str) -> StatementIssueOut:
        """The pool's capital account statements for `period`, each issued once as a PDF and
        sent to its investor as a formal notice (pool managers, administrators)."""

    def create_for_event(self, event_id: str, items: list[NotificationIn]) -> int:
        """Create the event's notifications in one transaction; returns how many were created.
        Formal notices are also recorded for email, once per event, person and channel."""

    def send_due_emails(self, limit: int = 200) -> dict[str, int]:
        """System: send the emails that are due (beat); counts by outcome."""

    def send_due_sms(self, limit: int = 200) -> dict[str, int]:
        """System (beat): send the texts that are due, within the provider's rate."""

    def apply_sms_report(self, params: Mapping[str, str], signature: str) -> str | None:
        """The SMS provider's signed delivery report (ValidationFailed if not signed by it)."""

    def delivery_log(
        self,
        actor: Actor,
        *,
        status: DeliveryStatus | None = None,
        limit: int = 200,
        query: DeliveryFilter | None = None,
    ) -> list[DeliveryOut]:
        """Every email and text recorded, newest first, with its state and last error (admins);
        `query` narrows it by state, channel, kind and text."""

    def resend_delivery(self, actor: Actor, delivery_id: int) -> DeliveryOut:
        """Queue a failed or unknown email again, to the person's current address (admins)."""

    def resend_document(self, actor: Actor, document_id: int) -> DeliveryOut:
        """Email a notice again to the one investor it is addressed to, at their current address
        (the pool's managers, administrators; NotFound for anyone else)."""

    def provider_health(self, actor: Actor) -> list[ProviderHealthOut]:
        """Email and SMS: the provider configured, its rate, the last day's deliveries by state,
        what waits and since when, the last error, and a verdict in words (admins)."""

    def preview_email(self, actor: Actor, kind: NotificationKind) -> EmailPreview:
        """The kind's email rendered with sample figures, nobody's own (admins)."""

    def preview_document(self, actor: Actor, kind: DocumentKind) -> bytes:
        """A sample PDF of the kind of document, rendered as an issued one is (admins)."""
