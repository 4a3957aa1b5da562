"""Server-side sessions: the row every portal cookie and every access token points at.

A session is live while its row exists, is not revoked and has not expired. Checking that
is one primary-key read on the primary database per request (a replica could answer a
revoked session as live for as long as it lags). Revoking is one UPDATE: by id at logout
or on refresh-token reuse, by user id when a password changes or an account is disabled.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from backend.auth.models import AuthSession, RefreshToken
from backend.auth.rows import affected_rows

# 128 random bits, hex: the same shape as the refresh families' ids it doubles as.
_ID_BYTES = 16

SESSION_ROWS: tuple[type, ...] = (AuthSession,)
"""The rows whose change can end a session (revoked, deleted): app servers stop reusing their
access checks when a commit changes one (backend.auth.checked_sessions)."""


class SessionKind(StrEnum):
    PORTAL = "portal"
    API = "api"


def new_session_id() -> str:
    return secrets.token_hex(_ID_BYTES)


class SessionStore:
    @staticmethod
    def open(session: Session, user_id: int, kind: SessionKind, now: datetime, ttl: timedelta) -> str:
        session_id = new_session_id()
        session.add(
            AuthSession(id=session_id, user_id=user_id, kind=kind.value, created_at=now, expires_at=now + ttl)
        )
        session.flush()
        return session_id

    @staticmethod
    def extend(session: Session, session_id: str, now: datetime, until: datetime) -> bool:
        """Push a live session's end to `until`; False when it is revoked, expired or gone."""
        result = session.execute(
            update(AuthSession)
            .where(
                AuthSession.id == session_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > now,
            )
            .values(expires_at=until)
            .execution_options(synchronize_session=False)
        )
        return affected_rows(result) == 1

    @staticmethod
    def is_live(session: Session, session_id: str, user_id: int, now: datetime) -> bool:
        # The one read per authenticated request: a primary-key probe returning one row.
        row = session.execute(
            select(AuthSession.user_id, AuthSession.expires_at, AuthSession.revoked_at).where(
                AuthSession.id == session_id
            )
        ).first()
        # A session id under another user's name never passes, whatever signed it.
        return row is not None and row.user_id == user_id and row.revoked_at is None and row.expires_at > now

    @staticmethod
    def revoke(session: Session, session_id: str, now: datetime, reason: str) -> bool:
        """Revoke one session; False when it was revoked already (revoking is idempotent)."""
        result = session.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason)
            .execution_options(synchronize_session=False)
        )
        return affected_rows(result) == 1

    @staticmethod
    def revoke_user(session: Session, user_id: int, now: datetime, reason: str) -> tuple[int, int]:
        """Revoke every live session of a user and every refresh token of theirs: (sessions,
        refresh tokens) revoked. Both by the indexed user_id."""
        sessions = session.execute(
            update(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason)
            .execution_options(synchronize_session=False)
        )
        tokens = session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason)
            .execution_options(synchronize_session=False)
        )
        return affected_rows(sessions), affected_rows(tokens)

    @staticmethod
    def purge(session: Session, now: datetime) -> int:
        """Delete expired sessions: a missing row is refused exactly like an expired one."""
        result = session.execute(
            delete(AuthSession)
            .where(AuthSession.expires_at <= now)
            .execution_options(synchronize_session=False)
        )
        return affected_rows(result)
