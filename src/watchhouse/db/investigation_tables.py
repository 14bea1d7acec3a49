"""ORM tables of investigations: victims, suspects, key events and crime admin bureau tasks.

They extend the crimes in db/tables.py; db/tables.py imports this module so that the tables
are part of `Base.metadata` wherever the schema is used.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from watchhouse.db.tables import Base
from watchhouse.db.types import UTCDateTime


class CrimeVictimRow(Base):
    """A victim of a crime: the needs assessment, update preferences, support referral, VPS."""

    __tablename__ = "crime_victims"
    id: Mapped[int] = mapped_column(primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crimes.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assessed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    persistently_targeted: Mapped[bool | None] = mapped_column(Boolean)
    vulnerable: Mapped[bool | None] = mapped_column(Boolean)
    intimidated: Mapped[bool | None] = mapped_column(Boolean)
    enhanced: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    enhanced_grounds: Mapped[list[str] | None] = mapped_column(JSON)
    wants_updates: Mapped[bool | None] = mapped_column(Boolean)
    update_method: Mapped[str | None] = mapped_column(String(20))
    update_contact: Mapped[str | None] = mapped_column(String(200))
    needs_notes: Mapped[str | None] = mapped_column(Text)
    support_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    support_referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    support_declined: Mapped[bool | None] = mapped_column(Boolean)
    vps_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    vps_offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    vps_decision: Mapped[str | None] = mapped_column(String(10))
    vps_made_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Imported from a records system (issue 14): its name and its own id for the victim.
    source: Mapped[str | None] = mapped_column(String(40))
    external_ref: Mapped[str | None] = mapped_column(String(80))
    __table_args__ = (
        Index("uq_crime_victims_source_external_ref", "source", "external_ref", unique=True),
    )


class CrimeSuspectRow(Base):
    """A suspect: a named person, or a description of someone not yet identified."""

    __tablename__ = "crime_suspects"
    id: Mapped[int] = mapped_column(primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crimes.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    identified: Mapped[bool] = mapped_column(Boolean)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str | None] = mapped_column(String(40))
    external_ref: Mapped[str | None] = mapped_column(String(80))
    __table_args__ = (
        Index("uq_crime_suspects_source_external_ref", "source", "external_ref", unique=True),
    )


class CrimeEventRow(Base):
    """A key event in an investigation (arrest, charge, bail, ... outcome)."""

    __tablename__ = "crime_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crimes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    # Imported: the records system's name and id for the event, and the victim an event about
    # one victim (an update given, a needs assessment) concerns (crime_victims.id, no key).
    source: Mapped[str | None] = mapped_column(String(40))
    external_ref: Mapped[str | None] = mapped_column(String(80))
    victim_id: Mapped[int | None] = mapped_column(Integer)
    plan_adequate: Mapped[bool | None] = mapped_column(Boolean)  # an imported plan's check
    __table_args__ = (
        Index("uq_crime_events_source_external_ref", "source", "external_ref", unique=True),
    )


class CrimeAdminTaskRow(Base):
    """A task asked of the crime admin bureau: paperwork lifted off the investigator."""

    __tablename__ = "crime_admin_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crimes.id"), index=True)
    task: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    result: Mapped[str | None] = mapped_column(Text)
    # Imported from a records system: its name and its own id for the task (migration 0019).
    source: Mapped[str | None] = mapped_column(String(40))
    external_ref: Mapped[str | None] = mapped_column(String(80))
    __table_args__ = (
        Index("ix_crime_admin_tasks_queue", "done_at", "due_at"),
        Index("uq_crime_admin_tasks_source_external_ref", "source", "external_ref", unique=True),
    )
