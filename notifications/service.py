"""In-app notifications: each user reads and marks only their own.

Notifications are created by the ledger-event consumer (notifications/consumer.py), once per
user per event id: a redelivered event finds its rows already there and adds nothing.

The rules live in `NotificationCentre`, over any inbox unit of work (notifications/inbox.py);
`DatabaseNotificationService` is the centre over the database, the one the container binds.
The person's choices (kinds per channel, digests, language) are the base class
`NoticeChoices` (notifications/notice_choices.py), the formal notices as documents and the
statements the base class `NoticeDocuments` (notifications/notice_documents.py); what stays
here is the in-app list, delivery to each channel and the admins' log and previews.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, time

from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import NotFound, PermissionDenied, ValidationFailed
from backend.platform.orm import utcnow
from notifications import previews
from notifications.catalogue import say
from notifications.digests import DigestBook
from notifications.documents import DocumentShelf
from notifications.inbox import EventAlreadyDelivered, InboxUnits, database_inbox
from notifications.languages import LanguageBook
from notifications.notice_choices import NoticeChoices, _user_of
from notifications.notice_documents import NoticeDocuments, StatementSource
from notifications.outbox import HISTORY, EmailOutbox
from notifications.preferences import PreferenceBook
from notifications.provider_health import ProviderDescriptions, ProviderHealthOut, provider_health
from notifications.schemas import (
    MAX_LIST,
    Channel,
    DeliveryFilter,
    DeliveryOut,
    DeliveryStatus,
    DocumentKind,
    EmailPreview,
    NotificationIn,
    NotificationKind,
    NotificationList,
    NotificationOut,
)
from notifications.sms import callback_is_genuine
from notifications.sms_outbox import SmsOutbox

__all__ = ["DatabaseNotificationService", "NotificationCentre", "StatementSource"]


def _admin_only(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("template previews: administrators only", field="kind")


class NotificationCentre(NoticeChoices, NoticeDocuments):
    def __init__(
        self,
        units: InboxUnits,
        *,
        clock: Callable[[], datetime] = utcnow,
        outbox: EmailOutbox | None = None,
        preferences: PreferenceBook | None = None,
        unsubscribe_key: bytes | None = None,
        documents: DocumentShelf | None = None,
        sms: SmsOutbox | None = None,
        sms_signing: tuple[str, str] | None = None,
        statement_figures: StatementSource | None = None,
        health: Callable[[datetime], list[ProviderHealthOut]] | None = None,
        digests: DigestBook | None = None,
        languages: LanguageBook | None = None,
    ) -> None:
        self._languages = languages
        self._units = units
        self._health = health
        self._digests = digests
        self._statement_figures = statement_figures
        self._sms = sms
        self._sms_signing = sms_signing
        self._documents = documents
        self._clock = clock
        self._outbox = outbox
        self._preferences = preferences
        self._unsubscribe_key = unsubscribe_key

    # -- reads -------------------------------------------------------------------------

    def list_for_user(
        self,
        actor: Actor,
        *,
        unread_only: bool = False,
        limit: int = 20,
        kind: NotificationKind | None = None,
    ) -> NotificationList:
        """The signed-in user's notifications (of one kind), newest first, and their unread count."""
        if not 1 <= limit <= MAX_LIST:
            raise ValidationFailed(f"limit: must be 1..{MAX_LIST}", field="limit")
        user_id = _user_of(actor)
        with self._units(actor.reader_key, False) as unit:
            items = unit.inbox.newest(user_id, unread_only=unread_only, limit=limit, kind=kind)
            return NotificationList(items=items, unread=unit.inbox.unread(user_id))

    def unread_count(self, actor: Actor) -> int:
        user_id = _user_of(actor)
        with self._units(actor.reader_key, False) as unit:
            return unit.inbox.unread(user_id)

    # -- changes -----------------------------------------------------------------------

    def mark_read(self, actor: Actor, notification_id: int) -> NotificationOut:
        """Mark one of the user's notifications read (again: no change). Another user's: NotFound."""
        user_id = _user_of(actor)
        with self._units(actor.reader_key, True) as unit:
            if unit.inbox.owner_of(notification_id) != user_id:
                raise NotFound(f"notification {notification_id} not found")
            out = unit.inbox.mark_read(notification_id, self._clock())
            unit.commit()
            return out

    def mark_all_read(self, actor: Actor) -> int:
        user_id = _user_of(actor)
        with self._units(actor.reader_key, True) as unit:
            changed = unit.inbox.mark_all_read(user_id, self._clock())
            unit.commit()
            return changed

    # -- for the consumer (system: no actor) ---------------------------------------------

    def create_for_event(self, event_id: str, items: list[NotificationIn]) -> int:
        """Create the event's notifications in one transaction; returns how many were created.

        Idempotent by event id: if any notification of this event exists, nothing is added
        (a redelivery), and a concurrent duplicate loses on the unique (event, user) key."""
        if not items:
            return 0
        by_user = self._in_their_languages({item.user_id: item for item in items})  # one per user
        # An address the person had before is written to once, by email: nothing else of theirs.
        in_app = {user: i for user, i in by_user.items() if i.email_to is None}
        if self._preferences is not None:
            chosen = self._preferences.wanted({(i.user_id, i.kind) for i in items}, Channel.IN_APP)
            in_app = {user: i for user, i in in_app.items() if (user, i.kind) in chosen}
        created = self._create_in_app(event_id, in_app) if in_app else 0
        if self._outbox is not None:
            # Even for an event seen before: a crash between the two commits left its emails
            # unrecorded, and recording them is idempotent by (event, user, channel).
            self._outbox.enqueue(event_id, list(by_user.values()))
        if self._sms is not None:
            self._sms.enqueue(event_id, [i for i in by_user.values() if i.email_to is None])
        return created

    def _in_their_languages(self, by_user: dict[int, NotificationIn]) -> dict[int, NotificationIn]:
        """Each person's notice in the language they read (the sender's words from the
        catalogue); English, or a notice not worded from it, as given."""
        worded_users = [
            u for u, i in by_user.items() if i.title_words is not None or i.body_words is not None
        ]
        chosen = (
            self._languages.of_users(worded_users) if self._languages is not None and worded_users else {}
        )
        for user, lang in chosen.items():
            item = by_user[user]
            by_user[user] = item.model_copy(
                update={
                    "lang": lang,
                    "title": say(item.title_words, lang)[:200] if item.title_words else item.title,
                    "body": say(item.body_words, lang)[:500] if item.body_words else item.body,
                }
            )
        return by_user

    def _create_in_app(self, event_id: str, by_user: dict[int, NotificationIn]) -> int:
        now = self._clock()
        try:
            with self._units(None, True) as unit:
                if unit.inbox.has_event(event_id):
                    return 0
                for item in by_user.values():
                    at, history = self._when(item, now)
                    unit.inbox.add(event_id, item, at, read=history)
                unit.commit()
        except EventAlreadyDelivered:
            return 0  # another consumer delivered the same event at the same moment
        return len(by_user)

    @staticmethod
    def _when(item: NotificationIn, now: datetime) -> tuple[datetime, bool]:
        """An entry dated long ago (history seeded or imported today) is shown at its own date
        and already read: it is in the list, not news in the bell."""
        on = item.effective_date
        if on is not None and on < now.date() - HISTORY:
            return datetime.combine(on, time(0), tzinfo=UTC), True
        return now, False

    # -- email (system, and the admins' log) -----------------------------------------------

    def send_due_emails(self, limit: int = 200) -> dict[str, int]:
        """System (beat, every 30 s): send the emails that are due; counts by outcome."""
        return self._outbox.send_due(limit) if self._outbox else {}

    def send_due_sms(self, limit: int = 200) -> dict[str, int]:
        """System (beat, every 30 s): send the texts that are due, within the provider's rate."""
        return self._sms.send_due(limit) if self._sms else {}

    def apply_sms_report(self, params: Mapping[str, str], signature: str) -> str | None:
        """The SMS provider's delivery report, if signed by it (ValidationFailed otherwise):
        the text's new state, or None when the report changes nothing."""
        if self._sms is None or self._sms_signing is None:
            raise NotFound("no SMS provider is configured here")
        token, url = self._sms_signing
        if not signature or not callback_is_genuine(token, url, params, signature):
            raise ValidationFailed(
                "X-Twilio-Signature: not signed by the SMS provider", field="X-Twilio-Signature"
            )
        return self._sms.apply_report(params)

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
        if self._outbox is None:
            return []
        return self._outbox.log(actor, query or DeliveryFilter(status=status, limit=limit))

    def resend_delivery(self, actor: Actor, delivery_id: int) -> DeliveryOut:
        """Queue a failed or unknown email again, to the person's current address (admins)."""
        if self._outbox is None:
            raise NotFound(f"delivery {delivery_id} not found", field="delivery_id")
        return self._outbox.resend(actor, delivery_id)

    def resend_document(self, actor: Actor, document_id: int) -> DeliveryOut:
        """Email a notice again to its investor (the pool's managers, administrators)."""
        if self._outbox is None:
            raise NotFound(f"document {document_id} not found", field="document_id")
        delivery_id = self._shelf().email_of(actor, document_id)
        return self._outbox.resend(actor, delivery_id, notice_checked=True)

    def provider_health(self, actor: Actor) -> list[ProviderHealthOut]:
        """Each channel's provider as its deliveries show it over the last day (admins)."""
        _admin_only(actor)
        return self._health(self._clock()) if self._health is not None else []

    # -- template previews (administrators) ------------------------------------------------

    def preview_email(self, actor: Actor, kind: NotificationKind) -> EmailPreview:
        """The kind's email as the outbox renders it, with sample figures (admins). Sample
        data, not a person's: still admin-only, as the templates are the admins' to check."""
        _admin_only(actor)
        rendered = previews.preview_email(kind)
        return EmailPreview(kind=kind, subject=rendered.subject, text=rendered.text, html=rendered.html)

    def preview_document(self, actor: Actor, kind: DocumentKind) -> bytes:
        """A sample PDF of the kind, rendered as an issued one is; nothing is issued (admins)."""
        _admin_only(actor)
        return previews.preview_document(kind)


class DatabaseNotificationService(NotificationCentre):
    def __init__(
        self,
        db: Database,
        outbox: EmailOutbox | None = None,
        *,
        unsubscribe_key: bytes | None = None,
        documents: DocumentShelf | None = None,
        sms: SmsOutbox | None = None,
        sms_signing: tuple[str, str] | None = None,
        statement_figures: StatementSource | None = None,
        providers: ProviderDescriptions | None = None,
    ) -> None:
        described = providers or {}
        super().__init__(
            database_inbox(db),
            digests=DigestBook(db),
            languages=LanguageBook(db),
            health=lambda now: provider_health(db, described, now),
            outbox=outbox,
            preferences=PreferenceBook(db),
            unsubscribe_key=unsubscribe_key,
            documents=documents,
            sms=sms,
            sms_signing=sms_signing,
            statement_figures=statement_figures,
        )
