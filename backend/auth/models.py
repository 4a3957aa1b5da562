"""The auth service's tables: login throttling state, refresh tokens, revoked access tokens.

Every piece of authentication state lives here rather than in process memory, because the
app servers are stateless and any of them may answer the next request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.orm import Base, UTCDateTime

_BIGINT = BigInteger().with_variant(Integer, "sqlite")


class LoginThrottleState(Base):
    """Recent failed logins for one account or one client address, and its lockout.

    Keyed by a sha256 of the email or address, not the text itself: people type their
    password into the email field, and an unknown "email" must not be kept in clear.
    """

    __tablename__ = "login_throttle"
    __table_args__ = (Index("ix_login_throttle_window_started_at", "window_started_at"),)

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Failures older than one lockout period are forgotten, so stray typos spread over
    # weeks never add up to a lockout.
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RefreshToken(Base):
    """One opaque refresh token (only its sha256 is kept) in a rotation family.

    A family starts at login; each refresh marks its token used and adds a child in the
    same family, so revoking a family is one indexed UPDATE whatever its length.
    """

    __tablename__ = "refresh_tokens"
    __table_args__ = (
        Index("ix_refresh_tokens_family_id", "family_id"),
        Index("ix_refresh_tokens_user_id", "user_id"),
        Index("ix_refresh_tokens_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    family_id: Mapped[str] = mapped_column(String(32), nullable=False)
    # Lineage for forensics only; no foreign key, so a whole family can be purged in one
    # statement without ordering the deletes parent-last.
    parent_id: Mapped[int | None] = mapped_column(_BIGINT, nullable=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)


class RevokedAccessToken(Base):
    """An access token refused before its expiry (logout). Checked by primary key on every
    request, and purgeable once `expires_at` has passed because the token is dead anyway."""

    __tablename__ = "revoked_access_tokens"
    __table_args__ = (Index("ix_revoked_access_tokens_expires_at", "expires_at"),)

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
