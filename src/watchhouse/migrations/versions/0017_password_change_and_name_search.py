"""forced password change; name search by lower() indexes

`users.must_change_password`: an account created or reset by an administrator must choose
its own password at the next sign-in. Search by name compares lower(family name) (and the
given name's start): expression indexes let both databases find the names without a scan.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    op.create_index(
        "ix_people_lower_names",
        "people",
        [sa.text("lower(family_name)"), sa.text("lower(given_name)")],
        unique=False,
    )
    op.create_index(
        "ix_contacts_lower_caller_names",
        "contacts",
        [sa.text("lower(caller_family_name)"), sa.text("lower(caller_given_name)")],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_contacts_lower_caller_names", table_name="contacts")
    op.drop_index("ix_people_lower_names", table_name="people")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
