"""Demand and resourcing in the store: contact counts per interval (no personal data), handling
facts, and the forecast runs and staffing plans made from them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, func, select
from sqlalchemy.orm import Session

from watchhouse.db import bulk
from watchhouse.db.tables import (
    ContactRow,
    ForecastIntervalRow,
    ForecastRunRow,
    RosterShiftRow,
    StaffingIntervalRow,
    StaffingPlanRow,
)


@dataclass(frozen=True)
class HandlingFacts:
    """Totals over a channel's recent contacts, enough to estimate handling time and patience."""

    answered: int
    handling_seconds: float  # sum over answered contacts with an end time
    handled: int  # answered contacts with an end time
    answered_wait_seconds: float
    answered_waited: int  # answered contacts that waited at all
    abandoned: int
    abandoned_with_end: int
    abandoned_wait_seconds: float  # over abandoned contacts with an end time


@dataclass(frozen=True)
class ForecastRunRecord:
    """A stored forecast run."""

    id: int
    created_at: datetime
    interval_minutes: int
    history_from: datetime
    history_to: datetime
    first_interval: datetime
    last_interval: datetime
    demand_factors: dict[str, float]
    events: list[dict[str, object]]
    summary: dict[str, object]
    seconds: float


@dataclass(frozen=True)
class PlanRecord:
    """A stored staffing plan."""

    id: int
    forecast_run_id: int
    created_at: datetime
    label: str
    targets: dict[str, object]
    summary: dict[str, object]
    seconds: float


@dataclass(frozen=True)
class TourRecord:
    """A stored weekly tour of a plan's roster."""

    channel: str
    week_start: date
    shift: str
    start_minute: int
    first_day: int
    days: int
    people: int


def _epoch(session: Session, column: Any) -> ColumnElement[int]:
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%s", column), BigInteger)
    return cast(func.floor(func.extract("epoch", column)), BigInteger)


def contact_counts(
    *,
    session: Session,
    channels: Sequence[str],
    start: datetime,
    end: datetime,
    interval_minutes: int,
) -> list[tuple[str, int, int]]:
    """(channel, interval start in epoch seconds, contacts) for every busy interval in range."""
    step = interval_minutes * 60
    bucket = (_epoch(session, ContactRow.presented_at) // step) * step
    query = (
        select(ContactRow.channel, bucket.label("bucket"), func.count())
        .where(
            ContactRow.channel.in_(list(channels)),
            ContactRow.presented_at >= start,
            ContactRow.presented_at < end,
        )
        .group_by(ContactRow.channel, "bucket")
    )
    return [(str(c), int(b), int(n)) for c, b, n in session.execute(query)]


def contact_span(*, session: Session, channels: Sequence[str]) -> tuple[datetime, datetime] | None:
    """The first and last moment a contact on these channels was presented, if any."""
    first, last = session.execute(
        select(func.min(ContactRow.presented_at), func.max(ContactRow.presented_at)).where(
            ContactRow.channel.in_(list(channels))
        )
    ).one()
    if first is None or last is None:
        return None
    return first, last


def handling_facts(
    *, session: Session, channel: str, start: datetime, end: datetime
) -> HandlingFacts:
    """Handling and waiting totals for one channel's contacts presented in [start, end)."""
    presented = _epoch(session, ContactRow.presented_at)
    answered = _epoch(session, ContactRow.answered_at)
    ended = _epoch(session, ContactRow.ended_at)
    is_answered = ContactRow.answered_at.is_not(None)
    handled = and_(is_answered, ContactRow.ended_at.is_not(None))
    gone = and_(ContactRow.abandoned.is_(True), ContactRow.ended_at.is_not(None))
    row = session.execute(
        select(
            func.count().filter(is_answered),
            func.coalesce(func.sum(case((handled, ended - answered), else_=0)), 0),
            func.count().filter(handled),
            func.coalesce(func.sum(case((is_answered, answered - presented), else_=0)), 0),
            func.count().filter(
                and_(is_answered, ContactRow.answered_at > ContactRow.presented_at)
            ),
            func.count().filter(ContactRow.abandoned.is_(True)),
            func.count().filter(gone),
            func.coalesce(func.sum(case((gone, ended - presented), else_=0)), 0),
        ).where(
            ContactRow.channel == channel,
            ContactRow.presented_at >= start,
            ContactRow.presented_at < end,
        )
    ).one()
    return HandlingFacts(
        answered=int(row[0]),
        handling_seconds=float(row[1]),
        handled=int(row[2]),
        answered_wait_seconds=float(row[3]),
        answered_waited=int(row[4]),
        abandoned=int(row[5]),
        abandoned_with_end=int(row[6]),
        abandoned_wait_seconds=float(row[7]),
    )


def _utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def add_forecast_run(
    *,
    session: Session,
    created_at: datetime,
    created_by: int | None,
    interval_minutes: int,
    history: tuple[datetime, datetime],
    demand_factors: dict[str, float],
    events: list[dict[str, object]],
    summary: dict[str, object],
    seconds: float,
    intervals: Sequence[
        tuple[str, Sequence[int], Sequence[float], Sequence[float], Sequence[float]]
    ],
) -> int:
    """Store a forecast run and its interval rows (channel, starts, expected, lower, upper)."""
    starts = [s for _, channel_starts, *_ in intervals for s in channel_starts]
    run = ForecastRunRow(
        created_at=created_at,
        created_by=created_by,
        interval_minutes=interval_minutes,
        history_from=history[0],
        history_to=history[1],
        first_interval=_utc(min(starts)),
        last_interval=_utc(max(starts)),
        demand_factors=demand_factors,
        events=events,
        summary=summary,
        seconds=seconds,
    )
    session.add(run)
    session.flush()
    rows = (
        (run.id, channel, _utc(s), float(e), float(lo), float(hi))
        for channel, ss, es, los, his in intervals
        for s, e, lo, hi in zip(ss, es, los, his, strict=True)
    )
    bulk.insert_rows(
        session=session,
        table_name="forecast_intervals",
        columns=("run_id", "channel", "starts_at", "expected", "lower", "upper"),
        rows=rows,
    )
    return run.id


def _run_record(row: ForecastRunRow) -> ForecastRunRecord:
    return ForecastRunRecord(
        id=row.id,
        created_at=row.created_at,
        interval_minutes=row.interval_minutes,
        history_from=row.history_from,
        history_to=row.history_to,
        first_interval=row.first_interval,
        last_interval=row.last_interval,
        demand_factors=dict(row.demand_factors),
        events=list(row.events),
        summary=dict(row.summary),
        seconds=row.seconds,
    )


def forecast_run(*, session: Session, run_id: int | None) -> ForecastRunRecord | None:
    """A stored forecast run by id, or the latest one when run_id is None."""
    query = select(ForecastRunRow)
    query = (
        query.where(ForecastRunRow.id == run_id)
        if run_id is not None
        else query.order_by(ForecastRunRow.id.desc()).limit(1)
    )
    row = session.scalars(query).first()
    return None if row is None else _run_record(row)


def recent_forecast_runs(*, session: Session, limit: int = 20) -> list[ForecastRunRecord]:
    """The latest forecast runs, newest first."""
    rows = session.scalars(select(ForecastRunRow).order_by(ForecastRunRow.id.desc()).limit(limit))
    return [_run_record(r) for r in rows]


def forecast_intervals(
    *, session: Session, run_id: int, channels: Sequence[str] | None = None
) -> dict[str, tuple[list[datetime], list[float], list[float], list[float]]]:
    """A run's intervals per channel (every channel, or only those given), in time order:
    starts, expected, lower, upper."""
    out: dict[str, tuple[list[datetime], list[float], list[float], list[float]]] = {}
    query = (
        select(
            ForecastIntervalRow.channel,
            ForecastIntervalRow.starts_at,
            ForecastIntervalRow.expected,
            ForecastIntervalRow.lower,
            ForecastIntervalRow.upper,
        )
        .where(ForecastIntervalRow.run_id == run_id)
        .order_by(ForecastIntervalRow.channel, ForecastIntervalRow.starts_at)
    )
    if channels is not None:
        query = query.where(ForecastIntervalRow.channel.in_(list(channels)))
    for channel, start, expected, lower, upper in session.execute(query):
        series = out.setdefault(channel, ([], [], [], []))
        series[0].append(start)
        series[1].append(expected)
        series[2].append(lower)
        series[3].append(upper)
    return out


def add_plan(
    *,
    session: Session,
    forecast_run_id: int,
    created_at: datetime,
    created_by: int | None,
    label: str,
    targets: dict[str, object],
    summary: dict[str, object],
    seconds: float,
    intervals: Sequence[tuple[object, ...]],
    tours: Sequence[TourRecord],
) -> int:
    """Store a staffing plan: rows (channel, starts epoch, handlers, staff, rostered, service
    level, abandonment, simulated service level) and the roster's tours."""
    plan = StaffingPlanRow(
        forecast_run_id=forecast_run_id,
        created_at=created_at,
        created_by=created_by,
        label=label,
        targets=targets,
        summary=summary,
        seconds=seconds,
    )
    session.add(plan)
    session.flush()
    bulk.insert_rows(
        session=session,
        table_name="staffing_intervals",
        columns=(
            "plan_id",
            "channel",
            "starts_at",
            "handlers",
            "staff",
            "rostered",
            "service_level",
            "abandonment",
            "simulated_service_level",
        ),
        rows=((plan.id, r[0], _utc(int(r[1])), *r[2:]) for r in intervals),  # type: ignore[call-overload]
    )
    bulk.insert_rows(
        session=session,
        table_name="roster_shifts",
        columns=(
            "plan_id",
            "channel",
            "week_start",
            "shift",
            "start_minute",
            "first_day",
            "days",
            "people",
        ),
        rows=(
            (
                plan.id,
                t.channel,
                t.week_start,
                t.shift,
                t.start_minute,
                t.first_day,
                t.days,
                t.people,
            )
            for t in tours
        ),
    )
    return plan.id


def _plan_record(row: StaffingPlanRow) -> PlanRecord:
    return PlanRecord(
        id=row.id,
        forecast_run_id=row.forecast_run_id,
        created_at=row.created_at,
        label=row.label,
        targets=dict(row.targets),
        summary=dict(row.summary),
        seconds=row.seconds,
    )


def plan(*, session: Session, plan_id: int | None) -> PlanRecord | None:
    """A stored plan by id, or the latest when plan_id is None."""
    query = select(StaffingPlanRow)
    query = (
        query.where(StaffingPlanRow.id == plan_id)
        if plan_id is not None
        else query.order_by(StaffingPlanRow.id.desc()).limit(1)
    )
    row = session.scalars(query).first()
    return None if row is None else _plan_record(row)


def latest_plan_of_run(*, session: Session, forecast_run_id: int) -> PlanRecord | None:
    """The latest stored plan made from a forecast run, or None when it has none."""
    row = session.scalars(
        select(StaffingPlanRow)
        .where(StaffingPlanRow.forecast_run_id == forecast_run_id)
        .order_by(StaffingPlanRow.id.desc())
        .limit(1)
    ).first()
    return None if row is None else _plan_record(row)


def recent_plans(*, session: Session, limit: int = 20) -> list[PlanRecord]:
    """The latest staffing plans, newest first."""
    rows = session.scalars(select(StaffingPlanRow).order_by(StaffingPlanRow.id.desc()).limit(limit))
    return [_plan_record(r) for r in rows]


def plan_intervals(
    *, session: Session, plan_id: int
) -> dict[
    str, list[tuple[datetime, int, float, int | None, float | None, float | None, float | None]]
]:
    """A plan's rows per channel in time order: start, handlers, staff, rostered, service level,
    abandonment, simulated service level."""
    out: dict[
        str, list[tuple[datetime, int, float, int | None, float | None, float | None, float | None]]
    ] = {}
    query = (
        select(
            StaffingIntervalRow.channel,
            StaffingIntervalRow.starts_at,
            StaffingIntervalRow.handlers,
            StaffingIntervalRow.staff,
            StaffingIntervalRow.rostered,
            StaffingIntervalRow.service_level,
            StaffingIntervalRow.abandonment,
            StaffingIntervalRow.simulated_service_level,
        )
        .where(StaffingIntervalRow.plan_id == plan_id)
        .order_by(StaffingIntervalRow.channel, StaffingIntervalRow.starts_at)
    )
    for channel, *rest in session.execute(query):
        out.setdefault(channel, []).append(tuple(rest))  # type: ignore[arg-type]
    return out


def plan_tours(*, session: Session, plan_id: int) -> list[TourRecord]:
    """A plan's roster tours, by channel, week and start time."""
    rows = session.scalars(
        select(RosterShiftRow)
        .where(RosterShiftRow.plan_id == plan_id)
        .order_by(
            RosterShiftRow.channel,
            RosterShiftRow.week_start,
            RosterShiftRow.first_day,
            RosterShiftRow.start_minute,
        )
    )
    return [
        TourRecord(r.channel, r.week_start, r.shift, r.start_minute, r.first_day, r.days, r.people)
        for r in rows
    ]


def answered_counts(
    *,
    session: Session,
    channel: str,
    start: datetime,
    end: datetime,
    interval_minutes: int,
    target_seconds: float,
) -> list[tuple[int, int, int]]:
    """(interval start in epoch seconds, contacts, answered within the target) for one channel's
    busy intervals in [start, end)."""
    step = interval_minutes * 60
    presented = _epoch(session, ContactRow.presented_at)
    bucket = (presented // step) * step
    in_time = case(
        (
            (ContactRow.answered_at.is_not(None))
            & (_epoch(session, ContactRow.answered_at) - presented <= target_seconds),
            1,
        ),
        else_=0,
    )
    query = (
        select(bucket.label("bucket"), func.count(), func.sum(in_time))
        .where(
            ContactRow.channel == channel,
            ContactRow.presented_at >= start,
            ContactRow.presented_at < end,
        )
        .group_by("bucket")
    )
    return [(int(b), int(n), int(k or 0)) for b, n, k in session.execute(query)]
