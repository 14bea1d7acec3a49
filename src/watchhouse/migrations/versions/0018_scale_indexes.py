"""contacts by location and time

The online check counts an address's contacts within each repeat window. With an index on
`location_id` alone, every contact ever made at the address is read to find the few in the
window; at a busy address (a hospital, a custody suite, a shopping centre) in a store of
millions of contacts that is tens of thousands of rows per check (`bench/grow_store.py`,
bench/README.md). With `(location_id, presented_at)` only the window's rows are read.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 03:40:00
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_contacts_location_presented", "contacts", ["location_id", "presented_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_contacts_location_presented", table_name="contacts")
