"""pools: the equalisation interest a year that investors admitted at a subsequent close pay
on their share of earlier calls, to the investors already in (scaled x 10^6 like the other
rates; NULL reads as none)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pools", sa.Column("equalisation_interest_rate", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pools") as batch:
        batch.drop_column("equalisation_interest_rate")
