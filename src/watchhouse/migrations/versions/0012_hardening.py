"""hardening: sign-in throttle per source address

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-06 23:30:00
"""

import sqlalchemy as sa
from alembic import op

import watchhouse.db.types

revision = "0012"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column(
            "window_started_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_sign_in_throttle")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_throttle")
