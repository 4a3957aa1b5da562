"""payment saved methods: the token, kind and label of each investor's saved method (never a
number), so "Pay now" checks ownership and queues the payment while the gateway is down

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_saved_methods",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_payment_saved_methods_investor", "payment_saved_methods", ["investor_id"])


def downgrade() -> None:
    op.drop_index("ix_payment_saved_methods_investor", table_name="payment_saved_methods")
    op.drop_table("payment_saved_methods")
