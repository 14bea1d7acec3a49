"""people by family name and id

An index for the online check's lookup of the most recently recorded people with a family
name (PostgreSQL otherwise scans every person, newest first, for a name nobody has).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:40:00
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_people_family_name_id", "people", ["family_name", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_people_family_name_id", table_name="people")
