"""reports: FX reference rates, units of a currency per 1 EUR by date (the ECB's quotation)

Rates are scaled BIGINTs (backend.platform.orm.ScaledDecimal): rate x 10^8.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports_fx_rates",
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("rate", sa.BigInteger(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("loaded_by_user_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("rate_date", "currency", name="pk_reports_fx_rates"),
    )
    # The lookup reads one currency's rates over a date range.
    op.create_index("ix_reports_fx_rates_currency_date", "reports_fx_rates", ["currency", "rate_date"])


def downgrade() -> None:
    op.drop_index("ix_reports_fx_rates_currency_date", table_name="reports_fx_rates")
    op.drop_table("reports_fx_rates")
