"""drop the contacts' location index that the (location, presented) index already serves

`ix_contacts_location_presented` (0018) begins with `location_id`, so every look-up by
location alone uses it; the single-column `ix_contacts_location_id` only cost index work on
every contact written (a share of a command-and-control import's server time, issue 14).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 15:35:00
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_contacts_location_id", table_name="contacts")


def downgrade() -> None:
    op.create_index("ix_contacts_location_id", "contacts", ["location_id"], unique=False)
