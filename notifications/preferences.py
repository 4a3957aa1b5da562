"""Who wants which notice on which channel: the defaults, the notices that cannot be switched
off, and each person's choices where they differ (notification_preferences).

Defaults: everything in the app; by email, the formal notices and the payment news
(EMAILED_KINDS), not the monthly valuations; by SMS (to investors with a phone on file) what
must be acted on soon (TEXTED_KINDS). Formal notices (FORMAL_NOTICES) go in the app and by
email whatever was chosen: a person cannot opt out of being told of a capital call.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.platform.db import Database
from backend.platform.errors import ValidationFailed
from backend.platform.in_lists import in_slices
from backend.platform.unit_of_work import ReadView, UnitOfWork
from notifications.models import Preference
from notifications.schemas import (
    EMAILED_KINDS,
    FORMAL_NOTICES,
    TEXTED_KINDS,
    Channel,
    NotificationKind,
    PreferenceOut,
)

CHOSEN_CHANNELS = (Channel.IN_APP, Channel.EMAIL, Channel.SMS)
MANDATORY_CHANNELS = frozenset({Channel.IN_APP, Channel.EMAIL})
"""Where a formal notice always goes; by SMS it is an alert the person may switch off."""


def default_for(kind: NotificationKind, channel: Channel) -> bool:
    if channel is Channel.EMAIL:
        return kind in EMAILED_KINDS
    if channel is Channel.SMS:
        return kind in TEXTED_KINDS
    return channel is Channel.IN_APP


def _out(kind: NotificationKind, channel: Channel, chosen: bool | None) -> PreferenceOut:
    mandatory = kind in FORMAL_NOTICES and channel in MANDATORY_CHANNELS
    default = default_for(kind, channel)
    enabled = True if mandatory else (default if chosen is None else chosen)
    return PreferenceOut(kind=kind, channel=channel, enabled=enabled, mandatory=mandatory, default=default)


class PreferenceBook:
    def __init__(self, db: Database) -> None:
        self._db = db

    def of_user(self, user_id: int, reader_key: str | None = None) -> list[PreferenceOut]:
        """Every kind on every channel a person chooses for, as it applies to them now."""
        with ReadView(self._db, reader_key) as view:
            chosen = {
                (row.kind, row.channel): row.enabled
                for row in view.session.scalars(select(Preference).where(Preference.user_id == user_id))
            }
        return [
            _out(kind, channel, chosen.get((kind.value, channel.value)))
            for kind in NotificationKind
            for channel in CHOSEN_CHANNELS
        ]

    def choose(
        self, user_id: int, kind: NotificationKind, channel: Channel, enabled: bool, at: datetime
    ) -> PreferenceOut:
        if channel not in CHOSEN_CHANNELS:
            raise ValidationFailed(
                f"channel: {channel.value} is not one a person chooses for", field="channel"
            )
        if kind in FORMAL_NOTICES and channel in MANDATORY_CHANNELS and not enabled:
            raise ValidationFailed(
                f"enabled: {kind.value} is a formal notice and is always sent; it cannot be switched off",
                field="enabled",
            )
        try:
            self._store(user_id, kind, channel, enabled, at)
        except IntegrityError:  # two first choices at once: the other inserted; now update it
            self._store(user_id, kind, channel, enabled, at)
        return _out(kind, channel, enabled)

    def _store(
        self, user_id: int, kind: NotificationKind, channel: Channel, enabled: bool, at: datetime
    ) -> None:
        with UnitOfWork(self._db) as unit:
            unit.write_first("notification_preferences", "enabled")
            row = unit.session.get(Preference, (user_id, kind.value, channel.value), with_for_update=True)
            if row is None:
                row = Preference(user_id=user_id, kind=kind.value, channel=channel.value)
                unit.session.add(row)
            row.enabled, row.updated_at = enabled, at
            unit.commit()

    def wanted(
        self, pairs: Collection[tuple[int, NotificationKind]], channel: Channel
    ) -> set[tuple[int, NotificationKind]]:
        """Of these (person, kind) pairs, those that go on `channel`."""
        if not pairs:
            return set()
        users = sorted({user for user, _ in pairs})
        chosen: dict[tuple[int, str], bool] = {}
        with ReadView(self._db) as view:
            for chunk in in_slices(users):  # a call to 20,000 investors: bounded IN lists
                stmt = select(Preference).where(
                    Preference.channel == channel.value, Preference.user_id.in_(chunk)
                )
                chosen.update({(row.user_id, row.kind): row.enabled for row in view.session.scalars(stmt)})
        return {
            (user, kind)
            for user, kind in pairs
            if _out(kind, channel, chosen.get((user, kind.value))).enabled
        }
