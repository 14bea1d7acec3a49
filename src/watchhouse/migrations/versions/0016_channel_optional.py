"""contacts.channel optional: a record the force started (officer-initiated, radio, a transfer
from another centre) has no public channel, so it needs no stand-in value

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 02:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.alter_column("channel", existing_type=sa.String(length=20), nullable=True)


def downgrade() -> None:
    # The records the force started had a stand-in channel before: 101.
    op.execute("UPDATE contacts SET channel = '101' WHERE channel IS NULL")
    with op.batch_alter_table("contacts") as batch:
        batch.alter_column("channel", existing_type=sa.String(length=20), nullable=False)
