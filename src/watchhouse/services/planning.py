"""Demand forecasts and staffing plans: read the history, forecast, staff, check by simulation,
roster, and store the results so the board can compare plan and actual.

The history read is counts per interval and totals of handling and waiting times: no personal
data is read or written, so nothing here goes to the access log.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from watchhouse.db.repositories import planning as repo
from watchhouse.domain.errors import FieldProblem, NotFound, ValidationFailed
from watchhouse.domain.roles import Actor
from watchhouse.domain.values import Channel
from watchhouse.forecasting.demand import (
    ChannelForecast,
    ChannelHistory,
    ForecastInputError,
    ForecastOptions,
    PlannedEvent,
    forecast_demand,
)
from watchhouse.forecasting.staffing import StaffingTarget, handling_estimates
from watchhouse.policy.model import PlanningChannelPolicy, Policy
from watchhouse.services.context import AppContext

Progress = Callable[[str, int, int], None]  # stage, done, total


def no_progress(stage: str, done: int, total: int) -> None:
    """A progress report nobody listens to."""


@dataclass(frozen=True)
class ForecastReport:
    """What a forecast run found, per channel: the model chosen and how the candidates scored."""

    run_id: int
    first_interval: datetime
    last_interval: datetime
    history_from: datetime
    history_to: datetime
    channels: dict[str, dict[str, object]]
    seconds: float


@dataclass(frozen=True)
class TargetChange:
    """A what-if change to one channel's target (None: keep the policy's)."""

    target_seconds: float | None = None
    service_level: float | None = None
    max_abandonment: float | None = None
    shrinkage: float | None = None


@dataclass(frozen=True)
class PlanRequest:
    """A staffing plan to make: from which forecast, with which what-if changes."""

    forecast_run_id: int | None = None
    label: str = "policy"
    demand_factors: Mapping[str, float] = field(default_factory=dict)
    changes: Mapping[str, TargetChange] = field(default_factory=dict)
    simulate: bool = True
    roster: bool = True
    channels: Sequence[str] | None = None  # None: every channel in the forecast
    asked: Mapping[str, str] = field(default_factory=dict)  # a what-if's form fields, kept


def planning_channels(policy: Policy) -> list[str]:
    """The channels the policy plans for, as stored in contacts.channel."""
    return [c.value for c in policy.planning.channels]


def _history_window(last: datetime, days: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of whole local days ending with the last (nearly) complete day."""
    local = last.astimezone(zone)
    day_end = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), zone)
    end_day = (
        local.date() + timedelta(days=1) if day_end - local <= timedelta(hours=1) else local.date()
    )
    end = datetime.combine(end_day, datetime.min.time(), zone)
    start = datetime.combine(end_day - timedelta(days=days), datetime.min.time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _histories(
    rows: list[tuple[str, int, int]],
    channels: Sequence[str],
    start: datetime,
    end: datetime,
    step: int,
) -> list[ChannelHistory]:
    first = int(start.timestamp()) // step * step
    starts = np.arange(first, int(end.timestamp()), step, dtype=np.int64)
    counts = {c: np.zeros(starts.size) for c in channels}
    for channel, bucket, n in rows:
        index = (bucket - first) // step
        if 0 <= index < starts.size:
            counts[channel][index] += n
    return [ChannelHistory(c, starts, counts[c]) for c in channels]


def holiday_region(policy: Policy) -> str:
    """The forecasts' holiday region: planning.holiday_region, else the Victims' Code one."""
    return policy.planning.holiday_region or policy.victims_code.bank_holiday_region


def band_summary(forecast: ChannelForecast) -> dict[str, object]:
    """The band's held-out coverage of open intervals, each tail, and holidays' own factors."""

    def rounded(value: float) -> float | None:
        return None if np.isnan(value) else round(value, 4)

    return {
        "coverage_below": rounded(forecast.coverage_below),
        "coverage_above": rounded(forecast.coverage_above),
        "open_intervals": forecast.open_intervals,
        "holiday_factors": {k: round(v, 4) for k, v in forecast.holiday_factors.items()},
    }


def make_forecast(
    ctx: AppContext,
    *,
    actor: Actor | None,
    horizon_weeks: int | None = None,
    events: Sequence[PlannedEvent] = (),
    progress: Progress = no_progress,
) -> ForecastReport:
    """Forecast every planned channel from the stored history and store the run."""
    began = time.perf_counter()
    planning = ctx.policy.planning
    weeks = horizon_weeks or planning.horizon_weeks
    if not 1 <= weeks <= 12:
        raise ValidationFailed([FieldProblem("horizon_weeks", "must be 1 to 12 weeks")])
    zone = ZoneInfo(ctx.policy.force.timezone)
    channels = planning_channels(ctx.policy)
    progress("reading the history", 0, 4)
    with ctx.db.transaction() as session:
        span = repo.contact_span(session=session, channels=channels)
        if span is None:
            raise ValidationFailed([FieldProblem("history", "no contacts stored to forecast from")])
        start, end = _history_window(min(span[1], ctx.now()), planning.history_days, zone)
        start = max(start, span[0].replace(minute=0, second=0, microsecond=0))
        rows = repo.contact_counts(
            session=session,
            channels=channels,
            start=start,
            end=end,
            interval_minutes=planning.interval_minutes,
        )
    histories = _histories(rows, channels, start, end, planning.interval_minutes * 60)
    options = ForecastOptions(
        interval_minutes=planning.interval_minutes,
        horizon_days=7 * weeks,
        timezone=ctx.policy.force.timezone,
        level=planning.prediction_level,
        backtest_windows=planning.backtest_windows,
        profile_weeks=planning.profile_weeks,
        holiday_region=holiday_region(ctx.policy),
    )
    stages = {"backtesting": 1, "forecasting": 2}
    try:
        forecasts = forecast_demand(
            histories,
            options=options,
            events=events,
            say=lambda m: progress(m, stages.get(m.split()[0], 1), 4),
        )
    except ForecastInputError as exc:
        raise ValidationFailed([FieldProblem("history", str(exc))]) from exc
    progress("storing the forecast", 3, 4)
    summary: dict[str, object] = {
        f.channel: {
            "model": f.model,
            "bank_holiday_factor": round(f.bank_holiday_factor, 4),
            "scores": [
                {"model": s.model, "mase": round(s.mase, 4), "coverage": round(s.coverage, 4)}
                for s in f.scores
            ],
            "expected_total": round(float(f.mean.sum()), 1),
            "interval_coverage": None
            if np.isnan(f.interval_coverage)
            else round(f.interval_coverage, 4),
            "interval_calibration": round(f.calibration, 4),
            **band_summary(f),
        }
        for f in forecasts
    }
    seconds = time.perf_counter() - began
    with ctx.db.transaction() as session:
        run_id = repo.add_forecast_run(
            session=session,
            created_at=ctx.now(),
            created_by=None if actor is None else actor.user_id,
            interval_minutes=planning.interval_minutes,
            history=(start, end),
            demand_factors={},
            events=[
                {
                    "name": e.name,
                    "first_day": e.first_day.isoformat(),
                    "last_day": e.last_day.isoformat(),
                    "uplift": e.uplift,
                    "channels": None if e.channels is None else sorted(e.channels),
                }
                for e in events
            ],
            summary=summary,
            seconds=seconds,
            intervals=[
                (f.channel, f.starts.tolist(), f.mean.tolist(), f.lower.tolist(), f.upper.tolist())
                for f in forecasts
            ],
        )
        record = repo.forecast_run(session=session, run_id=run_id)
    assert record is not None
    progress("done", 4, 4)
    return ForecastReport(
        run_id=run_id,
        first_interval=record.first_interval,
        last_interval=record.last_interval,
        history_from=start,
        history_to=end,
        channels={k: dict(v) for k, v in summary.items()},  # type: ignore[call-overload]
        seconds=seconds,
    )


def staffing_target(
    ctx: AppContext,
    *,
    channel: str,
    rule: PlanningChannelPolicy,
    change: TargetChange | None,
    history_end: datetime,
) -> StaffingTarget:
    """The channel's target from policy (999 and 101 from the answer standards), the handling
    time and patience from the policy or else the recent history, and any what-if change."""
    planning = ctx.policy.planning
    target_seconds, level, abandonment = (
        rule.target_seconds,
        rule.service_level,
        rule.max_abandonment,
    )
    if channel == Channel.EMERGENCY_999.value:
        target_seconds = target_seconds or ctx.policy.emergency_answer.standard_seconds
        level = level or ctx.policy.emergency_answer.standard_share
    if channel == Channel.NON_EMERGENCY_101.value:
        target_seconds = target_seconds or ctx.policy.non_emergency_answer.answer_target_seconds
        abandonment = abandonment or ctx.policy.non_emergency_answer.max_abandonment_share
    aht, patience = rule.aht_seconds, rule.patience_seconds
    if aht is None or (patience is None and rule.method == "erlang_a"):
        end = history_end
        with ctx.db.transaction() as session:
            facts = repo.handling_facts(
                session=session,
                channel=channel,
                start=end - timedelta(weeks=planning.history_weeks_for_handling),
                end=end,
            )
        estimated_aht, estimated_patience = handling_estimates(
            handling_seconds=facts.handling_seconds,
            handled=facts.handled,
            answered_wait_seconds=facts.answered_wait_seconds,
            answered_waited=facts.answered_waited,
            abandoned=facts.abandoned,
            abandoned_wait_seconds=(
                facts.abandoned_wait_seconds
                if facts.abandoned_with_end == facts.abandoned
                else None
            ),
        )
        aht = aht or estimated_aht
        patience = patience or estimated_patience
    if aht is None:
        raise ValidationFailed(
            [
                FieldProblem(
                    f"planning.channels.{channel}.aht_seconds",
                    "no answered contacts in "
                    "the recent history to estimate handling time from; set it in policy",
                )
            ]
        )
    if rule.method == "erlang_a" and patience is None:
        patience = 1e9  # nobody abandoned recently: treat callers as patient (Erlang C)
    target = StaffingTarget(
        method=rule.method,
        aht_seconds=aht,
        shrinkage=rule.shrinkage,
        target_seconds=target_seconds,
        service_level=level,
        max_abandonment=abandonment,
        patience_seconds=patience,
        max_concurrent_chats=rule.max_concurrent_chats,
        max_occupancy=rule.max_occupancy,
        minimum_handlers=rule.minimum_handlers,
    )
    if change is not None:
        target = replace(
            target,
            target_seconds=change.target_seconds or target.target_seconds,
            service_level=change.service_level or target.service_level,
            max_abandonment=change.max_abandonment or target.max_abandonment,
            shrinkage=target.shrinkage if change.shrinkage is None else change.shrinkage,
        )
    try:
        target.describe()
    except TypeError as exc:
        raise ValidationFailed(
            [FieldProblem(f"planning.channels.{channel}", "needs target_seconds and service_level")]
        ) from exc
    return target


def forecast_or_fail(ctx: AppContext, *, run_id: int | None) -> repo.ForecastRunRecord:
    """A stored forecast run (the latest when run_id is None), or NotFound."""
    with ctx.db.transaction() as session:
        record = repo.forecast_run(session=session, run_id=run_id)
    if record is None:
        raise NotFound(
            "forecast run",
            "(none stored yet: run `watchhouse forecast`)" if run_id is None else run_id,
        )
    return record
