"""The notification service's tables: in-app notifications, one row per user per event;
deliveries, one row per event, user and channel beyond the app (the outbox of email);
each person's preferences where they differ from the defaults; and the documents issued (the
vault's index, with each document's hash) and every read of them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.platform.orm import Base, UTCDateTime, utcnow


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # One notification per user per ledger event: redelivered events add nothing.
        UniqueConstraint("event_id", "user_id", name="uq_notifications_event_user"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    user_id: Mapped[int] = mapped_column(Integer, nullable=False)
    event_id: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    pool_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    entry_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    link: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Delivery(Base):
    """One message to one person on one channel for one event, recorded before it is sent.

    The unique (event, user, channel) key is what makes a redelivered event, a replayed relay
    or two workers at once send nothing twice. Its road: queued -> sending (claimed by a
    worker, committed before the provider is called) -> sent; or back to queued with the next
    try after a provider outage; or failed (refused for good: an address the server rejects)
    or unknown (a worker died mid-send: it may have gone, so it is not sent again by itself).
    """

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint(
            "event_id", "user_id", "channel", name="uq_notification_deliveries_event_user_channel"
        ),
        Index("ix_notification_deliveries_due", "status", "next_try_at"),
        Index("ix_notification_deliveries_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[str] = mapped_column(String(64), nullable=False)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False)
    channel: Mapped[str] = mapped_column(String(10), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    pool_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    to_address: Mapped[str] = mapped_column(String(254), nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    text_body: Mapped[str] = mapped_column(Text, nullable=False)
    html_body: Mapped[str] = mapped_column(Text, nullable=False)
    message_id: Mapped[str] = mapped_column(String(120), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    document_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    """The notice the email carries as a PDF attachment, read from the vault when sent."""


class Preference(Base):
    """A person's choice for one kind of notice on one channel, where it differs from the
    default (notifications/preferences.py holds the defaults and the notices that cannot be
    switched off). No row: the default applies."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class Document(Base):
    """A formal notice or statement as issued to one investor: the PDF is in the vault under
    `storage_key`, and `sha256` is what it must hash to when read (it cannot change after it
    is issued). One per (kind, pool, investor, issue): a redelivered event issues nothing."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("kind", "pool_id", "investor_id", "issue_key", name="uq_documents_issue"),
        Index("ix_documents_investor", "investor_id", "issued_on"),
        Index("ix_documents_pool", "pool_id", "issued_on"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    pool_id: Mapped[int] = mapped_column(Integer, nullable=False)
    investor_id: Mapped[int] = mapped_column(Integer, nullable=False)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False)
    issue_key: Mapped[str] = mapped_column(String(64), nullable=False)
    """The ledger event a notice answers, or the period of a statement."""
    entry_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    reference: Mapped[str] = mapped_column(String(40), nullable=False)
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    storage_key: Mapped[str] = mapped_column(String(300), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class DocumentRead(Base):
    """Every view and download of a document, by whom: a manager sees who opened a notice."""

    __tablename__ = "document_reads"
    __table_args__ = (Index("ix_document_reads_document", "document_id", "user_id"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    document_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False)
    action: Mapped[str] = mapped_column(String(10), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)



class DigestSetting(Base):
    """A person who takes valuation news as a digest (daily or weekly) rather than one email per
    valuation; no row: no digest."""

    __tablename__ = "notification_digests"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    frequency: Mapped[str] = mapped_column(String(10), nullable=False)
    after_notification_id: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    """The person's newest notification when they chose: a digest holds only what came after
    (by id, not time: a second holds many, and MariaDB keeps whole seconds)."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class NoticeLanguage(Base):
    """The language a person reads their notices in, where it is not English (the catalogues,
    notifications/locale/). No row: English."""

    __tablename__ = "notification_languages"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
