"""What each person chooses to receive: each kind of notice on each channel, valuation news
as it comes or in a daily or weekly digest, and the language their notices are in.

Kept apart from notifications.service, whose NotificationCentre inherits `NoticeChoices`,
because a person's choices change for reasons of their own (a new channel, a new digest
period, a new language) and are kept in books of their own (notifications/preferences.py,
digests.py, languages.py); the centre only consults them when it delivers. `send_digests` is
here too: a digest exists because a person chose one. The books and the outbox are the
centre's: this class declares them as annotations and never sets them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from backend.platform.actors import Actor
from backend.platform.errors import NotFound, ValidationFailed
from notifications.digests import DigestBook, due_periods
from notifications.languages import LanguageBook
from notifications.outbox import EmailOutbox
from notifications.preferences import PreferenceBook
from notifications.schemas import (
    Channel,
    DigestChoice,
    DigestFrequency,
    LanguageChoice,
    NotificationKind,
    PreferenceOut,
)
from notifications.unsubscribe import read_unsubscribe_token


def _user_of(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotFound("operators have no notifications")
    return actor.user_id


class NoticeChoices:
    """The choices side of notifications.service.NotificationCentre, which sets every
    attribute declared here."""

    _clock: Callable[[], datetime]
    _outbox: EmailOutbox | None
    _preferences: PreferenceBook | None
    _unsubscribe_key: bytes | None
    _digests: DigestBook | None
    _languages: LanguageBook | None

    def preferences(self, actor: Actor) -> list[PreferenceOut]:
        """The signed-in person's choices, every kind on every channel, as they apply now."""
        return self._book().of_user(_user_of(actor), actor.reader_key)

    def set_preference(
        self, actor: Actor, kind: NotificationKind, channel: Channel, enabled: bool
    ) -> PreferenceOut:
        """Switch one kind of notice on or off on one channel, for the signed-in person only;
        a formal notice cannot be switched off (ValidationFailed)."""
        return self._book().choose(_user_of(actor), kind, channel, enabled, self._clock())

    def unsubscribe(self, token: str) -> PreferenceOut:
        """One-click (RFC 8058): the token names the person and kind; no session needed."""
        if self._unsubscribe_key is None:
            raise ValidationFailed("token: unsubscribe links are not issued here", field="token")
        user_id, kind = read_unsubscribe_token(self._unsubscribe_key, token)
        return self._book().choose(user_id, kind, Channel.EMAIL, False, self._clock())

    def digest(self, actor: Actor) -> DigestChoice:
        frequency = self._digests.of_user(_user_of(actor), actor.reader_key) if self._digests else None
        return DigestChoice(frequency=frequency or DigestFrequency.OFF)

    def set_digest(self, actor: Actor, frequency: DigestFrequency) -> DigestChoice:
        if self._digests is None:
            raise NotFound("digests are not kept here")
        return DigestChoice(frequency=self._digests.choose(_user_of(actor), frequency, self._clock()))

    def language(self, actor: Actor) -> LanguageChoice:
        lang = self._languages.of_user(_user_of(actor), actor.reader_key) if self._languages else "en"
        return LanguageChoice(language=lang)

    def set_language(self, actor: Actor, language: str) -> LanguageChoice:
        if self._languages is None:
            raise NotFound("languages are not kept here")
        return LanguageChoice(language=self._languages.choose(_user_of(actor), language, self._clock()))

    def send_digests(self, now: datetime | None = None) -> int:
        """System (beat, every morning): record the digests that are due; how many were new."""
        if self._digests is None or self._outbox is None:
            return 0
        recorded = 0
        for period in due_periods(now or self._clock()):
            news = self._digests.news(period)
            if news:
                langs = self._languages.of_users(news) if self._languages is not None else {}
                recorded += self._outbox.enqueue_digest(period, news, langs)
        return recorded

    def _book(self) -> PreferenceBook:
        if self._preferences is None:
            raise NotFound("preferences are not kept here")
        return self._preferences
