"""payouts through the gateway: a payout remembers its rail (a bank file or a gateway transfer)
and the gateway's transfer id; a verified payout account remembers the gateway account that pays
into it, so the second payout to an investor does not create a second payee

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payment_payouts") as batch:
        batch.add_column(sa.Column("rail", sa.String(10), nullable=True))
        batch.add_column(sa.Column("gateway_transfer_id", sa.String(64), nullable=True))
        batch.create_unique_constraint("uq_payment_payouts_gateway_transfer", ["gateway_transfer_id"])
    # Payouts already in a file went by bank.
    op.execute("UPDATE payment_payouts SET rail = 'bank' WHERE batch_id IS NOT NULL")
    with op.batch_alter_table("payment_payout_accounts") as batch:
        batch.add_column(sa.Column("gateway_payee_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment_payout_accounts") as batch:
        batch.drop_column("gateway_payee_id")
    with op.batch_alter_table("payment_payouts") as batch:
        batch.drop_constraint("uq_payment_payouts_gateway_transfer", type_="unique")
        batch.drop_column("gateway_transfer_id")
        batch.drop_column("rail")
