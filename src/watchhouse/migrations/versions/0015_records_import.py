"""records-system import: source ids on victims, suspects, key events and the rows made from them

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_KEYED = ("crime_victims", "crime_suspects", "crime_events")
_MADE_FROM_EVENTS = ("investigation_plans", "supervisor_reviews", "victim_contacts")


def upgrade() -> None:
    op.add_column("crimes", sa.Column("home_office_code", sa.String(length=20), nullable=True))
    for table in _KEYED:
        op.add_column(table, sa.Column("source", sa.String(length=40), nullable=True))
        op.add_column(table, sa.Column("external_ref", sa.String(length=80), nullable=True))
        op.create_index(
            f"uq_{table}_source_external_ref", table, ["source", "external_ref"], unique=True
        )
    op.add_column("crime_events", sa.Column("victim_id", sa.Integer(), nullable=True))
    op.add_column("crime_events", sa.Column("plan_adequate", sa.Boolean(), nullable=True))
    for table in _MADE_FROM_EVENTS:
        op.add_column(table, sa.Column("source", sa.String(length=40), nullable=True))


def downgrade() -> None:
    for table in _MADE_FROM_EVENTS:
        op.drop_column(table, "source")
    op.drop_column("crime_events", "plan_adequate")
    op.drop_column("crime_events", "victim_id")
    for table in _KEYED:
        op.drop_index(f"uq_{table}_source_external_ref", table_name=table)
        op.drop_column(table, "external_ref")
        op.drop_column(table, "source")
    op.drop_column("crimes", "home_office_code")
