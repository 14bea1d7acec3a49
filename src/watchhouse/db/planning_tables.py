"""Demand forecasts and staffing plans: counts per interval, no personal data."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from watchhouse.db.tables import Base
from watchhouse.db.types import UTCDateTime


class ForecastRunRow(Base):
    """One demand forecast: when it was made, from which history, and how the models scored."""

    __tablename__ = "forecast_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    interval_minutes: Mapped[int] = mapped_column(Integer)
    history_from: Mapped[datetime] = mapped_column(UTCDateTime)
    history_to: Mapped[datetime] = mapped_column(UTCDateTime)
    first_interval: Mapped[datetime] = mapped_column(UTCDateTime)
    last_interval: Mapped[datetime] = mapped_column(UTCDateTime)
    demand_factors: Mapped[dict[str, float]] = mapped_column(JSON)
    events: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    summary: Mapped[dict[str, object]] = mapped_column(JSON)
    seconds: Mapped[float] = mapped_column(Float)


class ForecastIntervalRow(Base):
    """A forecast's expected contacts for one channel in one interval, with its band."""

    __tablename__ = "forecast_intervals"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expected: Mapped[float] = mapped_column(Float)
    lower: Mapped[float] = mapped_column(Float)
    upper: Mapped[float] = mapped_column(Float)
    __table_args__ = (
        UniqueConstraint("run_id", "channel", "starts_at", name="uq_forecast_intervals_slot"),
    )


class StaffingPlanRow(Base):
    """A staffing plan made from a forecast: the targets used and what it costs per channel."""

    __tablename__ = "staffing_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    forecast_run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    label: Mapped[str] = mapped_column(String(200))
    targets: Mapped[dict[str, object]] = mapped_column(JSON)
    summary: Mapped[dict[str, object]] = mapped_column(JSON)
    seconds: Mapped[float] = mapped_column(Float)


class StaffingIntervalRow(Base):
    """A plan's requirement for one channel in one interval, the rostered cover and checks."""

    __tablename__ = "staffing_intervals"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("staffing_plans.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handlers: Mapped[int] = mapped_column(Integer)
    staff: Mapped[float] = mapped_column(Float)
    rostered: Mapped[int | None] = mapped_column(Integer)
    service_level: Mapped[float | None] = mapped_column(Float)
    abandonment: Mapped[float | None] = mapped_column(Float)
    simulated_service_level: Mapped[float | None] = mapped_column(Float)
    __table_args__ = (
        UniqueConstraint("plan_id", "channel", "starts_at", name="uq_staffing_intervals_slot"),
    )


class RosterShiftRow(Base):
    """A group of people working one weekly tour in a plan's roster."""

    __tablename__ = "roster_shifts"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("staffing_plans.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    week_start: Mapped[date] = mapped_column(Date)
    shift: Mapped[str] = mapped_column(String(60))
    start_minute: Mapped[int] = mapped_column(Integer)
    first_day: Mapped[int] = mapped_column(Integer)
    days: Mapped[int] = mapped_column(Integer)
    people: Mapped[int] = mapped_column(Integer)
