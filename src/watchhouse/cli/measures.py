"""`watchhouse measures`: any measure, for any period and cut, as a table, CSV or JSON."""

from __future__ import annotations

import json
import sys
import time
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from watchhouse.analytics.catalogue import Cut, MeasureDefinition, MeasureValue, Period, Unit
from watchhouse.auth.permissions import can
from watchhouse.cli.io import AsUser, _actor, _context
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Action
from watchhouse.io.spreadsheet import SafeCsvWriter
from watchhouse.services import measures as service

console = Console()
err = Console(stderr=True)


class OutputFormat(StrEnum):
    """How the values are printed."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


class EngineChoice(StrEnum):
    """Where the measures run."""

    DUCKDB = "duckdb"
    SPARK = "spark"


FIELDS = [
    "measure",
    "period",
    "period_start",
    "period_label",
    "cut",
    "cut_value",
    "value",
    "numerator",
    "denominator",
]


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        err.print(f"[red]{option}[/red]: {text!r} is not a date (write YYYY-MM-DD)")
        raise typer.Exit(2) from None


def shown(value: float | None, unit: Unit) -> str:
    """A value as people read it: 91.2%, 8.9 s, 14.0 min, 5,438; blank for no data."""
    if value is None:
        return "no data"
    if unit == Unit.SHARE:
        return f"{value:.1%}"
    if unit == Unit.SECONDS:
        return f"{value:,.1f} s"
    if unit == Unit.MINUTES:
        return f"{value:,.1f} min"
    if unit == Unit.HOURS:
        return f"{value:,.1f} h"
    return f"{value:,.0f}"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _list(definitions: tuple[MeasureDefinition, ...]) -> None:
    table = Table(title="Measures")
    table.add_column("key", no_wrap=True)
    for column in ("title", "group", "unit", "cuts"):
        table.add_column(column)
    for d in definitions:
        cuts = ", ".join(c.value for c in Cut if c in d.cuts)
        table.add_row(d.key, d.title, d.group, d.unit.value, cuts)
    console.print(table)


def _print(values: list[MeasureValue], output: OutputFormat) -> None:
    if output == OutputFormat.JSON:
        rows = [{f: _plain(getattr(v, f)) for f in FIELDS} for v in values]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    if output == OutputFormat.CSV:
        writer = SafeCsvWriter(sys.stdout, lineterminator="\n")
        writer.writerow(FIELDS)
        for v in values:
            writer.writerow(
                ["" if _plain(getattr(v, f)) is None else _plain(getattr(v, f)) for f in FIELDS]
            )
        return
    units = {d.key: d for d in service.measure_catalogue()}
    table = Table()
    for column, justify in (
        ("measure", "left"),
        ("period", "left"),
        ("cut", "left"),
        ("value", "right"),
        ("numerator", "right"),
        ("denominator", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for v in values:
        definition = units[v.measure]
        table.add_row(
            definition.title,
            v.period_label,
            v.cut_value or "force",
            shown(v.value, definition.unit),
            _number(v.numerator),
            _number(v.denominator),
        )
    console.print(table)


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def measures_command(
    keys: Annotated[
        list[str] | None, typer.Argument(help="measure keys (default: every measure)")
    ] = None,
    period: Annotated[Period, typer.Option(help="how time is cut (Europe/London days)")] = (
        Period.MONTH
    ),
    by: Annotated[Cut, typer.Option("--by", help="what else to cut by")] = Cut.FORCE,
    start: Annotated[
        str | None,
        typer.Option("--from", help="first day, YYYY-MM-DD (default: a year before --to)"),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="last day, inclusive (default: today)")
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table, csv or json")] = (
        OutputFormat.TABLE
    ),
    engine: Annotated[
        EngineChoice | None, typer.Option(help="where the SQL runs (default: the policy's)")
    ] = None,
    published_force: Annotated[
        str | None,
        typer.Option(
            "--published-force",
            help="the data.police.uk measures of this force only (its data.police.uk id, e.g. "
            "west-yorkshire; 'unknown' for files that named none); default: every force",
        ),
    ] = None,
    as_user: AsUser = None,
    list_: Annotated[bool, typer.Option("--list", help="list the catalogue and stop")] = False,
) -> None:
    """Print measures for every period starting between --from and --to, cut as asked."""
    if list_:
        _list(service.measure_catalogue())
        return
    last = _day(end, "--to") or date.today()
    first = _day(start, "--from") or (last - timedelta(days=365)).replace(day=1)
    ctx = _context()
    actor = _actor(ctx, as_user, Action.VIEW_MEASURES)
    if not can(actor.role, Action.VIEW_MEASURES):
        err.print(f"[red]{actor.username} ({actor.role.label}) may not view measures[/red]")
        raise typer.Exit(1)
    try:
        values = service.compute_measures(
            ctx,
            actor=actor,
            measures=keys or None,
            period=period,
            cut=by,
            start=first,
            end=last,
            engine=(engine.value if engine else ctx.policy.measures.engine),
            published_force=published_force.strip().lower() if published_force else None,
        )
    except ValidationFailed as exc:
        for problem in exc.problems:
            err.print(f"[red]{problem.field}[/red]: {problem.reason}")
        raise typer.Exit(2) from exc
    except RuntimeError as exc:
        err.print(f"[red]nothing done[/red]: {exc}")
        raise typer.Exit(1) from exc
    _print(values, output)


def snapshot_command(
    force: Annotated[
        bool, typer.Option("--force", help="write the snapshot even if nothing has changed")
    ] = False,
) -> None:
    """Check the store and write the measures' snapshot again if a measured table has changed
    (for cron: the board then never waits for one)."""
    ctx = _context()
    began = time.perf_counter()
    before = service.snapshot_on_disk(ctx)
    try:
        taken = service.take_snapshot(ctx, force=force)
    except RuntimeError as exc:
        err.print(f"[red]nothing done[/red]: {exc}")
        raise typer.Exit(1) from exc
    seconds = time.perf_counter() - began
    rewritten = before is None or before.taken_at != taken.taken_at
    what = "written" if rewritten else "unchanged (the measured tables have not changed)"
    console.print(
        f"snapshot {what}: {taken.directory}, figures as at {taken.taken_at.isoformat()}"
        f" ({seconds:.1f} s)"
    )
