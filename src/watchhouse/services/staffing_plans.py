"""Staffing plans from a stored forecast: the requirement per interval (Erlang C / A, chat
concurrency, workload), a simulation check of the first days, weekly rosters, and what-ifs."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

import numpy as np

from watchhouse.db.repositories import planning as repo
from watchhouse.domain.errors import FieldProblem, ValidationFailed
from watchhouse.domain.roles import Actor
from watchhouse.domain.values import channel_label
from watchhouse.forecasting.rostering import (
    RestRules,
    Roster,
    RosterInputError,
    ShiftType,
    weekly_roster,
)
from watchhouse.forecasting.simulation import disagreements, simulate_plan
from watchhouse.forecasting.staffing import Requirement, StaffingTarget, requirement
from watchhouse.services.context import AppContext
from watchhouse.services.planning import (
    PlanRequest,
    Progress,
    TargetChange,
    forecast_or_fail,
    no_progress,
    staffing_target,
)
from watchhouse.services.planning_store import (
    PlanSeries,
    forecast_series,
    plan_series,
    remember_plan_series,
)
from watchhouse.services.recent import Recent


@dataclass(frozen=True)
class ChannelPlan:
    """One channel's plan in numbers a planner asks for."""

    channel: str
    target: str
    aht_seconds: float
    patience_seconds: float | None
    mean_handlers: float
    peak_handlers: int
    service_level: float | None  # expected, weighted by contacts (None: no answer target)
    abandonment: float
    full_time_equivalent: float  # mean over the rostered weeks
    peak_week_full_time_equivalent: float
    cost: float
    roster_gap: float  # worst week: share by which the cost may exceed the optimum
    disagreements: list[dict[str, float]]
    minimum_handlers: int = 0  # the policy's minimum staffing for the channel
    floor_share: float = 0.0  # share of intervals where the minimum, not demand, set handlers
    staff_hours: float = 0.0  # staff required (with shrinkage), hours summed over the plan
    # how the rosters were found: "rostered" (solved), "same" (a what-if needing the same staff
    # as the policy plan in every interval: its rosters), "estimated" (the policy plan's scaled
    # by the staff hours required), "none" (not rostered)
    roster_basis: str = "rostered"

    def as_summary(self) -> dict[str, object]:
        """The plan as stored with it (JSON)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class PlanReport:
    """A stored staffing plan and its per-channel results."""

    plan_id: int
    forecast_run_id: int
    label: str
    channels: dict[str, ChannelPlan]
    seconds: float


def shift_types(ctx: AppContext) -> list[ShiftType]:
    """The policy's shift types as roster values."""
    return [
        ShiftType(
            name=s.name,
            hours=s.hours,
            days_per_week=s.days_per_week,
            break_minutes=s.break_minutes,
            cost_per_hour=s.cost_per_hour,
            earliest_start_hour=s.earliest_start_hour,
            latest_start_hour=s.latest_start_hour,
            start_step_minutes=s.start_step_minutes,
        )
        for s in ctx.policy.planning.shifts
    ]


# Weekly rosters already solved in this process, by everything that decides them (the
# requirement week, the shifts, the rules and the solver's limits): a pattern week identical to
# one solved before (in this plan or an earlier one) is not solved again.
SOLVED_ROSTERS: Recent[Roster] = Recent(256)


def _grid(
    starts: list[datetime], zone: ZoneInfo, interval_minutes: int
) -> tuple[list[date], np.ndarray]:
    """Each interval's (local day, slot) as one index into a day x slot grid."""
    per_day = 24 * 60 // interval_minutes
    local = [s.astimezone(zone) for s in starts]
    first = local[0].date()
    index = np.array(
        [
            (t.date() - first).days * per_day + (t.hour * 60 + t.minute) // interval_minutes
            for t in local
        ]
    )
    days = (local[-1].date() - first).days + 1
    return [first + timedelta(days=k) for k in range(days)], index


def roster_channel(
    ctx: AppContext,
    channel: str,
    staff: np.ndarray,
    starts: list[datetime],
    progress: Progress,
    step: list[int],
    total: int,
) -> tuple[np.ndarray, list[repo.TourRecord], list[float], list[float], float]:
    """Rosters for one channel, one repeating week per block of weeks: cover per interval,
    tours, full-time equivalents and cost per week, and the worst gap to the bound."""
    planning = ctx.policy.planning
    per_day = 24 * 60 // planning.interval_minutes
    days, index = _grid(starts, ZoneInfo(ctx.policy.force.timezone), planning.interval_minutes)
    grid = np.zeros(len(days) * per_day)
    np.maximum.at(grid, index, np.ceil(staff - 1e-9))
    cover = np.zeros_like(grid)
    rules = RestRules(
        planning.min_rest_hours, planning.max_consecutive_days, planning.full_time_weekly_hours
    )
    tours: list[repo.TourRecord] = []
    ftes, costs, worst_gap = [], [], 0.0
    week = 7 * per_day
    block = planning.roster_weeks_per_pattern
    weeks = len(days) // 7
    shifts = tuple(shift_types(ctx))
    limits = (planning.roster_time_limit_seconds, planning.roster_mip_gap)
    for first in range(0, weeks, block):
        span = range(first, min(first + block, weeks))
        # One repeating week per block: it must cover the busiest of its weeks, slot by slot.
        need = np.max([grid[w * week : (w + 1) * week] for w in span], axis=0)
        key = (
            np.ceil(need - 1e-9).astype(np.int64).tobytes(),
            planning.interval_minutes,
            shifts,
            rules,
            limits,
            weekly_roster,  # replaced by the benchmark's old way: not the same solver
        )
        found = SOLVED_ROSTERS.get(key)
        if found is None:
            try:
                found = weekly_roster(
                    need,
                    interval_minutes=planning.interval_minutes,
                    shifts=list(shifts),
                    rules=rules,
                    time_limit_seconds=planning.roster_time_limit_seconds,
                    mip_gap=planning.roster_mip_gap,
                )
            except RosterInputError as exc:
                raise ValidationFailed([FieldProblem("planning.shifts", str(exc))]) from exc
            SOLVED_ROSTERS.put(key, found)
        roster = found
        worst_gap = max(worst_gap, roster.gap)
        for w in span:
            cover[w * week : (w + 1) * week] = roster.cover
            ftes.append(roster.full_time_equivalent)
            costs.append(roster.cost)
            tours.extend(
                repo.TourRecord(
                    channel, days[w * 7], t.shift, t.start_minute, t.first_day, t.days, t.people
                )
                for t in roster.tours
            )
        step[0] += 1
        progress(f"rostering {channel} weeks {first + 1}-{span[-1] + 1}", step[0], total)
    return cover[index], tours, ftes, costs, worst_gap


def simulation_check(
    ctx: AppContext, target: StaffingTarget, contacts: np.ndarray, need: Requirement
) -> tuple[np.ndarray, list[dict[str, float]]]:
    """Simulate the plan's first days: the simulated service level per interval (NaN after)
    and the intervals where it and the formula differ by more than the policy's tolerance."""
    planning = ctx.policy.planning
    count = min(contacts.size, planning.simulation_days * 24 * 60 // planning.interval_minutes)
    assert target.target_seconds is not None
    servers = need.handlers[:count] * (
        target.max_concurrent_chats if target.method == "chat" else 1
    )
    result = simulate_plan(
        contacts[:count],
        servers,
        interval_seconds=planning.interval_minutes * 60,
        aht_seconds=target.aht_seconds,
        target_seconds=target.target_seconds,
        patience_seconds=target.patience_seconds if target.method == "erlang_a" else None,
        replications=planning.simulation_replications,
        seed=1,
    )
    found = disagreements(
        need.service_level[:count], result, tolerance=planning.simulation_tolerance
    )
    simulated = np.full(contacts.size, np.nan)
    simulated[:count] = result.service_level
    return simulated, [
        {"interval": d.interval, "formula": round(d.formula, 4), "simulated": round(d.simulated, 4)}
        for d in found
    ]


@dataclass(frozen=True)
class _Rostered:
    """One channel's rosters: cover per interval, tours, FTE and cost per week, the worst gap,
    and how they were found."""

    cover: np.ndarray
    tours: list[repo.TourRecord]
    ftes: list[float]
    costs: list[float]
    gap: float
    basis: str


def _rosters_like(
    ctx: AppContext, channel: str, staff: np.ndarray, like: PlanReport
) -> _Rostered | None:
    """A what-if's rosters from the policy's plan without solving: the same rosters where
    the staff required is the same in every interval (they would be rostered alike), else
    the policy plan's scaled by the staff hours required (an estimate, said so). None when
    the policy plan does not staff the channel."""
    base = like.channels.get(channel)
    before = plan_series(ctx, plan_id=like.plan_id).get(channel, [])
    if base is None or len(before) != staff.size:
        return None
    base_staff = np.array([r[2] for r in before], dtype=np.float64)
    if np.array_equal(np.ceil(staff - 1e-9), np.ceil(base_staff - 1e-9)):
        with ctx.db.transaction() as session:
            tours = [
                t
                for t in repo.plan_tours(session=session, plan_id=like.plan_id)
                if t.channel == channel
            ]
        cover = np.array([np.nan if r[3] is None else r[3] for r in before], dtype=np.float64)
        ftes = [base.full_time_equivalent, base.peak_week_full_time_equivalent]  # mean, peak
        return _Rostered(cover, tours, ftes, [base.cost], base.roster_gap, "same")
    ratio = float(staff.sum()) / max(float(base_staff.sum()), 1e-9)
    return _Rostered(
        np.full(staff.size, np.nan),
        [],
        [base.full_time_equivalent * ratio, base.peak_week_full_time_equivalent * ratio],
        [base.cost * ratio],
        base.roster_gap,
        "estimated",
    )


def make_plan(
    ctx: AppContext,
    *,
    actor: Actor | None,
    request: PlanRequest,
    progress: Progress = no_progress,
    rosters_like: PlanReport | None = None,
) -> PlanReport:
    """Work out, check, roster and store a staffing plan from a stored forecast.

    With `rosters_like` (a what-if beside the policy's plan) and `request.roster` False, the
    rosters are not solved: the policy plan's are taken where the staff required is the
    same, else estimated from them (see `_rosters_like`)."""
    began = time.perf_counter()
    run = forecast_or_fail(ctx, run_id=request.forecast_run_id)
    series = forecast_series(ctx, run_id=run.id)
    wanted = list(request.channels) if request.channels else sorted(series)
    unknown = [c for c in [*wanted, *request.demand_factors, *request.changes] if c not in series]
    if unknown:
        raise ValidationFailed(
            [FieldProblem("channel", f"{c} is not in forecast run {run.id}") for c in unknown]
        )
    rules = ctx.policy.planning.channels
    weeks = len(series[wanted[0]][0]) * run.interval_minutes // (7 * 24 * 60)
    sims = sum(rules[c].method != "workload" for c in wanted) if request.simulate else 0  # type: ignore[index]
    blocks = -(-weeks // ctx.policy.planning.roster_weeks_per_pattern)
    total = len(wanted) + sims + (len(wanted) * blocks if request.roster else 0)
    step = [0]
    plans: dict[str, ChannelPlan] = {}
    rows: list[tuple[object, ...]] = []
    tours: list[repo.TourRecord] = []
    targets: dict[str, object] = {}
    for channel in wanted:
        starts, expected, _, _ = series[channel]
        contacts = np.asarray(expected) * request.demand_factors.get(channel, 1.0)
        rule = rules[channel]  # type: ignore[index]
        target = staffing_target(
            ctx,
            channel=channel,
            rule=rule,
            change=request.changes.get(channel),
            history_end=run.history_to,
        )
        targets[channel] = {
            "description": target.describe(),
            "method": target.method,
            "aht_seconds": round(target.aht_seconds, 1),
            "patience_seconds": None
            if target.patience_seconds is None
            else round(target.patience_seconds, 1),
            "shrinkage": target.shrinkage,
            "demand_factor": request.demand_factors.get(channel, 1.0),
        }
        need = requirement(contacts, target=target, interval_minutes=run.interval_minutes)
        step[0] += 1
        progress(f"requirement for {channel}", step[0], total)
        simulated = np.full(contacts.size, np.nan)
        found: list[dict[str, float]] = []
        if request.simulate and target.method != "workload":
            simulated, found = simulation_check(ctx, target, contacts, need)
            step[0] += 1
            progress(f"simulating {channel}", step[0], total)
        cover: np.ndarray = np.full(contacts.size, np.nan)
        ftes, costs, gap, basis = [0.0], [0.0], 0.0, "none"
        like = (
            None
            if request.roster or rosters_like is None
            else _rosters_like(ctx, channel, need.staff, rosters_like)
        )
        if like is not None:
            cover, ftes, costs, gap, basis = like.cover, like.ftes, like.costs, like.gap, like.basis
            tours.extend(like.tours)
        elif request.roster:
            cover, channel_tours, ftes, costs, gap = roster_channel(
                ctx, channel, need.staff, starts, progress, step, total
            )
            tours.extend(channel_tours)
            basis = "rostered"
        weights = np.maximum(contacts, 1e-12)
        has_level = target.method != "workload"
        plans[channel] = ChannelPlan(
            channel=channel,
            target=target.describe(),
            aht_seconds=round(target.aht_seconds, 1),
            patience_seconds=None
            if target.patience_seconds is None
            else round(target.patience_seconds, 1),
            mean_handlers=round(float(need.handlers.mean()), 2),
            peak_handlers=int(need.handlers.max(initial=0)),
            service_level=round(float(np.sum(need.service_level * weights) / weights.sum()), 4)
            if has_level
            else None,
            abandonment=round(float(np.sum(need.abandonment * weights) / weights.sum()), 4),
            full_time_equivalent=round(float(ftes[0] if like else np.mean(ftes)), 2),
            peak_week_full_time_equivalent=round(float(np.max(ftes)), 2),
            cost=round(float(np.sum(costs)), 1),
            roster_gap=round(gap, 4),
            disagreements=found,
            minimum_handlers=target.minimum_handlers,
            floor_share=round(float(need.floor_decides().mean()), 4) if contacts.size else 0.0,
            staff_hours=round(float(need.staff.sum()) * run.interval_minutes / 60, 1),
            roster_basis=basis,
        )
        rows.extend(
            (
                channel,
                int(s.timestamp()),
                int(h),
                float(st),
                None if np.isnan(c) else int(c),
                None if np.isnan(sl) else float(sl),
                float(ab),
                None if np.isnan(sim) else float(sim),
            )
            for s, h, st, c, sl, ab, sim in zip(
                starts,
                need.handlers,
                need.staff,
                cover,
                need.service_level,
                need.abandonment,
                simulated,
                strict=True,
            )
        )
    seconds = time.perf_counter() - began
    with ctx.db.transaction() as session:
        plan_id = repo.add_plan(
            session=session,
            forecast_run_id=run.id,
            created_at=ctx.now(),
            created_by=None if actor is None else actor.user_id,
            label=request.label,
            targets={**targets, "what_if": dict(request.asked)} if request.asked else targets,
            summary={c: p.as_summary() for c, p in plans.items()},
            seconds=seconds,
            intervals=rows,
            tours=tours,
        )
    stored: PlanSeries = {}
    for row in rows:
        start = datetime.fromtimestamp(cast(int, row[1]), UTC)
        stored.setdefault(str(row[0]), []).append((start, *row[2:]))  # type: ignore[arg-type]
    remember_plan_series(ctx, plan_id=plan_id, series=stored)
    return PlanReport(plan_id, run.id, request.label, plans, seconds)


@dataclass(frozen=True)
class WhatIfRequest:
    """A planner's what-if for one channel: a new answer target and / or a change in demand."""

    channel: str
    target_seconds: float | None = None
    service_level: float | None = None  # share answered within the target, 0 to 1
    max_abandonment: float | None = None  # share, 0 to 1
    demand_change: float | None = None  # share, +0.08 for 8% more contacts
    forecast_run_id: int | None = None
    roster: bool = False  # solve the what-if's rosters (slow) rather than estimate them

    def fields(self) -> dict[str, str]:
        """The what-if as the planning page's form fields (to ask it again, rostered)."""
        shares = {
            "service_level": self.service_level,
            "abandonment": self.max_abandonment,
            "demand_change": self.demand_change,
        }
        found = {k: f"{v * 100:g}" for k, v in shares.items() if v is not None}
        if self.target_seconds is not None:
            found["answer_seconds"] = f"{self.target_seconds:g}"
        return found

    def label(self) -> str:
        """The what-if in words, as the plan's label."""
        parts = []
        if self.demand_change is not None:
            parts.append(f"demand {self.demand_change:+.0%}")
        if self.target_seconds is not None:
            parts.append(f"answer within {self.target_seconds:g} s")
        if self.service_level is not None:
            parts.append(f"{self.service_level:.0%} answered")
        if self.max_abandonment is not None:
            parts.append(f"under {self.max_abandonment:.0%} abandoned")
        return f"what-if {channel_label(self.channel)}: " + ", ".join(parts)


@dataclass(frozen=True)
class WhatIfReport:
    """The policy's plan and the what-if's, for one channel."""

    baseline: PlanReport
    changed: PlanReport


def check_what_if(ctx: AppContext, what_if: WhatIfRequest) -> None:
    """Refuse a what-if that names an unknown channel, asks nothing, or has values out of range,
    naming each field."""
    problems = []
    channels = {c.value for c in ctx.policy.planning.channels}
    if what_if.channel not in channels:
        names = ", ".join(channel_label(c) for c in sorted(channels))
        problems.append(FieldProblem("channel", f"choose one of {names}"))
    if what_if.target_seconds is not None and not 0 < what_if.target_seconds <= 3600:
        problems.append(FieldProblem("answer_seconds", "must be more than 0 and at most 3600"))
    if what_if.service_level is not None and not 0 < what_if.service_level < 1:
        problems.append(FieldProblem("service_level", "must be more than 0% and under 100%"))
    if what_if.max_abandonment is not None and not 0 < what_if.max_abandonment < 1:
        problems.append(FieldProblem("abandonment", "must be more than 0% and under 100%"))
    if what_if.demand_change is not None and not -0.9 <= what_if.demand_change <= 5:
        problems.append(FieldProblem("demand_change", "must be from -90% to +500%"))
    asked = (
        what_if.target_seconds,
        what_if.service_level,
        what_if.max_abandonment,
        what_if.demand_change,
    )
    if not problems and all(v is None for v in asked):
        problems.append(FieldProblem("answer_seconds", "give a target or a demand change"))
    if problems:
        raise ValidationFailed(problems)


def _stored_baseline(ctx: AppContext, run_id: int, channel: str) -> PlanReport | None:
    """The latest stored policy plan for this forecast that rostered the channel."""
    with ctx.db.transaction() as session:
        plans = repo.recent_plans(session=session, limit=50)
    for record in plans:
        found = record.summary.get(channel)
        if record.forecast_run_id == run_id and record.label == "policy" and found:
            values = dict(found)  # type: ignore[call-overload]
            if float(values.get("cost", 0.0)) <= 0:
                continue  # made without rosters: no cost to compare with
            try:
                plan = ChannelPlan(**values)
            except TypeError:
                continue  # stored by an older version, with other fields
            return PlanReport(record.id, run_id, record.label, {channel: plan}, record.seconds)
    return None


def what_if(
    ctx: AppContext,
    *,
    actor: Actor | None,
    request: WhatIfRequest,
    progress: Progress = no_progress,
) -> WhatIfReport:
    """Plan one channel under a what-if, beside the policy's plan (the stored one for the same
    forecast when there is one, else made and rostered now), and store it.

    The what-if's requirement is worked out afresh from the stored forecast (Erlang and the
    other formulas take milliseconds); its rosters are solved only when `request.roster`
    asks (seconds to minutes): otherwise they are the policy plan's where the staff required
    is the same in every interval, else estimated from them, which the plan says."""
    check_what_if(ctx, request)
    run = forecast_or_fail(ctx, run_id=request.forecast_run_id)
    baseline = _stored_baseline(ctx, run.id, request.channel)
    if baseline is None:
        baseline = make_plan(
            ctx,
            actor=actor,
            request=PlanRequest(forecast_run_id=run.id, channels=[request.channel], simulate=False),
            progress=progress,
        )
    change = TargetChange(
        target_seconds=request.target_seconds,
        service_level=request.service_level,
        max_abandonment=request.max_abandonment,
    )
    changed = make_plan(
        ctx,
        actor=actor,
        request=PlanRequest(
            forecast_run_id=run.id,
            label=request.label(),
            demand_factors={}
            if request.demand_change is None
            else {request.channel: 1 + request.demand_change},
            changes={request.channel: change},
            simulate=False,
            roster=request.roster,
            channels=[request.channel],
            asked=request.fields(),
        ),
        progress=progress,
        rosters_like=baseline,
    )
    return WhatIfReport(baseline, changed)
