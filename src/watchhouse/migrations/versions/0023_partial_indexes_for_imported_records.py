"""index only the contacts and incidents a look-up can want

A command-and-control import stores hundreds of thousands of contacts with no linked person,
no caller's name and often no location, and incidents that are all closed; the database
writes an entry in every index for each row, and index work is most of the server's time of
such an import (issue 14). Each of these indexes serves look-ups that compare the indexed
expression (a person's contacts, a name search, an address's repeat count) or read the open
queue (`status IN ('open', 'deployed', 'attended') AND status != 'closed'`), which never want
an empty column or a closed incident; so each now holds only the rows with a value, or the
incidents not closed. PostgreSQL's and SQLite's planners both take a comparison of the
indexed expression as implying it is not null, and the open queue repeats the status
condition word for word, so every look-up still uses its index.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 18:25:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_PARTIAL = (
    ("ix_contacts_person_id", "contacts", ["person_id"], "person_id IS NOT NULL"),
    (
        "ix_contacts_lower_caller_names",
        "contacts",
        [sa.text("lower(caller_family_name)"), sa.text("lower(caller_given_name)")],
        "lower(caller_family_name) IS NOT NULL",
    ),
    (
        "ix_contacts_location_presented",
        "contacts",
        ["location_id", "presented_at"],
        "location_id IS NOT NULL",
    ),
    ("ix_incidents_status", "incidents", ["status"], "status != 'closed'"),
)


def upgrade() -> None:
    for name, table, columns, where in _PARTIAL:
        op.drop_index(name, table_name=table)
        op.create_index(
            name,
            table,
            columns,
            unique=False,
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )


def downgrade() -> None:
    for name, table, columns, _where in _PARTIAL:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)
