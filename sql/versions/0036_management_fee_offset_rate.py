"""pools: the share of portfolio-company fees (transaction, monitoring, director, break-up)
received by the manager that reduces the management fee (scaled x 10^6 like the other rates)

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pools", sa.Column("management_fee_offset_rate", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pools") as batch:
        batch.drop_column("management_fee_offset_rate")
