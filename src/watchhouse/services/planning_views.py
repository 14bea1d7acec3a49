"""Read-only views of stored forecasts and staffing plans for the planning page."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import cast
from zoneinfo import ZoneInfo

from watchhouse.db.repositories import planning as repo
from watchhouse.domain.errors import NotFound
from watchhouse.domain.values import channel_label
from watchhouse.services.context import AppContext
from watchhouse.services.plan_actuals import ChannelAgainstPlan, plan_against_actual
from watchhouse.services.planning_store import (
    ForecastSeries,
    PlanSeries,
    forecast_series,
    plan_series,
)

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class PlanningView:
    """What the planning page shows: the runs and plans to choose from, the chosen ones, and
    the chart series (JSON-ready)."""

    runs: list[repo.ForecastRunRecord]
    plans: list[repo.PlanRecord]
    run: repo.ForecastRunRecord | None
    plan: repo.PlanRecord | None
    tours: list[dict[str, object]]
    charts: dict[str, dict[str, list[object]]]
    baseline: repo.PlanRecord | None = None
    comparison: list[dict[str, object]] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)  # the policy's planned channels
    against_actual: list[ChannelAgainstPlan] = field(default_factory=list)
    what_if_fields: dict[str, str] = field(default_factory=dict)  # the plan's what-if, asked
    cover_notes: dict[str, str] = field(default_factory=dict)  # why rostered exceeds needed


def _time(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def floor_note(*, minimum: int, floor_share: float, staff_hours_change: float) -> str:
    """Say when minimum staffing, not demand, decides the answer: a what-if that changes
    nothing there would otherwise read as a mistake (+0.0 FTE for 8% more calls)."""
    if floor_share <= 0:
        return ""
    decided = (
        f"the minimum staffing of {minimum} on duty decides {floor_share:.0%} of the hours"
        if minimum >= 1
        else f"one handler, the fewest who can answer at all, covers {floor_share:.0%} of the hours"
    )
    if abs(staff_hours_change) < 0.5:
        if floor_share >= 0.995:  # demand decides nowhere: say nothing of where it decides
            return (
                f"This what-if changes no staff requirement: {decided}, where demand needs fewer."
            )
        return (
            f"This what-if changes no staff requirement: {decided} (there demand needs fewer), "
            "and where demand decides, the change is too small to need another handler."
        )
    return (
        f"In {floor_share:.0%} of the hours the what-if changes nothing: {decided} "
        "(there demand needs fewer)."
    )


def cover_note(
    *,
    label: str,
    staff: list[float],
    rostered: list[int],
    interval_minutes: int,
    minimum: int,
    floor_share: float,
    shrinkage: float | None,
    shifts: list[str],
) -> str:
    """Say in plain words why the roster puts more people on than the staff needed: whole
    people, whole shifts at fixed starts, breaks not counted as cover (and, where it decides,
    the minimum staffing grossed up for shrinkage)."""
    if not staff or not rostered:
        return ""
    low, high = min(staff), max(staff)
    needed = (
        f"{high:.2f} staff are needed at every moment"
        if high - low < 0.005
        else f"{low:.2f} to {high:.2f} staff are needed at a time"
    )
    parts = [f"{label}: {needed}, and the roster has {min(rostered)} to {max(rostered)} on."]
    if floor_share > 0 and shrinkage is not None:
        floor = max(minimum, 1)
        who = (
            f"the policy's minimum of {floor} on the phones"
            if minimum >= 1
            else "one handler, the fewest who can answer at all"
        )
        when = "At every hour" if floor_share >= 0.995 else f"In {floor_share:.0%} of the hours"
        parts.append(
            f"{when} demand is so low that {who} decides: "
            f"{floor} handler{'s' if floor != 1 else ''} on the phones is "
            f"{floor / (1 - shrinkage):.2f} staff once {shrinkage:.0%} of paid time off the "
            "phones (leave, training, absence) is allowed for."
        )
    if any(abs(s - round(s)) > 0.005 for s in staff):
        parts.append(f"People come whole, so {high:.2f} needed means {math.ceil(high - 1e-9)} on.")
    parts.append(
        f"Each person works a whole shift ({', '.join(shifts)}) that starts at the same time on "
        "consecutive days and is not counted as cover during its unpaid break, so shifts "
        "overlap where one person's break or shift ends and another's begins: there more are "
        "on than needed."
    )
    need_hours = sum(staff) * interval_minutes / 60
    on_hours = sum(rostered) * interval_minutes / 60
    if need_hours > 0:
        parts.append(
            f"Over the plan, {need_hours:,.0f} staff hours are needed and {on_hours:,.0f} "
            f"rostered ({(on_hours - need_hours) / need_hours:+.0%})."
        )
    return " ".join(parts)


def _cover_notes(
    ctx: AppContext, plan: repo.PlanRecord, staffed: PlanSeries, interval_minutes: int
) -> dict[str, str]:
    """Per rostered channel of a plan, why it puts more people on than needed (made once per
    process: a stored plan never changes)."""
    key = ("cover notes", plan.id, interval_minutes)
    found = ctx.stored.get(key)
    if found is None:
        shifts = [s.name for s in ctx.policy.planning.shifts]
        notes: dict[str, str] = {}
        for channel, rows in staffed.items():
            on = [int(r[3]) for r in rows if r[3] is not None]
            summary = plan.summary.get(channel)
            targets = plan.targets.get(channel)
            if len(on) != len(rows) or not isinstance(summary, dict):
                continue
            shrinkage = targets.get("shrinkage") if isinstance(targets, dict) else None
            notes[channel] = cover_note(
                label=channel_label(channel),
                staff=[float(r[2]) for r in rows],
                rostered=on,
                interval_minutes=interval_minutes,
                minimum=int(summary.get("minimum_handlers", 0)),
                floor_share=float(summary.get("floor_share", 0.0)),
                shrinkage=None if shrinkage is None else float(shrinkage),
                shifts=shifts,
            )
        found = notes
        ctx.stored.put(key, found)
    return cast(dict[str, str], found)


def _staff_hours(rows: list[tuple[object, ...]], interval_minutes: int) -> float:
    """Staff required (with shrinkage) over a plan's intervals, in hours."""
    return sum(float(cast(float, r[2])) for r in rows) * interval_minutes / 60


def _compare(
    plan: repo.PlanRecord,
    baseline: repo.PlanRecord,
    staffed: PlanSeries,
    before_staffed: PlanSeries,
    interval_minutes: int,
) -> list[dict[str, object]]:
    """Per channel in both plans: staff hours required, full-time staff and cost before and
    after, the change, how the rosters were found, and when minimum staffing decides."""
    rows: list[dict[str, object]] = []
    for channel, after in plan.summary.items():
        before = baseline.summary.get(channel)
        if not isinstance(before, dict) or not isinstance(after, dict):
            continue
        hours_before = _staff_hours(before_staffed.get(channel, []), interval_minutes)  # type: ignore[arg-type]
        hours_after = _staff_hours(staffed.get(channel, []), interval_minutes)  # type: ignore[arg-type]
        fte_before = float(before.get("full_time_equivalent", 0.0))
        fte_after = float(after.get("full_time_equivalent", 0.0))
        cost_before = float(before.get("cost", 0.0))
        cost_after = float(after.get("cost", 0.0))
        rows.append(
            {
                "channel": channel,
                "label": channel_label(channel),
                "staff_hours_before": round(hours_before),
                "staff_hours_after": round(hours_after),
                "staff_hours_change": round(hours_after - hours_before),
                "roster_basis": after.get("roster_basis", "rostered"),
                "floor_note": floor_note(
                    minimum=int(after.get("minimum_handlers", 0)),
                    floor_share=float(after.get("floor_share", 0.0)),
                    staff_hours_change=hours_after - hours_before,
                ),
                "target_before": before.get("target", ""),
                "target_after": after.get("target", ""),
                "fte_before": round(fte_before, 1),
                "fte_after": round(fte_after, 1),
                "fte_change": round(fte_after - fte_before, 1),
                "cost_before": round(cost_before),
                "cost_after": round(cost_after),
                "cost_change": round(cost_after - cost_before),
                "cost_change_share": None
                if cost_before <= 0
                else round((cost_after - cost_before) / cost_before, 4),
            }
        )
    return rows


def _forecast_chart(
    ctx: AppContext, run_id: int, channel: str, series: ForecastSeries, zone: ZoneInfo
) -> dict[str, list[object]]:
    """A stored run's forecast series for one channel as the charts take them (made once per
    process: a stored run never changes)."""
    key = ("forecast chart", run_id, channel, str(zone))
    found = ctx.stored.get(key)
    if found is None:
        starts, expected, lower, upper = series[channel]
        found = {
            "time": [s.astimezone(zone).strftime("%Y-%m-%d %H:%M") for s in starts],
            "expected": [round(v, 2) for v in expected],
            "lower": [round(v, 2) for v in lower],
            "upper": [round(v, 2) for v in upper],
        }
        ctx.stored.put(key, found)
    return cast(dict[str, list[object]], found)


def _plan_chart(
    ctx: AppContext, plan_id: int, channel: str, series: PlanSeries
) -> dict[str, list[object]]:
    """A stored plan's series for one channel as the charts take them (made once per process:
    a stored plan never changes)."""
    key = ("plan chart", plan_id, channel)
    found = ctx.stored.get(key)
    if found is None:
        rows = series[channel]
        found = {
            "handlers": [r[1] for r in rows],
            "staff": [round(r[2], 2) for r in rows],
            "rostered": [r[3] for r in rows],
        }
        ctx.stored.put(key, found)
    return cast(dict[str, list[object]], found)


def planning_view(
    ctx: AppContext,
    *,
    forecast_run_id: int | None,
    plan_id: int | None,
    baseline_id: int | None = None,
) -> PlanningView:
    """The chosen (or latest) forecast run and staffing plan, with their series per channel;
    with a baseline plan of the same forecast, the two compared (before and after)."""
    zone = ZoneInfo(ctx.policy.force.timezone)
    with ctx.db.transaction() as session:
        plan = repo.plan(session=session, plan_id=plan_id)
        if plan_id is not None and plan is None:
            raise NotFound("staffing plan", plan_id)
        if forecast_run_id is None and plan is not None:
            forecast_run_id = plan.forecast_run_id
        run = repo.forecast_run(session=session, run_id=forecast_run_id)
        if forecast_run_id is not None and run is None:
            raise NotFound("forecast run", forecast_run_id)
        if plan is not None and run is not None and plan.forecast_run_id != run.id:
            plan = None  # a plan is shown only with the forecast it was made from
        tours = [] if plan is None else repo.plan_tours(session=session, plan_id=plan.id)
        runs = repo.recent_forecast_runs(session=session)
        plans = repo.recent_plans(session=session)
        baseline = None
        if baseline_id is not None:
            baseline = repo.plan(session=session, plan_id=baseline_id)
            if baseline is None:
                raise NotFound("staffing plan", baseline_id)
            if plan is None or baseline.forecast_run_id != plan.forecast_run_id:
                baseline = None  # compared only with a plan from the same forecast
    series = {} if run is None else forecast_series(ctx, run_id=run.id)
    staffed = {} if plan is None else plan_series(ctx, plan_id=plan.id)
    before = {} if baseline is None else plan_series(ctx, plan_id=baseline.id)
    charts: dict[str, dict[str, list[object]]] = {}
    for channel in series:
        assert run is not None
        chart = dict(_forecast_chart(ctx, run.id, channel, series, zone))
        if plan is not None and staffed.get(channel):
            chart.update(_plan_chart(ctx, plan.id, channel, staffed))
        if baseline is not None and channel in staffed and before.get(channel):
            earlier = _plan_chart(ctx, baseline.id, channel, before)
            chart["staff_before"] = earlier["staff"]
            chart["rostered_before"] = earlier["rostered"]
        charts[channel] = chart
    against = (
        []
        if run is None
        else [
            c for c in plan_against_actual(ctx, run=run, series=series, staffed=staffed) if c.days
        ]
    )
    for c in against:
        charts[c.channel]["daily"] = {  # type: ignore[assignment]
            "day": [d.day.isoformat() for d in c.days],
            "forecast": [d.forecast for d in c.days],
            "actual": [d.actual for d in c.days],
        }
    first_weeks = {t.week_start for t in tours}
    shown = min(first_weeks) if first_weeks else None
    return PlanningView(
        runs=runs,
        plans=[p for p in plans if run is None or p.forecast_run_id == run.id],
        run=run,
        plan=plan,
        tours=[
            {
                "channel": t.channel,
                "shift": t.shift,
                "start": _time(t.start_minute),
                "days": ", ".join(_DAYS[(t.first_day + d) % 7] for d in range(t.days)),
                "people": t.people,
            }
            for t in tours
            if t.week_start == shown
        ],
        charts=charts,
        baseline=baseline,
        comparison=[]
        if plan is None or baseline is None or run is None
        else _compare(plan, baseline, staffed, before, run.interval_minutes),
        channels=[c.value for c in ctx.policy.planning.channels],
        against_actual=against,
        what_if_fields={}
        if plan is None or not isinstance(plan.targets.get("what_if"), dict)
        else {str(k): str(v) for k, v in plan.targets["what_if"].items()},  # type: ignore[attr-defined]
        cover_notes={}
        if plan is None or run is None
        else _cover_notes(ctx, plan, staffed, run.interval_minutes),
    )
