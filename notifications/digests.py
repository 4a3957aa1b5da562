"""Digests: valuation news grouped into one email a day or a week, for the people who ask for
it (most investors want to know their pools were valued, not to get an email per pool per
month).

A person's choice is a row in notification_digests (none: no digest). While they take a
digest, the kinds it groups (DIGESTED_KINDS) are not emailed one by one (the outbox asks
`takers`); the bell still shows each. Beat asks for the digests that are due every morning:
each is one delivery, event "digest:<frequency>:<period>", so the unique (event, person,
channel) key makes a second run send nothing. A daily digest covers a UTC day (the last three
are looked at, so a missed morning is caught up); a weekly one the last whole ISO week. Only
news that arrived after the person chose the digest is in it: what came before was emailed
already, or not wanted by email.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from backend.platform.db import Database
from backend.platform.in_lists import in_slices
from backend.platform.unit_of_work import ReadView, UnitOfWork
from notifications.models import DigestSetting, Notification
from notifications.schemas import DIGESTED_KINDS, DigestFrequency

DAILY_LOOKBACK = 3
"""Days a daily digest run looks back: a morning the scheduler missed is caught up after."""


@dataclass(frozen=True)
class DigestPeriod:
    frequency: DigestFrequency
    key: str
    """"2026-12-03" or "2026-W48": the period's part of the digest's event id."""
    label: str
    """What the reader sees: "3 December 2026", "the week of 23 November 2026"."""
    start: datetime
    end: datetime

    @property
    def event_id(self) -> str:
        return f"digest:{self.frequency.value}:{self.key}"


@dataclass(frozen=True)
class DigestLine:
    title: str
    body: str
    at: datetime
    link: str


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def due_periods(now: datetime) -> list[DigestPeriod]:
    today = now.astimezone(UTC).date()
    periods = []
    for back in range(DAILY_LOOKBACK, 0, -1):
        day = today - timedelta(days=back)
        periods.append(
            DigestPeriod(
                DigestFrequency.DAILY,
                day.isoformat(),
                f"{day:%-d %B %Y}",
                _midnight(day),
                _midnight(day + timedelta(days=1)),
            )
        )
    monday = today - timedelta(days=today.weekday())
    start = monday - timedelta(days=7)
    year, week, _ = start.isocalendar()
    periods.append(
        DigestPeriod(
            DigestFrequency.WEEKLY,
            f"{year}-W{week:02d}",
            f"the week of {start:%-d %B %Y}",
            _midnight(start),
            _midnight(monday),
        )
    )
    return periods


class DigestBook:
    def __init__(self, db: Database) -> None:
        self._db = db

    def of_user(self, user_id: int, reader_key: str | None = None) -> DigestFrequency:
        with ReadView(self._db, reader_key) as view:
            row = view.session.get(DigestSetting, user_id)
            return DigestFrequency(row.frequency) if row is not None else DigestFrequency.OFF

    def choose(self, user_id: int, frequency: DigestFrequency, at: datetime) -> DigestFrequency:
        with UnitOfWork(self._db, f"user:{user_id}") as unit:
            unit.write_first("notification_digests", "frequency")
            row = unit.session.get(DigestSetting, user_id, with_for_update=True)
            newest = unit.session.scalar(
                select(func.max(Notification.id)).where(Notification.user_id == user_id)
            )
            if frequency is DigestFrequency.OFF:
                if row is not None:
                    unit.session.delete(row)
            elif row is None:
                unit.session.add(
                    DigestSetting(
                        user_id=user_id,
                        frequency=frequency.value,
                        after_notification_id=newest or 0,
                        updated_at=at,
                    )
                )
            elif row.frequency != frequency.value:
                row.frequency, row.updated_at = frequency.value, at
            unit.commit()
        return frequency

    def takers(self, user_ids: Collection[int]) -> set[int]:
        """Of these people, those who take a digest (their digested kinds are not emailed singly)."""
        if not user_ids:
            return set()
        users = sorted(set(user_ids))
        found: set[int] = set()
        with ReadView(self._db) as view:
            for chunk in in_slices(users):
                stmt = select(DigestSetting.user_id).where(DigestSetting.user_id.in_(chunk))
                found.update(int(u) for u in view.session.scalars(stmt))
        return found

    def news(self, period: DigestPeriod) -> dict[int, list[DigestLine]]:
        """{person: the digested news of the period they have not been emailed}, for those who
        take this frequency of digest."""
        stmt = (
            select(
                Notification.user_id,
                Notification.title,
                Notification.body,
                Notification.created_at,
                Notification.link,
            )
            .join(DigestSetting, DigestSetting.user_id == Notification.user_id)
            .where(
                DigestSetting.frequency == period.frequency.value,
                Notification.kind.in_([k.value for k in DIGESTED_KINDS]),
                Notification.created_at >= period.start,
                Notification.created_at < period.end,
                Notification.id > DigestSetting.after_notification_id,
            )
            .order_by(Notification.user_id, Notification.created_at, Notification.id)
        )
        found: dict[int, list[DigestLine]] = defaultdict(list)
        with ReadView(self._db) as view:
            for user_id, title, body, at, link in view.session.execute(stmt):
                found[int(user_id)].append(DigestLine(title, body, at, link))
        return dict(found)
