"""imported records: origin, attributes with nowhere else to go, rows the filter left out

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 23:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(
            sa.Column("origin", sa.String(length=20), nullable=False, server_default="public")
        )
        batch.add_column(sa.Column("attributes", sa.JSON(), nullable=True))
    with op.batch_alter_table("import_batches") as batch:
        batch.add_column(
            sa.Column("rows_filtered", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("import_batches") as batch:
        batch.drop_column("rows_filtered")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("attributes")
        batch.drop_column("origin")
