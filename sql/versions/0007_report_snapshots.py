"""reports: pool and position performance snapshots computed by the workers

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_LONG_TEXT = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "reports_pool_snapshots",
        sa.Column("pool_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("ledger_version", sa.Integer(), nullable=False),
        sa.Column("net_asset_value", sa.BigInteger(), nullable=False),
        sa.Column("performance", _LONG_TEXT, nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pool_id", "as_of", name="pk_reports_pool_snapshots"),
    )
    op.create_table(
        "reports_position_snapshots",
        sa.Column("pool_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("investor_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("ledger_version", sa.Integer(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("contributed", sa.BigInteger(), nullable=False),
        sa.Column("distributed", sa.BigInteger(), nullable=False),
        sa.Column("fees", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pool_id", "investor_id", "as_of", name="pk_reports_position_snapshots"),
    )
    op.create_index(
        "ix_reports_position_snapshots_investor", "reports_position_snapshots", ["investor_id", "as_of"]
    )


def downgrade() -> None:
    op.drop_index("ix_reports_position_snapshots_investor", table_name="reports_position_snapshots")
    op.drop_table("reports_position_snapshots")
    op.drop_table("reports_pool_snapshots")
