"""The pool service's tables: pools and their terms, managers, analyst read grants."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.platform.orm import CASH_SCALE, PRICE_SCALE, RATE_SCALE, Base, ScaledDecimal, UTCDateTime, utcnow


class Pool(Base):
    """One investment pool and its terms.

    Terms that only one kind of pool has (performance fee: open-ended; waterfall:
    closed-ended) are nullable columns rather than side tables: a pool has at most one set
    of each, and every read of a pool needs them.
    """

    __tablename__ = "pools"
    __table_args__ = (
        CheckConstraint("kind IN ('open_ended', 'closed_ended')", name="kind"),
        CheckConstraint("status IN ('open', 'closed', 'liquidating', 'liquidated')", name="status"),
        Index("ix_pools_status", "status"),
        # A deleted pool's id is never given to a new pool (migration 0011).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    base_currency: Mapped[str] = mapped_column(String(3), nullable=False)
    inception_date: Mapped[date] = mapped_column(Date, nullable=False)
    initial_nav_per_unit: Mapped[Decimal] = mapped_column(ScaledDecimal(PRICE_SCALE), nullable=False)
    minimum_subscription: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)

    management_fee_rate: Mapped[Decimal | None] = mapped_column(ScaledDecimal(RATE_SCALE), nullable=True)
    management_fee_basis: Mapped[str | None] = mapped_column(String(16), nullable=True)
    management_fee_frequency: Mapped[str | None] = mapped_column(String(16), nullable=True)
    management_fee_day_count: Mapped[str | None] = mapped_column(String(16), nullable=True)
    management_fee_step_down_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    management_fee_step_down_rate: Mapped[Decimal | None] = mapped_column(
        ScaledDecimal(RATE_SCALE), nullable=True
    )
    management_fee_offset_rate: Mapped[Decimal | None] = mapped_column(
        ScaledDecimal(RATE_SCALE), nullable=True
    )

    management_fee_timing: Mapped[str | None] = mapped_column(String(16), nullable=True)
    management_fee_nav_point: Mapped[str | None] = mapped_column(String(16), nullable=True)
    performance_fee_rate: Mapped[Decimal | None] = mapped_column(ScaledDecimal(RATE_SCALE), nullable=True)
    performance_fee_high_water_mark: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    performance_fee_hurdle_rate: Mapped[Decimal | None] = mapped_column(
        ScaledDecimal(RATE_SCALE), nullable=True
    )
    performance_fee_hurdle: Mapped[str | None] = mapped_column(String(8), nullable=True)
    performance_fee_catch_up_rate: Mapped[Decimal | None] = mapped_column(
        ScaledDecimal(RATE_SCALE), nullable=True
    )
    performance_fee_crystallisation: Mapped[str | None] = mapped_column(String(16), nullable=True)
    performance_fee_gain_basis: Mapped[str | None] = mapped_column(String(32), nullable=True)

    waterfall_style: Mapped[str | None] = mapped_column(String(16), nullable=True)
    preferred_return_rate: Mapped[Decimal | None] = mapped_column(ScaledDecimal(RATE_SCALE), nullable=True)
    waterfall_compounding: Mapped[str | None] = mapped_column(String(16), nullable=True)
    catch_up_rate: Mapped[Decimal | None] = mapped_column(ScaledDecimal(RATE_SCALE), nullable=True)
    carried_interest_rate: Mapped[Decimal | None] = mapped_column(ScaledDecimal(RATE_SCALE), nullable=True)
    waterfall_day_count: Mapped[str | None] = mapped_column(String(16), nullable=True)
    equalisation_interest_rate: Mapped[Decimal | None] = mapped_column(
        ScaledDecimal(RATE_SCALE), nullable=True
    )
    clawback_tax_offset: Mapped[str | None] = mapped_column(String(32), nullable=True)
    clawback_tax_rate: Mapped[Decimal | None] = mapped_column(ScaledDecimal(RATE_SCALE), nullable=True)
    interim_clawback: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # The classes as JSON (a short list read whole with the pool's terms, never queried by part).
    share_classes: Mapped[str | None] = mapped_column(Text, nullable=True)

    status: Mapped[str] = mapped_column(String(16), nullable=False)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow
    )


class PoolManager(Base):
    """A manager-role user who runs a pool. Every pool keeps at least one."""

    __tablename__ = "pool_managers"
    # "Which pools do I manage" is the hot question; the primary key answers "who runs this pool".
    __table_args__ = (Index("ix_pool_managers_user_id", "user_id"),)

    pool_id: Mapped[int] = mapped_column(Integer, ForeignKey("pools.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class PoolAnalystGrant(Base):
    """Read access to one pool for one analyst-role user."""

    __tablename__ = "pool_analyst_grants"
    __table_args__ = (Index("ix_pool_analyst_grants_user_id", "user_id"),)

    pool_id: Mapped[int] = mapped_column(Integer, ForeignKey("pools.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), primary_key=True)
    # No foreign key: an operator (CLI) grants without a user record.
    granted_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
