"""The auth service's tables: login back-off state, sessions, refresh tokens.

Every piece of authentication state lives here rather than in process memory, because the
app servers are stateless and any of them may answer the next request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.platform.orm import Base, UTCDateTime

_BIGINT = BigInteger().with_variant(Integer, "sqlite")


class LoginThrottleState(Base):
    """Recent failed logins for one account or one client address, and its back-off.

    Keyed by a sha256 of the email or address, not the text itself: people type their
    password into the email field, and an unknown "email" must not be kept in clear.
    """

    __tablename__ = "login_throttle"
    __table_args__ = (Index("ix_login_throttle_counted_at", "counted_at"),)

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Failures as of `counted_at`; one is forgotten per two longest delays after it (a leak
    # rather than a window, so a steady trickle of typos never adds up to a long delay).
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # No attempt is evaluated before this moment. Set when an attempt starts (as if it will
    # fail), so concurrent attempts wait their turn instead of all being checked at once.
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AuthSession(Base):
    """One signed-in session: a portal login, or an API login's refresh-token family (same id).

    Checked by primary key on every authenticated request, so revoking a row ends the
    session at once on every app server: a copied cookie or an access token minted from
    the family is refused from the next request on.
    """

    __tablename__ = "auth_sessions"
    __table_args__ = (
        Index("ix_auth_sessions_user_id", "user_id"),
        Index("ix_auth_sessions_expires_at", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # Absolute end: the cookie's own lifetime for the portal; for the API, pushed forward
    # by each refresh so it always outlives the family's tokens.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)


class RefreshToken(Base):
    """One opaque refresh token (only its sha256 is kept) in a rotation family.

    A family starts at login; each refresh marks its token used and adds a child in the
    same family, so revoking a family is one indexed UPDATE whatever its length. The
    family id is also the id of its AuthSession row.
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


class KnownDevice(Base):
    """A browser or client a person has signed in from: a sign-in from one not listed here
    warns them (notifications). Keyed by a hash of the device's own key (the portal's
    long-lived device cookie; an API client's user agent), never the key itself."""

    __tablename__ = "auth_known_devices"

    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(120), nullable=False)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class PasswordResetToken(Base):
    """One emailed password-reset link (only its sha256 is kept: the link itself is in the
    person's mailbox alone). Works once, until `expires_at`; a newer request voids it."""

    __tablename__ = "auth_password_resets"
    __table_args__ = (
        Index("ix_auth_password_resets_user_id", "user_id"),
        Index("ix_auth_password_resets_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    # Who asked (an admin; NULL for the person themselves or an operator), for the record.
    requested_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
