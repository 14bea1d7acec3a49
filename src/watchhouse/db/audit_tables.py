"""ORM tables of the audit regime: templates, samples, sampled records, results, findings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from watchhouse.db.tables import Base
from watchhouse.db.types import UTCDateTime


class AuditTemplateRow(Base):
    """An audit template: shipped with watchhouse or defined by an auditor, kept as its TOML."""

    __tablename__ = "audit_templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    record_type: Mapped[str] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(10))
    definition: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (CheckConstraint("origin in ('shipped', 'auditor')", name="origin"),)


class AuditSampleRow(Base):
    """A sample drawn by rule and seed for one template and month; drawing it again with the
    same rule and seed finds this one rather than adding another."""

    __tablename__ = "audit_samples"
    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("audit_templates.id"))
    period: Mapped[str] = mapped_column(String(7), index=True)
    per: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)
    drawn_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        UniqueConstraint(
            "template_id", "period", "per", "count", "seed", name="uq_audit_samples_draw"
        ),
    )


class AuditSampleItemRow(Base):
    """One sampled record, with whose work it is and, as they stood when drawn, their team and
    the record's neighbourhood (so that trends and the board do not move when people do)."""

    __tablename__ = "audit_sample_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("audit_samples.id"), index=True)
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    record_at: Mapped[datetime] = mapped_column(UTCDateTime)
    stratum: Mapped[str] = mapped_column(String(120))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhoods.id"))
    __table_args__ = (
        UniqueConstraint(
            "sample_id", "record_type", "record_id", name="uq_audit_sample_items_record"
        ),
        Index("ix_audit_sample_items_record", "record_type", "record_id"),
    )


class AuditResultRow(Base):
    """An auditor's answers for one sampled record, and its score."""

    __tablename__ = "audit_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("audit_sample_items.id"), unique=True)
    answers: Mapped[dict[str, str]] = mapped_column(JSON)
    points: Mapped[float] = mapped_column(Float)
    available: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    failed_critical: Mapped[list[str]] = mapped_column(JSON)
    auditor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    audited_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AuditFindingRow(Base):
    """What the audit found about a record, fed back to the supervisor of the team whose work
    it was (for a crime, the crime's own supervisor when one is named), until they
    acknowledge it."""

    __tablename__ = "audit_findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("audit_results.id"), unique=True)
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int] = mapped_column(Integer)
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    response: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_audit_findings_record", "record_type", "record_id"),)
