"""The telephony platform's call events and the call state recomputed from them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from watchhouse.db.tables import Base
from watchhouse.db.types import UTCDateTime


class TelephonyEventRow(Base):
    """One event as the platform sent it; a repeat of (call id, kind) is not stored again."""

    __tablename__ = "telephony_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    details: Mapped[dict[str, str]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (UniqueConstraint("call_id", "kind", name="uq_telephony_events_call_kind"),)


class TelephonyCallRow(Base):
    """A call as its events add up to, and the contact it made."""

    __tablename__ = "telephony_calls"
    call_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), unique=True)
    channel: Mapped[str | None] = mapped_column(String(20))
    caller_number: Mapped[str | None] = mapped_column(String(40))
    queue: Mapped[str | None] = mapped_column(String(80))
    presented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    transferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    transferred_to: Mapped[str | None] = mapped_column(String(80))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set for a call imported from the platform's call records (the mapping's source); a call
    # the live feed made has none. `handler_ref` is the handler as the records name them.
    source: Mapped[str | None] = mapped_column(String(40))
    handler_ref: Mapped[str | None] = mapped_column(String(120))


class TelephonyIntervalRow(Base):
    """One queue's calls in one interval (15 or 30 minutes), as the platform counted them."""

    __tablename__ = "telephony_intervals"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    queue: Mapped[str] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(20))
    interval_start: Mapped[datetime] = mapped_column(UTCDateTime)
    length_minutes: Mapped[int] = mapped_column(Integer)
    offered: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    abandoned: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        UniqueConstraint(
            "source", "queue", "interval_start", name="uq_telephony_intervals_source_queue_start"
        ),
    )


class TelephonyIntervalThresholdRow(Base):
    """How many of an interval's calls were answered within a threshold (seconds)."""

    __tablename__ = "telephony_interval_thresholds"
    interval_id: Mapped[int] = mapped_column(ForeignKey("telephony_intervals.id"), primary_key=True)
    seconds: Mapped[int] = mapped_column(Integer, primary_key=True)
    answered: Mapped[int] = mapped_column(Integer)
