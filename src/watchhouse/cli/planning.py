"""`watchhouse forecast`, `forecast-file` and `staffing`: demand forecasts, staffing plans,
what-ifs.

Registered on the main app in `watchhouse.cli` as top-level commands.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from watchhouse.auth.permissions import can
from watchhouse.cli.io import AsUser, _actor, _context
from watchhouse.config import Settings
from watchhouse.domain.clock import format_local
from watchhouse.domain.errors import NotFound, ValidationFailed
from watchhouse.domain.roles import Action, Actor
from watchhouse.forecasting.demand import ForecastOptions, PlannedEvent
from watchhouse.policy.model import load_policy
from watchhouse.services import planning, planning_file
from watchhouse.services.planning import PlanRequest, TargetChange
from watchhouse.services.staffing_plans import PlanReport, make_plan

console = Console()
err = Console(stderr=True)


def _allowed(actor: Actor) -> None:
    if not can(actor.role, Action.MAKE_PLANNING):
        err.print(
            f"[red]{actor.username} ({actor.role.label}) may not make forecasts or plans[/red]"
        )
        raise typer.Exit(1)


@contextmanager
def _bar() -> Iterator[planning.Progress]:
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("starting", total=None)

        def report(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        yield report


def parse_event(text: str) -> PlannedEvent:
    """NAME:FIRST:LAST:UPLIFT[:CHANNEL,CHANNEL] -> a planned event (days inclusive, ISO dates)."""
    parts = text.split(":")
    if len(parts) not in (4, 5):
        raise typer.BadParameter(f"{text!r}: expected NAME:FIRST-DAY:LAST-DAY:UPLIFT[:CHANNELS]")
    try:
        first, last = date.fromisoformat(parts[1]), date.fromisoformat(parts[2])
        uplift = float(parts[3])
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r}: {exc}") from exc
    if last < first or uplift <= 0:
        raise typer.BadParameter(f"{text!r}: the last day is before the first, or uplift <= 0")
    channels = frozenset(parts[4].split(",")) if len(parts) == 5 else None
    return PlannedEvent(parts[0], first, last, uplift, channels)


def parse_demand(text: str) -> tuple[str, float]:
    """CHANNEL=FACTOR or CHANNEL=+8% -> (channel, multiplier)."""
    channel, _, value = text.partition("=")
    try:
        factor = 1 + float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r}: expected CHANNEL=1.08 or CHANNEL=+8%") from exc
    if not channel or factor <= 0:
        raise typer.BadParameter(f"{text!r}: expected CHANNEL=1.08 or CHANNEL=+8%")
    return channel, factor


_TARGET_KEYS = {
    "answer": "target_seconds",
    "level": "service_level",
    "abandon": "max_abandonment",
    "shrinkage": "shrinkage",
}


def parse_target(text: str) -> tuple[str, TargetChange]:
    """CHANNEL:answer=180,level=0.8,abandon=0.1,shrinkage=0.3 -> a what-if target change."""
    channel, _, spec = text.partition(":")
    values: dict[str, float] = {}
    for item in filter(None, spec.split(",")):
        key, _, value = item.partition("=")
        if key not in _TARGET_KEYS:
            raise typer.BadParameter(
                f"{text!r}: unknown key {key!r} (use {', '.join(_TARGET_KEYS)})"
            )
        try:
            values[_TARGET_KEYS[key]] = float(value)
        except ValueError as exc:
            raise typer.BadParameter(f"{text!r}: {key} needs a number") from exc
    if not channel or not values:
        raise typer.BadParameter(f"{text!r}: expected CHANNEL:answer=180,abandon=0.1")
    return channel, TargetChange(**values)


def forecast(
    weeks: Annotated[int | None, typer.Option(help="weeks ahead, 1-12 (default: policy)")] = None,
    event: Annotated[
        list[str] | None,
        typer.Option(help="a known event: NAME:FIRST-DAY:LAST-DAY:UPLIFT[:CHANNELS]; repeatable"),
    ] = None,
    calendar: Annotated[
        Path | None,
        typer.Option(help="the force's events CSV: first_day, last_day, name, effect, channels"),
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Forecast contacts per channel from the stored history and store the run."""
    events = [parse_event(e) for e in event or []] + _calendar(calendar)
    ctx = _context()
    actor = _actor(ctx, as_user, Action.MAKE_PLANNING, "make forecasts or plans")
    _allowed(actor)
    try:
        with _bar() as report:
            result = planning.make_forecast(
                ctx, actor=actor, horizon_weeks=weeks, events=events, progress=report
            )
    except ValidationFailed as exc:
        err.print(f"[red]no forecast[/red]: {'; '.join(p.reason for p in exc.problems)}")
        raise typer.Exit(2) from exc
    zone = ctx.policy.force.timezone

    def local(moment: datetime) -> str:
        return format_local(moment, zone, "%d %b %Y %H:%M")

    table = Table(
        "channel",
        "model",
        "MASE",
        "baseline MASE",
        "daily coverage",
        "band coverage (below, above)",
        "holidays",
        "contacts",
        title=f"forecast run {result.run_id}: {local(result.first_interval)} to "
        f"{local(result.last_interval)} (history {local(result.history_from)} to "
        f"{local(result.history_to)})",
    )
    for channel, info in result.channels.items():
        scores = {s["model"]: s for s in info["scores"]}  # type: ignore[attr-defined]
        chosen, base = scores[info["model"]], scores["SeasonalNaive"]
        table.add_row(
            channel,
            str(info["model"]),
            f"{chosen['mase']:.3f}",
            f"{base['mase']:.3f}",
            f"{chosen['coverage']:.0%}",
            _band(info),
            f"x{info['bank_holiday_factor']:.2f}",
            f"{info['expected_total']:,.0f}",
        )
    console.print(table)
    console.print(
        f"{result.seconds:.1f} s. MASE: the backtest's mean error over the in-sample error of "
        "last week's same day; lower is better; compare with the baseline's. Coverage: the "
        "share of backtest days inside the daily model's own "
        f"{ctx.policy.planning.prediction_level}% interval, and of held-out open backtest "
        "intervals (expected demand above 5% of the average) inside the stored band, below it "
        "and above it. Holidays: the pooled factor (docs/planning.md)."
    )


def _band(info: dict[str, object]) -> str:
    inside, below, above = (
        info.get(k) for k in ("interval_coverage", "coverage_below", "coverage_above")
    )
    if not isinstance(inside, float):
        return ""
    if isinstance(below, float) and isinstance(above, float):
        return f"{inside:.0%} ({below:.0%}, {above:.0%})"
    return f"{inside:.0%}"


def _print_plan(report: PlanReport, baseline: PlanReport | None) -> None:
    table = Table(
        "channel",
        "handlers mean/peak",
        "service level",
        "abandoned",
        "FTE",
        "peak-week FTE",
        "roster gap",
        "simulation flags",
        title=f"staffing plan {report.plan_id} ({report.label}) from forecast "
        f"{report.forecast_run_id}",
    )
    for channel, p in report.channels.items():
        fte = f"{p.full_time_equivalent:.1f}"
        if baseline is not None and channel in baseline.channels:
            delta = p.full_time_equivalent - baseline.channels[channel].full_time_equivalent
            fte += f" ({delta:+.1f})"
        table.add_row(
            channel,
            f"{p.mean_handlers:.1f} / {p.peak_handlers}",
            "" if p.service_level is None else f"{p.service_level:.1%}",
            f"{p.abandonment:.1%}",
            fte,
            f"{p.peak_week_full_time_equivalent:.1f}",
            f"{p.roster_gap:.1%}",
            str(len(p.disagreements)),
        )
    console.print(table)
    for channel, p in report.channels.items():
        patience = "" if p.patience_seconds is None else f", patience {p.patience_seconds:.0f} s"
        console.print(f"{channel}: {p.target} (handling {p.aht_seconds:.0f} s{patience})")
    if baseline is not None:
        console.print(f"(FTE in brackets: the change from the policy's plan {baseline.plan_id})")


def staffing(
    forecast_run: Annotated[
        int | None, typer.Option("--forecast", help="forecast run id (default: the latest)")
    ] = None,
    demand: Annotated[
        list[str] | None,
        typer.Option(help="what-if demand: CHANNEL=1.08 or CHANNEL=+8%; repeatable"),
    ] = None,
    target: Annotated[
        list[str] | None,
        typer.Option(help="what-if target: CHANNEL:answer=180,level=0.8,abandon=0.1,shrinkage=0.3"),
    ] = None,
    channel: Annotated[
        list[str] | None, typer.Option(help="plan only these channels; repeatable")
    ] = None,
    label: Annotated[str | None, typer.Option(help="a name for the plan")] = None,
    simulate: Annotated[bool, typer.Option(help="check the first days by simulation")] = True,
    roster: Annotated[bool, typer.Option(help="build weekly rosters (HiGHS)")] = True,
    as_user: AsUser = None,
) -> None:
    """Staff needed per interval, checked by simulation and rostered; what-ifs beside the policy."""
    factors = dict(parse_demand(d) for d in demand or [])
    changes = dict(parse_target(t) for t in target or [])
    what_if = bool(factors or changes)
    ctx = _context()
    actor = _actor(ctx, as_user, Action.MAKE_PLANNING, "make forecasts or plans")
    _allowed(actor)
    chosen = channel or sorted({*factors, *changes}) or None
    request = PlanRequest(
        forecast_run_id=forecast_run,
        label=label or ("what-if" if what_if else "policy"),
        demand_factors=factors,
        changes=changes,
        simulate=simulate,
        roster=roster,
        channels=chosen,
    )
    try:
        baseline = None
        with _bar() as report:
            if what_if:
                baseline = make_plan(
                    ctx,
                    actor=actor,
                    request=PlanRequest(
                        forecast_run_id=forecast_run,
                        channels=chosen,
                        simulate=False,
                        roster=roster,
                    ),
                    progress=report,
                )
            result = make_plan(ctx, actor=actor, request=request, progress=report)
    except (ValidationFailed, NotFound) as exc:
        message = (
            "; ".join(p.reason for p in exc.problems) if isinstance(exc, ValidationFailed) else exc
        )
        err.print(f"[red]no plan[/red]: {message}")
        raise typer.Exit(2) from exc
    _print_plan(result, baseline)
    console.print(f"{result.seconds:.1f} s; see the planning page for the charts")


def _calendar(path: Path | None) -> list[PlannedEvent]:
    if path is None:
        return []
    try:
        return planning_file.read_calendar(path)
    except ValidationFailed as exc:
        err.print(f"[red]calendar refused[/red]: {_problems(exc)}")
        raise typer.Exit(2) from exc


def _problems(exc: ValidationFailed) -> str:
    return "; ".join(f"{p.field}: {p.reason}" for p in exc.problems)


def forecast_file(
    input_csv: Annotated[Path, typer.Argument(help="the series: CSV with a header row")],
    time_column: Annotated[str, typer.Option("--time-column", help="ISO 8601 times")],
    interval: Annotated[int, typer.Option(help="interval in minutes; must divide a day")],
    horizon_days: Annotated[int, typer.Option("--horizon-days", help="days ahead")],
    out: Annotated[Path, typer.Option(help="where to write the forecast CSV")],
    count_column: Annotated[
        str | None,
        typer.Option("--count-column", help="counts per interval (default: a row per contact)"),
    ] = None,
    holidays: Annotated[
        str | None,
        typer.Option(help="holiday region: ENG, SCT, GB-NIR, US-NY, FR, ... or none"),
    ] = None,
    calendar: Annotated[
        Path | None,
        typer.Option(help="events CSV: first_day, last_day, name, effect, channels"),
    ] = None,
    timezone: Annotated[
        str | None, typer.Option(help="zone of times without an offset (default: policy)")
    ] = None,
) -> None:
    """Forecast any series in a CSV file; write interval start, mean, lower, upper."""
    policy = load_policy(Settings().policy_file)
    zone = timezone or policy.force.timezone
    events = _calendar(calendar)
    options = ForecastOptions(
        interval_minutes=interval,
        horizon_days=horizon_days,
        timezone=zone,
        level=policy.planning.prediction_level,
        backtest_windows=policy.planning.backtest_windows,
        profile_weeks=policy.planning.profile_weeks,
        holiday_region=planning.holiday_region(policy) if holidays is None else holidays,
    )
    stages = {"backtesting": 2, "forecasting": 3}
    try:
        with _bar() as report:
            report(f"reading {input_csv.name}", 0, 5)
            history, missing = planning_file.read_series(
                input_csv,
                time_column=time_column,
                count_column=count_column,
                interval_minutes=interval,
                timezone=zone,
                name=input_csv.stem,
            )
            report("reading done", 1, 5)
            result = planning_file.forecast_file(
                history,
                missing,
                options=options,
                events=events,
                say=lambda m: report(m, stages.get(m.split()[0], 2), 5),
            )
            report(f"writing {out.name}", 4, 5)
            planning_file.write_forecast(out, result)
            report("done", 5, 5)
    except ValidationFailed as exc:
        err.print(f"[red]no forecast[/red]: {_problems(exc)}")
        raise typer.Exit(2) from exc
    _print_file_forecast(result, out, options.level)


def _print_file_forecast(result: planning_file.FileForecast, out: Path, level: int) -> None:
    f = result.forecast
    table = Table("model", "daily MASE", "vs seasonal naive", "daily coverage", title="backtest")
    base = f.score("SeasonalNaive").mase
    for s in sorted(f.scores, key=lambda s: s.mase):
        mark = " (chosen)" if s.model == f.model else ""
        table.add_row(s.model + mark, f"{s.mase:.3f}", f"{s.mase / base:.2f}", f"{s.coverage:.0%}")
    console.print(table)
    console.print(
        f"{level}% band on {f.open_intervals} held-out open intervals (expected demand above 5% "
        f"of the average interval): inside {f.interval_coverage:.1%}, below "
        f"{f.coverage_below:.1%}, above {f.coverage_above:.1%} (cross-fitted over the backtest "
        "windows)."
    )
    console.print(
        f"{result.intervals} intervals read, {result.missing} missing; holidays x"
        f"{f.bank_holiday_factor:.2f} pooled. Wrote {f.starts.size} intervals to {out}."
    )
