"""Owners of what managers share: benchmarks (reports_benchmarks.shared) and investor
profiles (investors.created_by_user_id)

A benchmark a manager creates is theirs: only they (or an admin) load its levels or attach
it to a pool, so no manager can change the reported performance of another manager's pool
by rewriting its benchmark. Benchmarks created by an admin (or by no one, e.g. a seed) are
shared reference data, attachable by any manager and changed only by admins.

An investor profile is changed (KYC, contact details) by an admin, by a manager of a pool
the investor is in, or by the manager who onboarded them; existing profiles have no
onboarding manager recorded, so their pools' managers and admins decide.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "reports_benchmarks",
        sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column("investors", sa.Column("created_by_user_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE reports_benchmarks SET shared = 1 WHERE created_by_user_id IS NULL OR "
        "created_by_user_id IN (SELECT id FROM users WHERE role = 'admin')"
    )


def downgrade() -> None:
    with op.batch_alter_table("investors") as batch:
        batch.drop_column("created_by_user_id")
    with op.batch_alter_table("reports_benchmarks") as batch:
        batch.drop_column("shared")
