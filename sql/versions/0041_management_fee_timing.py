"""pools: whether the management fee is charged in advance, at the start of each period on
the figures known then (NULL reads as in arrears, at the end)

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pools", sa.Column("management_fee_timing", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pools") as batch:
        batch.drop_column("management_fee_timing")
