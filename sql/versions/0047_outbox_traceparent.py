"""ledger: the outbox event remembers the trace of the request that wrote it

The relay publishes an event seconds later, in another process; with the writer's
`traceparent` stored beside the event, the publish, the consumers and the snapshot task it
schedules are spans of the same trace as the API call. Nullable: events written before this
revision (and by writers outside any request or task) start a trace of their own.

Revision ID: 0047
Revises: 0046
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0047"
down_revision = "0046"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column at the end: instant on MariaDB, however long the outbox is.
    op.add_column("ledger_outbox", sa.Column("traceparent", sa.String(55), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger_outbox") as table:
        table.drop_column("traceparent")
