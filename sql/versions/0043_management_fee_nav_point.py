"""pools: which NAV of its period a fee on NAV is on (NULL: ending in arrears, beginning in advance)

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0043"
down_revision = "0042"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pools", sa.Column("management_fee_nav_point", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pools") as batch:
        batch.drop_column("management_fee_nav_point")
