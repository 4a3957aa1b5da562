"""notification digests: who takes valuation news grouped into one email a day or a week

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_digests",
        sa.Column("user_id", sa.Integer(), primary_key=True),
        sa.Column("frequency", sa.String(10), nullable=False),
        sa.Column("after_notification_id", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("notification_digests")
