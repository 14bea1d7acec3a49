"""a person's contacts indexed by when they were presented

The caller check reads the newest few contacts of each candidate person; with an index on the
person alone it read all of each person's contacts and sorted them, a cost that grew with the
store (issue 16, Load: a caller's contacts grow by the hour at a major incident). The index on
(person, presented) lets each look-up stop after the few it wants; it also serves every
look-up by person alone, so it replaces `ix_contacts_person_id`.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

_WHERE = "person_id IS NOT NULL"


def upgrade() -> None:
    op.drop_index("ix_contacts_person_id", table_name="contacts")
    op.create_index(
        "ix_contacts_person_presented",
        "contacts",
        ["person_id", "presented_at"],
        unique=False,
        postgresql_where=sa.text(_WHERE),
        sqlite_where=sa.text(_WHERE),
    )


def downgrade() -> None:
    op.drop_index("ix_contacts_person_presented", table_name="contacts")
    op.create_index(
        "ix_contacts_person_id",
        "contacts",
        ["person_id"],
        unique=False,
        postgresql_where=sa.text(_WHERE),
        sqlite_where=sa.text(_WHERE),
    )
