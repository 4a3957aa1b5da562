"""The report service's tables: benchmark indices, their levels, which benchmark a pool uses,
the performance snapshots the workers compute, and the FX reference rates (reports.fx).

Index levels are exact: a scaled integer with 6 decimal places (backend.platform.orm.ScaledDecimal,
PRICE_SCALE), the same on SQLite and MariaDB; FX rates likewise at 8 (FX_RATE_SCALE).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from backend.platform.orm import (
    CASH_SCALE,
    PRICE_SCALE,
    UNITS_SCALE,
    Base,
    ScaledDecimal,
    UTCDateTime,
    utcnow,
)

_LONG_TEXT = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


class Benchmark(Base):
    """A market index a pool can be compared with (total-return levels by date)."""

    __tablename__ = "reports_benchmarks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    description: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Shared reference data (created by an admin): any manager may attach it, only admins
    # change it. Otherwise the benchmark is its creator's (migration 0010).
    shared: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=text("0"))


class BenchmarkLevel(Base):
    """The index level at the close of one date. A date's level is replaced by a new load."""

    __tablename__ = "reports_benchmark_levels"

    benchmark_id: Mapped[int] = mapped_column(
        Integer,
        ForeignKey("reports_benchmarks.id", name="fk_reports_benchmark_levels_benchmark"),
        primary_key=True,
        autoincrement=False,
    )
    level_date: Mapped[date] = mapped_column(Date, primary_key=True)
    level: Mapped[Decimal] = mapped_column(ScaledDecimal(PRICE_SCALE), nullable=False)


class PoolBenchmark(Base):
    """The benchmark a pool is measured against (at most one per pool)."""

    __tablename__ = "reports_pool_benchmarks"

    pool_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    benchmark_id: Mapped[int] = mapped_column(
        Integer,
        ForeignKey("reports_benchmarks.id", name="fk_reports_pool_benchmarks_benchmark"),
        nullable=False,
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class PoolSnapshot(Base):
    """A pool's performance as of a date, computed by a worker for a given ledger version.

    A report asks for the snapshot of (pool, date) and uses it only if its ledger version
    is the pool's current one; otherwise it computes (and the worker catches up)."""

    __tablename__ = "reports_pool_snapshots"

    pool_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    ledger_version: Mapped[int] = mapped_column(Integer, nullable=False)
    net_asset_value: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)
    performance: Mapped[str] = mapped_column(_LONG_TEXT, nullable=False)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class PositionSnapshot(Base):
    """One investor's position in one pool as of a date (value, units, flows, XIRR)."""

    __tablename__ = "reports_position_snapshots"
    __table_args__ = (Index("ix_reports_position_snapshots_investor", "investor_id", "as_of"),)

    pool_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    investor_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    ledger_version: Mapped[int] = mapped_column(Integer, nullable=False)
    units: Mapped[Decimal] = mapped_column(ScaledDecimal(UNITS_SCALE), nullable=False)
    value: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)
    contributed: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)
    distributed: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)
    fees: Mapped[Decimal] = mapped_column(ScaledDecimal(CASH_SCALE), nullable=False)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


FX_RATE_SCALE = 8
"""Decimal places an FX rate is stored to: the ECB publishes at most 4 (JPY 160.12, USD 1.0850);
8 leaves room for other sources without rounding any of them. As a BIGINT: rates up to 9.2e10."""


class FxRate(Base):
    """A reference rate: units of `currency` per one euro on `rate_date`, as the ECB publishes
    it (the euro is the base, 1, and not stored). Loading a date and currency again replaces
    the value (a correction, audited with the old and the new value)."""

    __tablename__ = "reports_fx_rates"
    __table_args__ = (Index("ix_reports_fx_rates_currency_date", "currency", "rate_date"),)

    rate_date: Mapped[date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(ScaledDecimal(FX_RATE_SCALE), nullable=False)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    loaded_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
