"""The language each person reads their notices in: the bell's items, the emails and the texts
are written in it from the catalogues (notifications/catalogue.py) when they are recorded.
No row: English. Only languages with a catalogue can be chosen."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select

from backend.platform.db import Database
from backend.platform.errors import ValidationFailed
from backend.platform.in_lists import in_slices
from backend.platform.unit_of_work import ReadView, UnitOfWork
from notifications.catalogue import LANGUAGES, SOURCE_LANGUAGE
from notifications.models import NoticeLanguage


class LanguageBook:
    def __init__(self, db: Database) -> None:
        self._db = db

    def of_user(self, user_id: int, reader_key: str | None = None) -> str:
        with ReadView(self._db, reader_key) as view:
            row = view.session.get(NoticeLanguage, user_id)
            return row.language if row is not None else SOURCE_LANGUAGE

    def of_users(self, user_ids: Collection[int]) -> dict[int, str]:
        """{person: language} for those who chose one other than English."""
        users = sorted(set(user_ids))
        found: dict[int, str] = {}
        if not users:
            return found
        with ReadView(self._db) as view:
            for chunk in in_slices(users):  # a call to 20,000 investors: bounded IN lists
                stmt = select(NoticeLanguage.user_id, NoticeLanguage.language).where(
                    NoticeLanguage.user_id.in_(chunk)
                )
                found.update({int(user): str(lang) for user, lang in view.session.execute(stmt)})
        return found

    def choose(self, user_id: int, language: str, at: datetime) -> str:
        if language not in LANGUAGES:
            raise ValidationFailed(
                f"language: {language!r} has no catalogue; choose one of {', '.join(LANGUAGES)}",
                field="language",
            )
        with UnitOfWork(self._db, f"user:{user_id}") as unit:
            unit.write_first("notification_languages", "language")
            row = unit.session.get(NoticeLanguage, user_id, with_for_update=True)
            if language == SOURCE_LANGUAGE:
                if row is not None:
                    unit.session.delete(row)
            elif row is None:
                unit.session.add(NoticeLanguage(user_id=user_id, language=language, updated_at=at))
            else:
                row.language, row.updated_at = language, at
            unit.commit()
        return language
