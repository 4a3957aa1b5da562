"""The investor service's tables: investor profiles, their commitments to pools and the side
letters that change a pool's terms for one investor."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from backend.platform.orm import CASH_SCALE, RATE_SCALE, Base, ScaledDecimal, UTCDateTime, utcnow


class Investor(Base):
    """The investor behind one investor-role user: who they are legally, and their KYC state."""

    __tablename__ = "investors"
    __table_args__ = (
        CheckConstraint("kyc_status IN ('pending', 'approved', 'rejected')", name="kyc_status"),
        Index("ix_investors_kyc_status", "kyc_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), nullable=False, unique=True)
    legal_name: Mapped[str] = mapped_column(String(200), nullable=False)
    investor_type: Mapped[str] = mapped_column(String(16), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    contact_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    contact_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    kyc_status: Mapped[str] = mapped_column(String(16), nullable=False)
    kyc_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The manager who onboarded the investor may change the profile before any commitment
    # (migration 0010); after that, the managers of the investor's pools may.
    created_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow
    )


class PoolCommitment(Base):
    """One signed commitment of an investor to a closed-ended pool.

    Rows are only ever added: a top-up is a new row, and an investor's commitment to a pool
    is the sum of its rows, so the history of who committed what, when, stays visible.
    """

    __tablename__ = "pool_commitments"
    __table_args__ = (
        Index("ix_pool_commitments_pool_id_investor_id", "pool_id", "investor_id"),
        Index("ix_pool_commitments_investor_id", "investor_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    investor_id: Mapped[int] = mapped_column(Integer, ForeignKey("investors.id"), nullable=False)
    pool_id: Mapped[int] = mapped_column(Integer, ForeignKey("pools.id"), nullable=False)
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)
    # The pool's base currency when committed: an amount means nothing without its currency.
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    effective_date: Mapped[date] = mapped_column(Date, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    # No foreign key: an operator (CLI) records commitments without a user record.
    created_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SideLetter(Base):
    """One investor's own terms in one closed-ended pool: a side letter, or the GP's own
    commitment. At most one per investor and pool; a change replaces it (audited with the
    terms before and after), and the fee and distribution entries posted under it record the
    rates they applied in their workings."""

    __tablename__ = "side_letters"
    __table_args__ = (UniqueConstraint("pool_id", "investor_id", name="uq_side_letters_pool_investor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pool_id: Mapped[int] = mapped_column(Integer, ForeignKey("pools.id"), nullable=False)
    investor_id: Mapped[int] = mapped_column(Integer, ForeignKey("investors.id"), nullable=False)
    reference: Mapped[str] = mapped_column(String(200), nullable=False)
    management_fee_rate: Mapped[Decimal | None] = mapped_column(ScaledDecimal(RATE_SCALE), nullable=True)
    management_fee_waiver: Mapped[Decimal] = mapped_column(ScaledDecimal(RATE_SCALE), nullable=False)
    carried_interest_rate: Mapped[Decimal | None] = mapped_column(ScaledDecimal(RATE_SCALE), nullable=True)
    gp_commitment: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    management_fee_holiday_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    """Set when the letter is withdrawn: the row stays, so when the pool's letters last changed
    (the reports' cache and snapshots depend on it) counts a withdrawal too."""
