"""hardening: sign-in throttle per source address; idempotency keys per user with a digest

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 23:30:00
"""

import sqlalchemy as sa
from alembic import op

import watchhouse.db.types

revision = "0011"
down_revision = "0010"
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
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("idempotency_body_sha256", sa.String(length=64), nullable=True)
        )
        batch_op.drop_constraint("uq_contacts_idempotency_key", type_="unique")
        batch_op.create_foreign_key(
            batch_op.f("fk_contacts_idempotency_user_id_users"),
            "users",
            ["idempotency_user_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            "uq_contacts_idempotency_user_key", ["idempotency_user_id", "idempotency_key"]
        )
    # Keys stored before belong to the handler who took the contact (no digest: accepted).
    op.execute(
        "UPDATE contacts SET idempotency_user_id = handler_id WHERE idempotency_key IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_contacts_idempotency_user_key", type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_contacts_idempotency_user_id_users"), type_="foreignkey"
        )
        batch_op.create_unique_constraint("uq_contacts_idempotency_key", ["idempotency_key"])
        batch_op.drop_column("idempotency_body_sha256")
        batch_op.drop_column("idempotency_user_id")
    op.drop_table("sign_in_throttle")
