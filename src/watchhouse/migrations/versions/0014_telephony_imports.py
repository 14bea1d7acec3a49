"""telephony imports: imported call records (source, handler) and interval statistics

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

import watchhouse.db.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("telephony_calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("handler_ref", sa.String(length=120), nullable=True))
    op.create_table(
        "telephony_intervals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("queue", sa.String(length=80), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("interval_start", watchhouse.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("length_minutes", sa.Integer(), nullable=False),
        sa.Column("offered", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("abandoned", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telephony_intervals")),
        sa.UniqueConstraint(
            "source", "queue", "interval_start", name="uq_telephony_intervals_source_queue_start"
        ),
    )
    op.create_table(
        "telephony_interval_thresholds",
        sa.Column("interval_id", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interval_id"],
            ["telephony_intervals.id"],
            name=op.f("fk_telephony_interval_thresholds_interval_id_telephony_intervals"),
        ),
        sa.PrimaryKeyConstraint(
            "interval_id", "seconds", name=op.f("pk_telephony_interval_thresholds")
        ),
    )


def downgrade() -> None:
    op.drop_table("telephony_interval_thresholds")
    op.drop_table("telephony_intervals")
    with op.batch_alter_table("telephony_calls", schema=None) as batch_op:
        batch_op.drop_column("handler_ref")
        batch_op.drop_column("source")
