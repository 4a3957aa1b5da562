"""The email outbox: each message is recorded (rendered, addressed) before it is sent, and
sent by `send_due`, at most once per event, person and channel.

- Enqueue: the event's notices (dated within HISTORY) for the people it concerns who take
  that kind by email (notifications/preferences.py: formal notices always), rendered from
  the templates and addressed from the users service. The unique (event, user, channel) key
  makes a redelivered event or a replayed relay add nothing.
- Send: a pass sends its due messages in one provider session (one SMTP connection, one
  login), each within the provider's rate: a token from its bucket (shared through Redis by
  every worker), waited for briefly, then the message is claimed (status sending, committed)
  just before it is handed over; then sent, or queued again with a backoff (an outage: 30 s
  doubling to an hour, with jitter, for three days), or failed (refused for good). A pass
  whose bucket stays empty stops and leaves the rest queued, unclaimed, for the next one.
  A message left "sending" by a worker that died is marked unknown, never sent again by
  itself: it may have gone, and a formal notice sent twice is worse than one a person
  resends after checking.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr

from sqlalchemy import func, select

from backend.platform.actors import Actor
from backend.platform.db import Database
from backend.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from notifications.delivery_rows import DeliveryRows
from notifications.digests import DigestBook, DigestLine, DigestPeriod
from notifications.mail import MailProvider, MailRefused, MailSender, MailUnavailable, MailUncertain
from notifications.models import Delivery
from notifications.preferences import PreferenceBook, default_for
from notifications.rate_limit import TokenBucket
from notifications.rendering import RenderedEmail, render_digest, render_email
from notifications.schemas import (
    DIGESTED_KINDS,
    FORMAL_NOTICES,
    Channel,
    DeliveryFilter,
    DeliveryOut,
    DeliveryStatus,
    NotificationIn,
    NotificationKind,
)
from notifications.unsubscribe import unsubscribe_token
from notifications.vault import DocumentMissing, DocumentTampered, VaultUnavailable

log = logging.getLogger(__name__)

Attachments = Callable[[int], tuple[str, bytes]]
"""document id -> (file name, bytes checked against the issued hash) (the document shelf)."""
Contacts = Callable[[Collection[int]], dict[int, tuple[str, str]]]
"""{user id: (email, display name)} of active users (the users service)."""

BATCH = 200
TOKEN_WAIT = 2.0
"""Seconds a pass waits for the next token before it leaves the rest to the next pass. At
the provider's rate the next one is a fraction of a second away, so a pass sends at that rate
rather than a burst per beat; a longer wait means other workers are using the rate up."""
HISTORY = timedelta(days=31)
"""An entry dated further back is history being loaded (a seed, an import): in the app only."""


class EmailOutbox:
    def __init__(
        self,
        db: Database,
        mail: Callable[[], MailProvider],
        contacts: Contacts,
        *,
        sender: str,
        portal_url: str,
        now: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        preferences: PreferenceBook | None = None,
        unsubscribe_key: bytes | None = None,
        attachments: Attachments | None = None,
        on_undeliverable: Callable[[int], None] | None = None,
        bucket: TokenBucket | None = None,
        bucket_key: str = "email",
        token_wait: float = TOKEN_WAIT,
        digests: DigestBook | None = None,
    ) -> None:
        self._db = db
        self._digests = digests
        self._undeliverable: Callable[[int], None] = on_undeliverable or (lambda _delivery: None)
        self._rows = DeliveryRows(db, now)
        self._bucket = bucket
        self._bucket_key = bucket_key
        self._token_wait = token_wait
        self._attachments = attachments
        self._preferences = preferences
        self._unsubscribe_key = unsubscribe_key
        self._mail = mail
        self._contacts = contacts
        self._sender = sender
        self._domain = parseaddr(sender)[1].rpartition("@")[2] or "pools.localhost"
        self._portal_url = portal_url.rstrip("/")
        self._now = now
        self._rng = rng or random.Random()  # noqa: S311 - spreads retries; not a secret

    # -- recording ------------------------------------------------------------------------

    def enqueue(self, event_id: str, items: Sequence[NotificationIn]) -> int:
        """Record the event's emails; returns how many were new (0 for a redelivered event)."""
        oldest = self._now().date() - HISTORY
        recent = [i for i in items if i.effective_date is None or i.effective_date >= oldest]
        if self._preferences is not None:
            chosen = self._preferences.wanted({(i.user_id, i.kind) for i in recent}, Channel.EMAIL)
        else:
            chosen = {(i.user_id, i.kind) for i in recent if default_for(i.kind, Channel.EMAIL)}
        if self._digests is not None:
            # A person who takes a digest gets these grouped, the next morning (digests.py).
            takers = self._digests.takers({i.user_id for i in recent if i.kind in DIGESTED_KINDS})
            chosen = {(u, k) for u, k in chosen if not (k in DIGESTED_KINDS and u in takers)}
        wanted = {i.user_id: i for i in recent if (i.user_id, i.kind) in chosen}
        if not wanted:
            return 0
        have = self._rows.recorded_for(event_id, Channel.EMAIL)
        todo = [item for user, item in sorted(wanted.items()) if user not in have]
        contacts = self._contacts({item.user_id for item in todo})
        rows = [
            self._row(event_id, item, item.email_to or contacts[item.user_id][0], contacts[item.user_id][1])
            for item in todo
            if item.user_id in contacts
        ]
        return self._rows.record(rows)

    def enqueue_digest(
        self,
        period: DigestPeriod,
        news: Mapping[int, Sequence[DigestLine]],
        languages: Mapping[int, str] | None = None,
    ) -> int:
        """Record the period's digest for each person with news in it; 0 for one recorded before."""
        have = self._rows.recorded_for(period.event_id, Channel.EMAIL)
        todo = sorted(user for user, lines in news.items() if lines and user not in have)
        contacts = self._contacts(todo)
        choose = f"{self._portal_url}/notifications?tab=preferences"
        rows = []
        for user in (u for u in todo if u in contacts):
            address, name = contacts[user]
            lines = [(line.title, line.body, f"{self._portal_url}{line.link}") for line in news[user]]
            lang = (languages or {}).get(user, "en")
            rendered = render_digest(
                name=name, period=period.label, lines=lines, preferences=choose, lang=lang
            )
            rows.append(self._delivery(period.event_id, user, NotificationKind.VALUATION, address, rendered))
        return self._rows.record(rows)

    def _row(self, event_id: str, item: NotificationIn, address: str, name: str) -> Delivery:
        link = f"{self._portal_url}{item.link}" if item.link.startswith("/") else self._portal_url
        choose = "" if item.kind in FORMAL_NOTICES else f"{self._portal_url}/notifications?tab=preferences"
        rendered = render_email(
            item.kind,
            name=name,
            title=item.title,
            body=item.body,
            link=link,
            preferences=choose,
            lang=item.lang,
        )
        row = self._delivery(event_id, item.user_id, item.kind, address, rendered)
        row.pool_id, row.document_id = item.pool_id, item.document_id
        return row

    def _delivery(
        self, event_id: str, user_id: int, kind: NotificationKind, address: str, rendered: RenderedEmail
    ) -> Delivery:
        digest = hashlib.sha256(f"{event_id}:{user_id}:email".encode()).hexdigest()[:32]
        return Delivery(
            event_id=event_id,
            user_id=user_id,
            channel=Channel.EMAIL.value,
            kind=kind.value,
            to_address=address,
            subject=rendered.subject[:200],
            text_body=rendered.text,
            html_body=rendered.html,
            # The same message, should a person resend it, has the same id: mail clients
            # thread it (and many drop it) rather than show a second notice.
            message_id=f"<{digest}@{self._domain}>",
            status=DeliveryStatus.QUEUED.value,
        )

    # -- sending --------------------------------------------------------------------------

    def send_due(self, limit: int = BATCH) -> dict[str, int]:
        """Send what is due now, within the provider's rate; returns how many were sent,
        retried later, failed, and found interrupted, and "throttled": how many were left
        queued because the rate was used up (only when some were). Safe to run from several
        workers at once: each message is claimed on its own, just before it is sent, and only
        one claim of it can succeed."""
        counts = {"sent": 0, "retry": 0, "failed": 0, "interrupted": self._rows.mark_interrupted()}
        rated = self._rows.due_within_rate(
            Channel.EMAIL, limit, self._bucket, self._bucket_key, max_wait=self._token_wait
        )
        # The session connects at its first message: a pass with nothing to send opens nothing.
        with self._mail().session() as mail:
            for delivery_id in rated:
                counts[self._send_one(delivery_id, mail)] += 1
        if rated.throttled:
            counts["throttled"] = rated.throttled
        return counts

    def _send_one(self, delivery_id: int, mail: MailSender) -> str:
        with ReadView(self._db) as view:
            row = view.session.get(Delivery, delivery_id)
            if row is None:  # claimed a moment ago: only a bug gets here
                raise RuntimeError(f"delivery {delivery_id} vanished")
            message = self._message(row)
            attempts, created, document = row.attempts, row.created_at, row.document_id
        try:
            if document is not None:
                self._attach(message, document)
            mail.send(message)
        except (DocumentTampered, DocumentMissing) as exc:
            # Never send a notice other than the one issued: a person must look at the vault.
            self._rows.finish(delivery_id, DeliveryStatus.FAILED, f"attachment: {type(exc).__name__}: {exc}")
            return "failed"
        except MailRefused as exc:
            self._rows.finish(delivery_id, DeliveryStatus.FAILED, f"refused: {exc}")
            self._undeliverable(delivery_id)
            return "failed"
        except MailUncertain as exc:
            self._rows.finish(
                delivery_id, DeliveryStatus.UNKNOWN, f"may have gone: {exc}; check before resending"
            )
            return "failed"
        except (MailUnavailable, VaultUnavailable) as exc:
            if self._rows.retry_later(delivery_id, attempts, created, str(exc), self._rng):
                return "retry"
            self._undeliverable(delivery_id)
            return "failed"
        self._rows.finish(delivery_id, DeliveryStatus.SENT, "")
        return "sent"

    def _message(self, row: Delivery) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = row.to_address
        message["Subject"] = row.subject
        message["Message-ID"] = row.message_id
        message["Date"] = row.created_at.strftime("%a, %d %b %Y %H:%M:%S +0000")
        unsubscribe = self.unsubscribe_url(row.user_id, NotificationKind(row.kind))
        if unsubscribe:
            # RFC 8058: the mail client's own "unsubscribe" button POSTs here, no sign-in.
            message["List-Unsubscribe"] = f"<{unsubscribe}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(row.text_body)
        message.add_alternative(row.html_body, subtype="html")
        return message

    def _attach(self, message: EmailMessage, document_id: int) -> None:
        if self._attachments is None:
            return
        name, content = self._attachments(document_id)
        message.add_attachment(content, maintype="application", subtype="pdf", filename=name)

    def unsubscribe_url(self, user_id: int, kind: NotificationKind) -> str | None:
        """The one-click link for this person and kind; none for a formal notice."""
        if kind in FORMAL_NOTICES or self._unsubscribe_key is None:
            return None
        token = unsubscribe_token(self._unsubscribe_key, user_id, kind)
        return f"{self._portal_url}/api/v1/notification-preferences/unsubscribe?token={token}"

    # -- the log --------------------------------------------------------------------------

    def log(self, actor: Actor, query: DeliveryFilter) -> list[DeliveryOut]:
        """The delivery log, newest first (administrators)."""
        if not actor.is_admin:
            raise PermissionDenied("the delivery log: administrators only", field="status")
        if not 1 <= query.limit <= 1000:
            raise ValidationFailed("limit: must be 1..1000", field="limit")
        stmt = select(Delivery).order_by(Delivery.id.desc()).limit(query.limit)
        if query.status is not None:
            stmt = stmt.where(Delivery.status == query.status.value)
        if query.channel is not None:
            stmt = stmt.where(Delivery.channel == query.channel.value)
        if query.kind is not None:
            stmt = stmt.where(Delivery.kind == query.kind.value)
        if query.search:
            # Who or what: a part of the address (or number) or of the subject, in any case.
            text = f"%{query.search.lower()}%"
            stmt = stmt.where(
                func.lower(Delivery.to_address).like(text) | func.lower(Delivery.subject).like(text)
            )
        with ReadView(self._db, actor.reader_key) as view:
            return [DeliveryOut.model_validate(r) for r in view.session.scalars(stmt)]

    def resend(self, actor: Actor, delivery_id: int, *, notice_checked: bool = False) -> DeliveryOut:
        """An administrator checked a failed or unknown email: queue it again, to the person's
        address as it is now (it may have been corrected since it was refused).

        `notice_checked`: the caller made sure the actor manages the pool of the notice this
        email carries (documents.py); a notice that went may be sent again too (the investor
        says it never arrived), with the same Message-ID, so their mail client threads it."""
        if not (actor.is_admin or notice_checked):
            raise PermissionDenied("resending an email: administrators only", field="delivery_id")
        resendable = {DeliveryStatus.FAILED.value, DeliveryStatus.UNKNOWN.value}
        if notice_checked:
            went = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.BOUNCED)
            resendable |= {status.value for status in went}
        with UnitOfWork(self._db, actor.reader_key) as unit:
            unit.write_first("notification_deliveries", "status")
            row = unit.session.get(Delivery, delivery_id, with_for_update=True)
            if row is None:
                raise NotFound(f"delivery {delivery_id} not found", field="delivery_id")
            if row.status not in resendable:
                raise Conflict(
                    f"delivery_id: delivery {delivery_id} is {row.status}: "
                    + ("it is on its way" if notice_checked else "only a failed or unknown one is resent"),
                    field="delivery_id",
                )
            contact = self._contacts({row.user_id}).get(row.user_id)
            if contact is None:
                raise Conflict(
                    "delivery_id: the person's account is disabled: nobody to write to", field="delivery_id"
                )
            row.to_address = contact[0]
            row.status, row.next_try_at, row.claimed_at = DeliveryStatus.QUEUED.value, None, None
            row.last_error = f"resent by {actor.label}"[:300]
            unit.commit()
            return DeliveryOut.model_validate(row)
