"""pools: the performance fee's hurdle (hard or soft), the soft hurdle's catch-up (scaled x 10^6
like the other rates) and when the fee crystallises (monthly, quarterly, annually; NULL:
whenever the manager charges it)

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pools", sa.Column("performance_fee_hurdle", sa.String(8), nullable=True))
    op.add_column("pools", sa.Column("performance_fee_catch_up_rate", sa.BigInteger(), nullable=True))
    op.add_column("pools", sa.Column("performance_fee_crystallisation", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pools") as batch:
        batch.drop_column("performance_fee_crystallisation")
        batch.drop_column("performance_fee_catch_up_rate")
        batch.drop_column("performance_fee_hurdle")
