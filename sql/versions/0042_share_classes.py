"""pools: the share classes of an open-ended pool, as JSON (NULL: one class on the pool's terms)

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pools", sa.Column("share_classes", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pools") as batch:
        batch.drop_column("share_classes")
