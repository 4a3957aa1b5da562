"""The report service's tables: benchmark indices, their levels, and which benchmark a pool uses.

Index levels are exact: a scaled integer with 6 decimal places (backend.orm.ScaledDecimal,
PRICE_SCALE), the same on SQLite and MariaDB.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.orm import PRICE_SCALE, Base, ScaledDecimal, UTCDateTime, utcnow


class Benchmark(Base):
    """A market index a pool can be compared with (total-return levels by date)."""

    __tablename__ = "reports_benchmarks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False, unique=True)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    description: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


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
