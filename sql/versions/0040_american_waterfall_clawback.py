"""pools: the clawback terms of an American (deal-by-deal) waterfall: how the GP's tax on its
carry offsets the clawback (NULL reads as none), the tax rate assumed (scaled x 10^6 like
the other rates) and whether the clawback is also tested at interim dates

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pools", sa.Column("clawback_tax_offset", sa.String(32), nullable=True))
    op.add_column("pools", sa.Column("clawback_tax_rate", sa.BigInteger(), nullable=True))
    op.add_column("pools", sa.Column("interim_clawback", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pools") as batch:
        batch.drop_column("interim_clawback")
        batch.drop_column("clawback_tax_rate")
        batch.drop_column("clawback_tax_offset")
