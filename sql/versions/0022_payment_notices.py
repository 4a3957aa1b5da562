"""payment notices: the status each payment's investor was last told of, so "payment
received", "payment failed" and "payment refunded" are each sent once

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("notified_status", sa.String(20), nullable=True))
    # What exists now was settled before notices: nobody is told of it again.
    op.execute("UPDATE payments SET notified_status = status")


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("notified_status")
