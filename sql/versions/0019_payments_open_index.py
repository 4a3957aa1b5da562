"""payments open index: the retries every 20 s and the sweep find the few pending or
processing attempts by status and next try, not by reading every payment

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_payments_open", "payments", ["status", "next_try_at"])


def downgrade() -> None:
    op.drop_index("ix_payments_open", table_name="payments")
