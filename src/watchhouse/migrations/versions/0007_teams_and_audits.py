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
down_revision = "0004"
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


def downgrade() -> None:
    op.drop_index(op.f("ix_users_team_id"), table_name="users")
    with op.batch_alter_table("users", schema=None) as batch_op:
        if op.get_bind().dialect.name != "sqlite":
            batch_op.drop_constraint(op.f("fk_users_team_id_teams"), type_="foreignkey")
        batch_op.drop_column("team_id")
    op.drop_table("teams")
