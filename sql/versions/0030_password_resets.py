"""auth: emailed password-reset links (only a hash of each; single use, expiring)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "auth_password_resets",
        sa.Column("id", _BIGINT, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("voided_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_auth_password_resets"),
        sa.UniqueConstraint("token_hash", name="uq_auth_password_resets_token_hash"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_auth_password_resets_user_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_auth_password_resets_user_id", "auth_password_resets", ["user_id"])
    op.create_index("ix_auth_password_resets_expires_at", "auth_password_resets", ["expires_at"])


def downgrade() -> None:
    op.drop_table("auth_password_resets")
