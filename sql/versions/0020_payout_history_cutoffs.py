"""payout history cutoffs: per pool, the date up to which distributions and redemptions were
paid before payouts were tracked (an import of history), so their payouts open as paid

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_payout_history_cutoffs",
        sa.Column("pool_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("paid_until", sa.Date(), nullable=False),
        sa.Column("why", sa.String(300), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("payment_payout_history_cutoffs")
