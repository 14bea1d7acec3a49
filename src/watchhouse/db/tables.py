"""ORM tables. Only db/ uses these; services get domain values from the repositories."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from watchhouse.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for migrations."""

    metadata = MetaData(naming_convention=NAMING)


class RoleRow(Base):
    """A role users can hold."""

    __tablename__ = "roles"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class UserRow(Base):
    """A person who signs in."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role_code: Mapped[str] = mapped_column(ForeignKey("roles.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UserSessionRow(Base):
    """A signed-in session (browser) or API token; only the token's digest is stored."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NeighbourhoodRow(Base):
    """A neighbourhood policing area, urban or rural."""

    __tablename__ = "neighbourhoods"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    settlement: Mapped[str] = mapped_column(String(10))
    __table_args__ = (CheckConstraint("settlement in ('urban', 'rural')", name="settlement"),)


class LocationRow(Base):
    """A place: an address or a description of a spot, with its neighbourhood."""

    __tablename__ = "locations"
    id: Mapped[int] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(10), index=True)
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhoods.id"))
    settlement: Mapped[str] = mapped_column(String(10))


class PersonRow(Base):
    """A member of the public known to the force."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    family_name: Mapped[str] = mapped_column(String(120), index=True)
    given_name: Mapped[str] = mapped_column(String(120))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TelephoneNumberRow(Base):
    """A telephone number in E.164 form."""

    __tablename__ = "telephone_numbers"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)


class PersonTelephoneRow(Base):
    """That a person has been reached on a number (numbers are shared in households)."""

    __tablename__ = "person_telephones"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    telephone_number_id: Mapped[int] = mapped_column(
        ForeignKey("telephone_numbers.id"), primary_key=True
    )


class ContactRow(Base):
    """One contact from the public on any channel."""

    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    presented_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    abandoned: Mapped[bool] = mapped_column(Boolean, default=False)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    telephone_number_id: Mapped[int | None] = mapped_column(
        ForeignKey("telephone_numbers.id"), index=True
    )
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    caller_name: Mapped[str | None] = mapped_column(String(240))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    __table_args__ = (
        CheckConstraint("NOT (abandoned AND answered_at IS NOT NULL)", name="abandoned_unanswered"),
    )


class ThriveAssessmentRow(Base):
    """A THRIVE assessment of a contact (re-assessments add rows)."""

    __tablename__ = "thrive_assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    assessed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    threat: Mapped[int] = mapped_column(Integer)
    harm: Mapped[int] = mapped_column(Integer)
    risk: Mapped[int] = mapped_column(Integer)
    investigation: Mapped[int] = mapped_column(Integer)
    vulnerability: Mapped[int] = mapped_column(Integer)
    engagement: Mapped[str] = mapped_column(String(40))
    indicators: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    suggested_grade: Mapped[int] = mapped_column(Integer)
    suggestion_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)


class IncidentRow(Base):
    """A graded incident, from creation to closure."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), unique=True)
    grade: Mapped[int] = mapped_column(Integer)
    suggested_grade: Mapped[int] = mapped_column(Integer)
    departure_reason: Mapped[str | None] = mapped_column(Text)
    graded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    settlement: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), index=True)
    deployed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deployed_unit: Mapped[str | None] = mapped_column(String(40))
    deployed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    body_worn_video: Mapped[bool | None] = mapped_column(Boolean)
    arrival_recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closure: Mapped[str | None] = mapped_column(String(40))
    closure_note: Mapped[str | None] = mapped_column(Text)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    __table_args__ = (CheckConstraint("grade between 1 and 4", name="grade_range"),)


class PartnerReferralRow(Base):
    """A referral of a contact to a partner agency."""

    __tablename__ = "partner_referrals"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    agency_code: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    referred_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="made")
    outcome: Mapped[str | None] = mapped_column(Text)


class AccessLogRow(Base):
    """One DPA 2018 s.62 log entry. Append-only: triggers refuse updates and deletes."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(80), index=True)
    operation: Mapped[str] = mapped_column(String(20), index=True)
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(40))
    justification: Mapped[str | None] = mapped_column(Text)
    recipient: Mapped[str | None] = mapped_column(String(240))
    __table_args__ = (Index("ix_access_log_record", "record_type", "record_id"),)
