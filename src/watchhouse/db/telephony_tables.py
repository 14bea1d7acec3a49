"""The telephony platform's call events and the call state recomputed from them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
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
