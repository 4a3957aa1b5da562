"""payment retry schedule: how often the gateway failed to take a payment's attempt, and when
to ask again (exponential backoff with jitter), so an outage is retried soon and then sparingly

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("gateway_tries", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_try_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("next_try_at")
        batch.drop_column("gateway_tries")
