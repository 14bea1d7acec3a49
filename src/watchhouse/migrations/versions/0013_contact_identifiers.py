"""identity: a force's own identifiers with each contact, labelled samples kept in the store,
each linkage run's accuracy

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

import watchhouse.db.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_identifiers",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_contact_identifiers_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("contact_id", "name", name=op.f("pk_contact_identifiers")),
    )
    op.create_table(
        "identity_label_pairs",
        sa.Column("left_contact_id", sa.Integer(), nullable=False),
        sa.Column("right_contact_id", sa.Integer(), nullable=False),
        sa.Column("same_person", sa.Boolean(), nullable=False),
        sa.Column("imported_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["left_contact_id"],
            ["contacts.id"],
            name=op.f("fk_identity_label_pairs_left_contact_id_contacts"),
        ),
        sa.ForeignKeyConstraint(
            ["right_contact_id"],
            ["contacts.id"],
            name=op.f("fk_identity_label_pairs_right_contact_id_contacts"),
        ),
        sa.PrimaryKeyConstraint(
            "left_contact_id", "right_contact_id", name=op.f("pk_identity_label_pairs")
        ),
    )
    op.create_table(
        "identity_label_clusters",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=120), nullable=False),
        sa.Column("imported_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_identity_label_clusters_contact_id_contacts"),
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_identity_label_clusters")),
    )
    op.create_table(
        "identity_run_metrics",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("labelled", sa.Integer(), nullable=False),
        sa.Column("precision", sa.Float(), nullable=True),
        sa.Column("recall", sa.Float(), nullable=True),
        sa.Column("f1", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["identity_runs.id"],
            name=op.f("fk_identity_run_metrics_run_id_identity_runs"),
        ),
        sa.PrimaryKeyConstraint("run_id", "basis", name=op.f("pk_identity_run_metrics")),
    )


def downgrade() -> None:
    op.drop_table("identity_run_metrics")
    op.drop_table("identity_label_clusters")
    op.drop_table("identity_label_pairs")
    op.drop_table("contact_identifiers")
