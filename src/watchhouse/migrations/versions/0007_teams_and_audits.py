"""teams and the audit regime

Teams with their supervisors and users.team_id; audit templates, samples (drawn by rule and
seed), the sampled records, results and findings fed back to supervisors.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-02 13:30:00
"""

import sqlalchemy as sa
from alembic import op

import watchhouse.db.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, watchhouse.db.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        _when("created_at"),
        sa.ForeignKeyConstraint(
            ["supervisor_id"], ["users.id"], name=op.f("fk_teams_supervisor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("code", name=op.f("uq_teams_code")),
    )
    # users.team_id: a nullable column with a foreign key. SQLite adds it in place (a batch
    # copy of `users` would fail once other tables refer to its rows).
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE users ADD COLUMN team_id INTEGER "
            "CONSTRAINT fk_users_team_id_teams REFERENCES teams (id)"
        )
    else:
        op.add_column("users", sa.Column("team_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_users_team_id_teams"), "users", "teams", ["team_id"], ["id"])
    op.create_index(op.f("ix_users_team_id"), "users", ["team_id"], unique=False)
    op.create_table(
        "audit_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "origin in ('shipped', 'auditor')", name=op.f("ck_audit_templates_origin")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_audit_templates_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_templates")),
        sa.UniqueConstraint("code", name=op.f("uq_audit_templates_code")),
    )
    op.create_table(
        "audit_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("per", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("drawn_by", sa.Integer(), nullable=False),
        sa.Column("drawn_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["drawn_by"], ["users.id"], name=op.f("fk_audit_samples_drawn_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["audit_templates.id"],
            name=op.f("fk_audit_samples_template_id_audit_templates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_samples")),
        sa.UniqueConstraint(
            "template_id", "period", "per", "count", "seed", name="uq_audit_samples_draw"
        ),
    )
    with op.batch_alter_table("audit_samples", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_samples_period"), ["period"], unique=False)

    op.create_table(
        "audit_sample_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("record_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stratum", sa.String(length=120), nullable=False),
        sa.Column("subject_user_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["neighbourhood_id"],
            ["neighbourhoods.id"],
            name=op.f("fk_audit_sample_items_neighbourhood_id_neighbourhoods"),
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["audit_samples.id"],
            name=op.f("fk_audit_sample_items_sample_id_audit_samples"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_user_id"],
            ["users.id"],
            name=op.f("fk_audit_sample_items_subject_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_audit_sample_items_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_sample_items")),
        sa.UniqueConstraint(
            "sample_id", "record_type", "record_id", name="uq_audit_sample_items_record"
        ),
    )
    with op.batch_alter_table("audit_sample_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_sample_items_record", ["record_type", "record_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_sample_items_sample_id"), ["sample_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_sample_items_team_id"), ["team_id"], unique=False
        )

    op.create_table(
        "audit_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("available", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("failed_critical", sa.JSON(), nullable=False),
        sa.Column("auditor_id", sa.Integer(), nullable=False),
        sa.Column("audited_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["auditor_id"], ["users.id"], name=op.f("fk_audit_results_auditor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["audit_sample_items.id"],
            name=op.f("fk_audit_results_item_id_audit_sample_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_results")),
        sa.UniqueConstraint("item_id", name=op.f("uq_audit_results_item_id")),
    )
    with op.batch_alter_table("audit_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_results_audited_at"), ["audited_at"], unique=False
        )

    op.create_table(
        "audit_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("subject_user_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("raised_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", watchhouse.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"], ["users.id"], name=op.f("fk_audit_findings_acknowledged_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["audit_results.id"],
            name=op.f("fk_audit_findings_result_id_audit_results"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_user_id"], ["users.id"], name=op.f("fk_audit_findings_subject_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_audit_findings_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_findings")),
        sa.UniqueConstraint("result_id", name=op.f("uq_audit_findings_result_id")),
    )
    with op.batch_alter_table("audit_findings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_findings_record", ["record_type", "record_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_findings_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    for table in (
        "audit_findings",
        "audit_results",
        "audit_sample_items",
        "audit_samples",
        "audit_templates",
    ):
        op.drop_table(table)
    op.drop_index(op.f("ix_users_team_id"), table_name="users")
    with op.batch_alter_table("users", schema=None) as batch_op:
        if op.get_bind().dialect.name != "sqlite":
            batch_op.drop_constraint(op.f("fk_users_team_id_teams"), type_="foreignkey")
        batch_op.drop_column("team_id")
    op.drop_table("teams")
