"""Refresh tokens: opaque random strings, kept only as sha256, rotated on every use.

A plain sha256 is enough (unlike passwords) because the token is 256 random bits: there
is no dictionary to try. The hash is what makes a stolen database backup useless for
minting sessions.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from backend.auth.models import RefreshToken
from backend.auth.rows import affected_rows

_TOKEN_BYTES = 32


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class RefreshTokenView:
    """A refresh token row as the service sees it (never the secret itself)."""

    id: int
    family_id: str
    user_id: int
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: RefreshToken) -> RefreshTokenView:
        return cls(row.id, row.family_id, row.user_id, row.expires_at, row.used_at, row.revoked_at)

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


class RefreshTokenStore:
    def __init__(self, ttl_seconds: int) -> None:
        self._ttl = timedelta(seconds=ttl_seconds)

    @property
    def ttl(self) -> timedelta:
        return self._ttl

    def issue(
        self,
        session: Session,
        user_id: int,
        family_id: str,
        now: datetime,
        *,
        parent: RefreshTokenView | None = None,
    ) -> tuple[str, RefreshTokenView]:
        """A new token: the first of family `family_id` (a new session's id), or the child
        replacing `parent` in the same family."""
        if parent is not None and parent.family_id != family_id:
            raise ValueError("a refresh token's child stays in its parent's family")
        secret = secrets.token_urlsafe(_TOKEN_BYTES)
        row = RefreshToken(
            token_hash=hash_refresh_token(secret),
            family_id=family_id,
            parent_id=parent.id if parent else None,
            user_id=user_id,
            issued_at=now,
            expires_at=now + self._ttl,
        )
        session.add(row)
        session.flush()
        return secret, RefreshTokenView.of(row)

    @staticmethod
    def find(session: Session, token: str) -> RefreshTokenView | None:
        row = session.scalar(
            select(RefreshToken)
            .where(RefreshToken.token_hash == hash_refresh_token(token))
            .execution_options(populate_existing=True)
        )
        return RefreshTokenView.of(row) if row else None

    @staticmethod
    def claim(session: Session, token_id: int, now: datetime) -> bool:
        """Mark the token used if, at this instant, it is still usable.

        One conditional UPDATE: of two concurrent refreshes with the same token, the second
        waits on the first's row lock (MariaDB) or the write lock (SQLite), then matches no
        row, so exactly one of them wins.
        """
        result = session.execute(
            update(RefreshToken)
            .where(
                RefreshToken.id == token_id,
                RefreshToken.used_at.is_(None),
                RefreshToken.revoked_at.is_(None),
                RefreshToken.expires_at > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return affected_rows(result) == 1

    @staticmethod
    def revoke_family(session: Session, family_id: str, now: datetime, reason: str) -> int:
        result = session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason)
            .execution_options(synchronize_session=False)
        )
        return affected_rows(result)

    @staticmethod
    def purge(session: Session, now: datetime) -> int:
        """Delete expired tokens: an expired token is refused whatever its state, and its
        family's live members (if any) carry their own rows."""
        result = session.execute(
            delete(RefreshToken)
            .where(RefreshToken.expires_at <= now)
            .execution_options(synchronize_session=False)
        )
        return affected_rows(result)
