"""The SMS outbox: each text is recorded (to the number on file, at most once per event and
person) before it is sent, sent within the provider's rate, and settled by the provider's
signed delivery report.

- Enqueue: the event's notices for investors who take that kind by SMS (preferences; the
  defaults are TEXTED_KINDS) and have a phone on file, as one short text without links
  (a link in a text is what phishing looks like; the text says to open the portal).
- Send: a token from the provider's bucket (shared through Redis by every worker), then the
  row is claimed and handed over. An outage or a 429/5xx queues it again with a backoff; a
  number the provider refuses fails it for good. A pass that runs out of tokens stops and
  leaves the rest queued for the next pass: nothing is claimed that cannot be sent now.
- Report: the provider's status callback, checked against its signature, moves a sent text to
  delivered or bounced; an unsigned or forged one changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime

from sqlalchemy import select, update

from backend.platform.db import Database
from backend.platform.orm import utcnow
from backend.platform.unit_of_work import ReadView, UnitOfWork
from notifications.catalogue import N_, translations
from notifications.delivery_rows import DeliveryRows
from notifications.models import Delivery
from notifications.outbox import HISTORY
from notifications.preferences import PreferenceBook
from notifications.rate_limit import TokenBucket
from notifications.schemas import Channel, DeliveryStatus, NotificationIn
from notifications.sms import SmsProvider, SmsRefused, SmsUnavailable, delivery_status_of, e164

log = logging.getLogger(__name__)

Phones = Callable[[Collection[int]], dict[int, str]]
"""{user id: phone on file} (the investors service)."""
BATCH = 200
MAX_TEXT = 320
"""Two SMS segments at most: a notice's gist, not its content."""
POINTER = N_("Details in your investor portal.")
"""Where the rest is, in English and as the msgid; its translations (space included) must fit
in the 40 characters sms_text keeps for it."""


def sms_text(item: NotificationIn, sender: str, lang: str = "en") -> str:
    """The title and body are the event's own words; `lang` picks the pointer's language."""
    text = f"{sender}: {item.title}. {item.body}".strip()
    if len(text) > MAX_TEXT - 40:
        text = text[: MAX_TEXT - 43].rstrip() + "..."  # ASCII: one character outside GSM-7 halves a segment
    return f"{text} {translations(lang).gettext(POINTER)}"


class SmsOutbox:
    def __init__(
        self,
        db: Database,
        provider: Callable[[], SmsProvider],
        phones: Phones,
        *,
        sender: str,
        status_callback: str | None,
        bucket: TokenBucket | None = None,
        bucket_key: str = "sms",
        preferences: PreferenceBook | None = None,
        now: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        on_undeliverable: Callable[[int], None] | None = None,
    ) -> None:
        self._db = db
        self._undeliverable: Callable[[int], None] = on_undeliverable or (lambda _delivery: None)
        self._provider = provider
        self._phones = phones
        self._sender = sender
        self._status_callback = status_callback
        self._bucket = bucket
        self._bucket_key = bucket_key
        self._preferences = preferences
        self._now = now
        self._rows = DeliveryRows(db, now)
        self._rng = rng or random.Random()  # noqa: S311 - spreads retries; not a secret

    def enqueue(self, event_id: str, items: Sequence[NotificationIn]) -> int:
        """Record the event's texts; returns how many were new (0 for a redelivered event)."""
        oldest = self._now().date() - HISTORY
        recent = [i for i in items if i.effective_date is None or i.effective_date >= oldest]
        if not recent or self._preferences is None:
            return 0
        chosen = self._preferences.wanted({(i.user_id, i.kind) for i in recent}, Channel.SMS)
        wanted = {i.user_id: i for i in recent if (i.user_id, i.kind) in chosen}
        phones = self._phones(set(wanted)) if wanted else {}
        rows = []
        for user_id, item in sorted(wanted.items()):
            try:
                number = e164(phones[user_id])
            except (KeyError, ValueError):
                continue  # no number, or one no provider could text: email and the app remain
            digest = hashlib.sha256(f"{event_id}:{user_id}:sms".encode()).hexdigest()[:32]
            rows.append(
                Delivery(
                    event_id=event_id,
                    user_id=user_id,
                    channel=Channel.SMS.value,
                    kind=item.kind.value,
                    pool_id=item.pool_id,
                    to_address=number,
                    subject="",
                    text_body=sms_text(item, self._sender, item.lang),
                    html_body="",
                    message_id=f"local-{digest}",
                    status=DeliveryStatus.QUEUED.value,
                )
            )
        if not rows:
            return 0
        have = self._rows.recorded_for(event_id, Channel.SMS)
        return self._rows.record([r for r in rows if r.user_id not in have])

    def send_due(self, limit: int = BATCH) -> dict[str, int]:
        """Send what is due now, within the provider's rate; counts by outcome ("throttled":
        left queued for the next pass because the bucket was empty)."""
        counts = {"sent": 0, "retry": 0, "failed": 0, "throttled": 0, "interrupted": 0}
        # No wait for a token: at about one text a second per number, the next pass is soon.
        rated = self._rows.due_within_rate(Channel.SMS, limit, self._bucket, self._bucket_key)
        for delivery_id in rated:
            counts[self._send_one(delivery_id)] += 1
        counts["throttled"] = rated.throttled
        return counts

    def _send_one(self, delivery_id: int) -> str:
        with ReadView(self._db) as view:
            row = view.session.get(Delivery, delivery_id)
            if row is None:  # claimed a moment ago: only a bug gets here
                raise RuntimeError(f"delivery {delivery_id} vanished")
            to, body, attempts, created = row.to_address, row.text_body, row.attempts, row.created_at
        try:
            sid = self._provider().send(to, body, status_callback=self._status_callback)
        except SmsRefused as exc:
            self._rows.finish(delivery_id, DeliveryStatus.FAILED, f"refused: {exc}")
            self._undeliverable(delivery_id)
            return "failed"
        except SmsUnavailable as exc:
            if self._rows.retry_later(delivery_id, attempts, created, str(exc), self._rng):
                return "retry"
            self._undeliverable(delivery_id)
            return "failed"
        self._rows.finish(delivery_id, DeliveryStatus.SENT, "", provider_id=sid)
        return "sent"

    def apply_report(self, params: Mapping[str, str]) -> str | None:
        """A status report already checked as the provider's: the new state of the text it
        names, or None when it changes nothing (an interim state, an unknown message)."""
        outcome = delivery_status_of(params)
        sid = params.get("MessageSid") or params.get("SmsSid") or ""
        if outcome not in ("delivered", "bounced") or not sid:
            return None
        error = params.get("ErrorCode", "")
        with UnitOfWork(self._db) as unit:
            unit.write_first("notification_deliveries", "status")
            changed = unit.session.execute(
                update(Delivery)
                .where(
                    Delivery.channel == Channel.SMS.value,
                    Delivery.message_id == sid[:120],
                    # A report can arrive twice or late: delivered stays delivered.
                    Delivery.status.in_([DeliveryStatus.SENT.value, DeliveryStatus.UNKNOWN.value]),
                )
                .values(
                    status=outcome,
                    last_error=f"provider error {error}"[:300] if outcome == "bounced" and error else "",
                )
                .execution_options(synchronize_session=False)
            )
            unit.commit()
        if not int(getattr(changed, "rowcount", 0) or 0):
            return None
        if outcome == "bounced":
            with ReadView(self._db) as view:
                named = (Delivery.channel == Channel.SMS.value) & (Delivery.message_id == sid[:120])
                bounced = view.session.scalars(select(Delivery.id).where(named)).first()
            if bounced is not None:
                self._undeliverable(bounced)
        return outcome
