"""side letters: a withdrawn letter stays as a row marked withdrawn, so when a pool's letters
last changed (the reports' cache and snapshots depend on it) counts withdrawals too

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("side_letters", sa.Column("withdrawn_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM side_letters WHERE withdrawn_at IS NOT NULL")
    with op.batch_alter_table("side_letters") as batch:
        batch.drop_column("withdrawn_at")
