"""side letters: a management fee holiday for one investor (no fee for its days up to and
including a date)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("side_letters", sa.Column("management_fee_holiday_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("side_letters") as batch:
        batch.drop_column("management_fee_holiday_until")
