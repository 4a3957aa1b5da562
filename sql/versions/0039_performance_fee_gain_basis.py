"""pools: whether the performance fee's gain is measured net of the management fee (NULL, the
default) or gross of it

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pools", sa.Column("performance_fee_gain_basis", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pools") as batch:
        batch.drop_column("performance_fee_gain_basis")
