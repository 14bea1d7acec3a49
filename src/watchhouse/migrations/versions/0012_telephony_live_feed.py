"""telephony live feed: call events, call state, the telephony system role

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

import watchhouse.db.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    roles = sa.table("roles", sa.column("code", sa.String), sa.column("name", sa.String))
    op.bulk_insert(roles, [{"code": "telephony_system", "name": "Telephony system"}])
    op.create_table(
        "telephony_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("received_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telephony_events")),
        sa.UniqueConstraint("call_id", "kind", name="uq_telephony_events_call_kind"),
    )
    op.create_table(
        "telephony_calls",
        sa.Column("call_id", sa.String(length=120), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("caller_number", sa.String(length=40), nullable=True),
        sa.Column("queue", sa.String(length=80), nullable=True),
        sa.Column("presented_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("abandoned_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("transferred_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("transferred_to", sa.String(length=80), nullable=True),
        sa.Column("ended_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_telephony_calls_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["users.id"], name=op.f("fk_telephony_calls_answered_by_users")
        ),
        sa.PrimaryKeyConstraint("call_id", name=op.f("pk_telephony_calls")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_telephony_calls_contact_id")),
    )
    op.create_index(
        op.f("ix_telephony_calls_answered_by"), "telephony_calls", ["answered_by"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_telephony_calls_answered_by"), table_name="telephony_calls")
    op.drop_table("telephony_calls")
    op.drop_table("telephony_events")
    op.execute("DELETE FROM roles WHERE code = 'telephony_system'")
