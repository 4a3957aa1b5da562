"""investors: side letters, one investor's own fee and carry terms in a closed-ended pool

Rates are scaled BIGINTs (x 10^6) like the pools' terms.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "side_letters",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("management_fee_rate", sa.BigInteger(), nullable=True),
        sa.Column("management_fee_waiver", sa.BigInteger(), nullable=False),
        sa.Column("carried_interest_rate", sa.BigInteger(), nullable=True),
        sa.Column("gp_commitment", sa.Boolean(), nullable=False),
        sa.Column("updated_by_user_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_side_letters"),
        sa.UniqueConstraint("pool_id", "investor_id", name="uq_side_letters_pool_investor"),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name="fk_side_letters_pool_id_pools"),
        sa.ForeignKeyConstraint(
            ["investor_id"], ["investors.id"], name="fk_side_letters_investor_id_investors"
        ),
    )


def downgrade() -> None:
    op.drop_table("side_letters")
