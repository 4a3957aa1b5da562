"""reports: benchmark indices, their levels by date, and each pool's benchmark

Levels are scaled BIGINTs (backend.platform.orm.ScaledDecimal): level x 10^6.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports_benchmarks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reports_benchmarks"),
        sa.UniqueConstraint("name", name="uq_reports_benchmarks_name"),
    )
    op.create_table(
        "reports_benchmark_levels",
        sa.Column("benchmark_id", sa.Integer(), nullable=False),
        sa.Column("level_date", sa.Date(), nullable=False),
        sa.Column("level", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["benchmark_id"], ["reports_benchmarks.id"], name="fk_reports_benchmark_levels_benchmark"
        ),
        sa.PrimaryKeyConstraint("benchmark_id", "level_date", name="pk_reports_benchmark_levels"),
    )
    op.create_table(
        "reports_pool_benchmarks",
        sa.Column("pool_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("benchmark_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["benchmark_id"], ["reports_benchmarks.id"], name="fk_reports_pool_benchmarks_benchmark"
        ),
        sa.PrimaryKeyConstraint("pool_id", name="pk_reports_pool_benchmarks"),
    )


def downgrade() -> None:
    op.drop_table("reports_pool_benchmarks")
    op.drop_table("reports_benchmark_levels")
    op.drop_table("reports_benchmarks")
