"""a telephone number's contacts indexed by when they were presented

The live repeat check counts a number's contacts in each window (7 and 30 days) on every
contact opened. With an index on the number alone, PostgreSQL joined it to the index on
`presented_at` (a bitmap AND) whenever its statistics lagged behind a growing table, and so
read every contact of the window, whoever made it: under load the count went from 3 ms to 20
ms in four minutes (issue 16, Load). The index on (number, presented) reads only the number's
contacts in the window; it also serves every look-up by number alone, so it replaces
`ix_contacts_telephone_number_id`, and, like the person's (0024), holds only the contacts that
have a number.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 01:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

_WHERE = "telephone_number_id IS NOT NULL"


def upgrade() -> None:
    op.drop_index("ix_contacts_telephone_number_id", table_name="contacts")
    op.create_index(
        "ix_contacts_number_presented",
        "contacts",
        ["telephone_number_id", "presented_at"],
        unique=False,
        postgresql_where=sa.text(_WHERE),
        sqlite_where=sa.text(_WHERE),
    )


def downgrade() -> None:
    op.drop_index("ix_contacts_number_presented", table_name="contacts")
    op.create_index(
        "ix_contacts_telephone_number_id", "contacts", ["telephone_number_id"], unique=False
    )
