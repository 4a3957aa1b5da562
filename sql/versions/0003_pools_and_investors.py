"""pools (terms, managers, analyst grants), investors and their commitments

Amounts and rates are scaled BIGINTs (backend.platform.orm.ScaledDecimal): cash x 10^4, NAV per
unit x 10^6, rates x 10^6.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pools",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("base_currency", sa.String(3), nullable=False),
        sa.Column("inception_date", sa.Date(), nullable=False),
        sa.Column("initial_nav_per_unit", sa.BigInteger(), nullable=False),
        sa.Column("minimum_subscription", sa.BigInteger(), nullable=False),
        sa.Column("management_fee_rate", sa.BigInteger(), nullable=True),
        sa.Column("management_fee_basis", sa.String(16), nullable=True),
        sa.Column("management_fee_frequency", sa.String(16), nullable=True),
        sa.Column("management_fee_day_count", sa.String(16), nullable=True),
        sa.Column("performance_fee_rate", sa.BigInteger(), nullable=True),
        sa.Column("performance_fee_high_water_mark", sa.Boolean(), nullable=True),
        sa.Column("performance_fee_hurdle_rate", sa.BigInteger(), nullable=True),
        sa.Column("waterfall_style", sa.String(16), nullable=True),
        sa.Column("preferred_return_rate", sa.BigInteger(), nullable=True),
        sa.Column("waterfall_compounding", sa.String(16), nullable=True),
        sa.Column("catch_up_rate", sa.BigInteger(), nullable=True),
        sa.Column("carried_interest_rate", sa.BigInteger(), nullable=True),
        sa.Column("waterfall_day_count", sa.String(16), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pools"),
        sa.CheckConstraint("kind IN ('open_ended', 'closed_ended')", name="ck_pools_kind"),
        sa.CheckConstraint(
            "status IN ('open', 'closed', 'liquidating', 'liquidated')", name="ck_pools_status"
        ),
    )
    op.create_index("ix_pools_status", "pools", ["status"])

    op.create_table(
        "pool_managers",
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pool_id", "user_id", name="pk_pool_managers"),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name="fk_pool_managers_pool_id_pools"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_pool_managers_user_id_users"),
    )
    op.create_index("ix_pool_managers_user_id", "pool_managers", ["user_id"])

    op.create_table(
        "pool_analyst_grants",
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("granted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pool_id", "user_id", name="pk_pool_analyst_grants"),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name="fk_pool_analyst_grants_pool_id_pools"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_pool_analyst_grants_user_id_users"),
    )
    op.create_index("ix_pool_analyst_grants_user_id", "pool_analyst_grants", ["user_id"])

    op.create_table(
        "investors",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("legal_name", sa.String(200), nullable=False),
        sa.Column("investor_type", sa.String(16), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("contact_email", sa.String(254), nullable=True),
        sa.Column("contact_phone", sa.String(32), nullable=True),
        sa.Column("kyc_status", sa.String(16), nullable=False),
        sa.Column("kyc_changed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_investors"),
        sa.UniqueConstraint("user_id", name="uq_investors_user_id"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_investors_user_id_users"),
        sa.CheckConstraint(
            "kyc_status IN ('pending', 'approved', 'rejected')", name="ck_investors_kyc_status"
        ),
    )
    op.create_index("ix_investors_kyc_status", "investors", ["kyc_status"])

    op.create_table(
        "pool_commitments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_pool_commitments"),
        sa.ForeignKeyConstraint(
            ["investor_id"], ["investors.id"], name="fk_pool_commitments_investor_id_investors"
        ),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name="fk_pool_commitments_pool_id_pools"),
    )
    op.create_index(
        "ix_pool_commitments_pool_id_investor_id", "pool_commitments", ["pool_id", "investor_id"]
    )
    op.create_index("ix_pool_commitments_investor_id", "pool_commitments", ["investor_id"])


def downgrade() -> None:
    op.drop_table("pool_commitments")
    op.drop_table("investors")
    op.drop_table("pool_analyst_grants")
    op.drop_table("pool_managers")
    op.drop_table("pools")
