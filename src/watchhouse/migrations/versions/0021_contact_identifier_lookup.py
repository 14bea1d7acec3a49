"""contact identifiers by name and value

The online check looks up the people whose contacts carry the caller's extra identifier (a PNC
ID, an NI number, an email: policy `[identity] extra_identifiers`). The table's key is
`(contact_id, name)`, which does not serve a look-up by value; `(name, value)` does, with one
index range per identifier given.

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-07 11:40:00
"""

from alembic import op

revision = "0021"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_contact_identifiers_name_value",
        "contact_identifiers",
        ["name", "value"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_contact_identifiers_name_value", table_name="contact_identifiers")
