"""The stored plan against what happened: forecast and actual contacts by local day, their mean
absolute percentage error, and the planned and actual share answered within the target.

Counts only: no personal data is read, so nothing here goes to the access log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from watchhouse.db.repositories import planning as repo
from watchhouse.domain.values import Channel
from watchhouse.services.context import AppContext
from watchhouse.services.planning_store import forecast_series, plan_series


@dataclass(frozen=True)
class DayAgainstPlan:
    """One whole local day of a channel: forecast and actual contacts, service levels."""

    day: date
    forecast: float
    actual: int
    planned_service_level: float | None  # expected by the plan, weighted by forecast contacts
    actual_service_level: float | None  # answered within the target over contacts


@dataclass(frozen=True)
class ChannelAgainstPlan:
    """A channel's days so far in the forecast window, and the error over them."""

    channel: str
    target_seconds: float | None
    days: list[DayAgainstPlan]

    @property
    def mape(self) -> float | None:
        """Mean absolute percentage error of the daily forecast (days with contacts)."""
        errors = [abs(d.forecast - d.actual) / d.actual for d in self.days if d.actual > 0]
        return sum(errors) / len(errors) if errors else None

    @property
    def forecast_total(self) -> float:
        """Forecast contacts over the days compared."""
        return sum(d.forecast for d in self.days)

    @property
    def actual_total(self) -> int:
        """Actual contacts over the days compared."""
        return sum(d.actual for d in self.days)

    @property
    def planned_service_level(self) -> float | None:
        """The plan's expected share answered in time over the days, weighted by forecast."""
        planned = [(d.planned_service_level, d.forecast) for d in self.days]
        weight = sum(f for level, f in planned if level is not None)
        if weight <= 0:
            return None
        return sum(level * f for level, f in planned if level is not None) / weight

    @property
    def actual_service_level(self) -> float | None:
        """The share of the days' contacts answered within the target."""
        measured = [(d.actual_service_level, d.actual) for d in self.days]
        contacts = sum(n for level, n in measured if level is not None)
        if contacts <= 0:
            return None
        return sum(level * n for level, n in measured if level is not None) / contacts


def answer_target_seconds(ctx: AppContext, channel: str) -> float | None:
    """The channel's answer target from policy (999 and 101 from the answer standards)."""
    rule = next((r for c, r in ctx.policy.planning.channels.items() if c.value == channel), None)
    if rule is not None and rule.target_seconds is not None:
        return rule.target_seconds
    if channel == Channel.EMERGENCY_999.value:
        return float(ctx.policy.emergency_answer.standard_seconds)
    if channel == Channel.NON_EMERGENCY_101.value:
        return float(ctx.policy.non_emergency_answer.answer_target_seconds)
    return None


def plan_against_actual(
    ctx: AppContext,
    *,
    run: repo.ForecastRunRecord,
    series: dict[str, tuple[list[datetime], list[float], list[float], list[float]]],
    staffed: dict[
        str, list[tuple[datetime, int, float, int | None, float | None, float | None, float | None]]
    ],
) -> list[ChannelAgainstPlan]:
    """Each channel's whole local days of the forecast that have passed, against the actuals."""
    zone = ZoneInfo(ctx.policy.force.timezone)
    now = ctx.now()
    out = []
    for channel, (starts, expected, _, _) in sorted(series.items()):
        if not starts:
            continue
        step = timedelta(minutes=run.interval_minutes)
        # only intervals that are over can belong to a whole day that is over: the rest of a
        # long forecast is skipped (it was most of the board's and planning page's CPU)
        over = [(s, mean) for s, mean in zip(starts, expected, strict=True) if s + step <= now]
        passed = [s for s, _ in over]
        if not passed:
            out.append(ChannelAgainstPlan(channel, None, []))
            continue
        target = answer_target_seconds(ctx, channel)
        with ctx.db.transaction() as session:
            rows = repo.answered_counts(
                session=session,
                channel=channel,
                start=starts[0],
                end=passed[-1] + step,
                interval_minutes=run.interval_minutes,
                target_seconds=target if target is not None else 0.0,
            )
        actual = {b: (n, k) for b, n, k in rows}
        levels = {r[0]: r[4] for r in staffed.get(channel, [])}
        days: dict[date, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0, 0.0])
        for start, mean in over:
            day = start.astimezone(zone).date()
            bucket = days[day]
            contacts, in_time = actual.get(int(start.timestamp()), (0, 0))
            bucket[0] += mean
            bucket[1] += contacts
            bucket[2] += in_time
            level = levels.get(start)
            if level is not None:
                bucket[3] += level * mean
                bucket[4] += mean
        whole = []
        for day, (fc, n, k, weighted, weight) in sorted(days.items()):
            if datetime.combine(day + timedelta(days=1), datetime.min.time(), zone) > now:
                continue  # only whole local days that are over
            whole.append(
                DayAgainstPlan(
                    day=day,
                    forecast=round(fc, 1),
                    actual=int(n),
                    planned_service_level=None
                    if weight <= 0 or target is None
                    else weighted / weight,
                    actual_service_level=None if n == 0 or target is None else k / n,
                )
            )
        out.append(ChannelAgainstPlan(channel, target, whole))
    return out


@dataclass(frozen=True)
class LatestAgainstPlan:
    """The latest stored forecast (and its latest plan) against what happened, per channel
    with at least one whole day over; `notice` says plainly why there is nothing to show."""

    run: repo.ForecastRunRecord | None
    plan: repo.PlanRecord | None
    channels: list[ChannelAgainstPlan]

    @property
    def notice(self) -> str | None:
        """Why no channel is compared, or None when some are."""
        if self.run is None:
            return "No stored forecast yet."
        if not self.channels:
            return "The stored forecast's first day is not over yet."
        return None


def latest_against_actual(ctx: AppContext) -> LatestAgainstPlan:
    """The latest stored forecast and the latest plan made from it, against the actuals."""
    with ctx.db.transaction() as session:
        run = repo.forecast_run(session=session, run_id=None)
        if run is None:
            return LatestAgainstPlan(run=None, plan=None, channels=[])
        plan = repo.latest_plan_of_run(session=session, forecast_run_id=run.id)
    series = forecast_series(ctx, run_id=run.id)  # kept per store: a stored run never changes
    staffed = {} if plan is None else plan_series(ctx, plan_id=plan.id)
    compared = plan_against_actual(ctx, run=run, series=series, staffed=staffed)
    return LatestAgainstPlan(run=run, plan=plan, channels=[c for c in compared if c.days])
