"""records import of bureau tasks (source ids) and the published force of data.police.uk rows

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_PUBLISHED = ("police_uk_crimes", "police_uk_outcomes")


def upgrade() -> None:
    op.add_column("crime_admin_tasks", sa.Column("source", sa.String(length=40), nullable=True))
    op.add_column(
        "crime_admin_tasks", sa.Column("external_ref", sa.String(length=80), nullable=True)
    )
    op.create_index(
        "uq_crime_admin_tasks_source_external_ref",
        "crime_admin_tasks",
        ["source", "external_ref"],
        unique=True,
    )
    for table in _PUBLISHED:
        op.add_column(table, sa.Column("published_force", sa.String(length=80), nullable=True))


def downgrade() -> None:
    for table in _PUBLISHED:
        op.drop_column(table, "published_force")
    op.drop_index("uq_crime_admin_tasks_source_external_ref", table_name="crime_admin_tasks")
    op.drop_column("crime_admin_tasks", "external_ref")
    op.drop_column("crime_admin_tasks", "source")
