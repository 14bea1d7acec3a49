"""incident journey: queue change counter, closure reasons, domestic abuse flag, attending officer

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 23:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    counter = op.create_table(
        "change_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_counter")),
    )
    op.bulk_insert(counter, [{"id": 1, "value": 0}])
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(
            sa.Column("domestic_abuse", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("closure_reason", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("closure_rationale", sa.Text(), nullable=True))
        batch.add_column(sa.Column("closure_authority", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("closure_crime_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("attending_officer_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_incidents_closure_crime_id_crimes", "crimes", ["closure_crime_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_incidents_attending_officer_id_users", "users", ["attending_officer_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_constraint("fk_incidents_attending_officer_id_users", type_="foreignkey")
        batch.drop_constraint("fk_incidents_closure_crime_id_crimes", type_="foreignkey")
        for name in (
            "attending_officer_id",
            "closure_crime_id",
            "closure_authority",
            "closure_rationale",
            "closure_reason",
            "domestic_abuse",
        ):
            batch.drop_column(name)
    op.drop_table("change_counter")
