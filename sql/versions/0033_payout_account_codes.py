"""payments: a change of an investor's payout account is confirmed with a one-time code
emailed to them (sealed in the vault, expiring, a few tries) before an admin verifies it; the
holder's name, the bank's country and the masked account are sealed too (holder_sealed), the
plain columns blanked as the payments sweep seals rows written before

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

TABLE = "payment_payout_accounts"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("holder_sealed", sa.String(length=600), nullable=True))
    op.add_column(TABLE, sa.Column("code_sealed", sa.String(length=255), nullable=True))
    op.add_column(TABLE, sa.Column("code_expires_at", sa.DateTime(), nullable=True))
    op.add_column(TABLE, sa.Column("code_attempts", sa.Integer(), nullable=False, server_default="0"))
    op.add_column(TABLE, sa.Column("confirmed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("confirmed_at")
        batch.drop_column("code_attempts")
        batch.drop_column("code_expires_at")
        batch.drop_column("code_sealed")
        batch.drop_column("holder_sealed")
