"""pools: a management fee on commitments steps down to invested capital from a day (the end
of the investment period), optionally at another rate (scaled x 10^6 like the other rates)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pools", sa.Column("management_fee_step_down_on", sa.Date(), nullable=True))
    op.add_column("pools", sa.Column("management_fee_step_down_rate", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pools") as batch:
        batch.drop_column("management_fee_step_down_rate")
        batch.drop_column("management_fee_step_down_on")
