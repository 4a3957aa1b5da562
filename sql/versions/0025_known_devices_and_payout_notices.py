"""known sign-in devices (a sign-in from a new one warns the person) and the payout status
each investor was last told of (a redemption's proceeds paid out)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_known_devices",
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
    )
    with op.batch_alter_table("payment_payouts") as batch:
        batch.add_column(sa.Column("notified_status", sa.String(12), nullable=True))
    # What was paid before these notices existed is not news: nobody is told of it again.
    op.execute("UPDATE payment_payouts SET notified_status = status")


def downgrade() -> None:
    with op.batch_alter_table("payment_payouts") as batch:
        batch.drop_column("notified_status")
    op.drop_table("auth_known_devices")
