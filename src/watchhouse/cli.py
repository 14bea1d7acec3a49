"""The `watchhouse` command: database, users, the web server and the demo."""

from __future__ import annotations

import shutil
import time
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from watchhouse.auth.permissions import can
from watchhouse.cli_audits import audits_app
from watchhouse.cli_identity import identity_app
from watchhouse.cli_io import export_app, import_app
from watchhouse.cli_measures import measures_command, snapshot_command
from watchhouse.cli_planning import forecast, staffing
from watchhouse.cli_report import report
from watchhouse.cli_teams import teams_app
from watchhouse.config import Settings
from watchhouse.db.migrate import upgrade
from watchhouse.domain.clock import format_local
from watchhouse.domain.errors import Conflict, ValidationFailed
from watchhouse.domain.roles import Action, Role
from watchhouse.policy import PolicyError
from watchhouse.services import accounts
from watchhouse.services.context import AppContext, build_context
from watchhouse.services.demo import build_demo
from watchhouse.services.imports import importing_actor
from watchhouse.services.plans import run_daily_batch
from watchhouse.services.synth import SynthRequest, synth_to_database, synth_to_parquet
from watchhouse.synth.profile import SynthProfileError, available_profiles, load_profile

app = typer.Typer(help="watchhouse: answer the public well, and prove it.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(identity_app, name="identity")
app.add_typer(teams_app, name="teams")
app.add_typer(audits_app, name="audits")
app.command("measures")(measures_command)
app.command("snapshot")(snapshot_command)
app.command("report")(report)
app.command("forecast")(forecast)
app.command("staffing")(staffing)
console = Console()
err = Console(stderr=True)


def _settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        for e in exc.errors():
            err.print(f"[red]configuration[/red] {'.'.join(map(str, e['loc'])) or ''}: {e['msg']}")
        raise typer.Exit(2) from exc


def _context(settings: Settings) -> AppContext:
    try:
        return build_context(settings)
    except PolicyError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the schema of the configured database."""
    settings = _settings()
    upgrade(settings.resolved_database_url)
    console.print(f"schema up to date: {settings.resolved_database_url}")


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[Role, typer.Option(help="the user's role")],
    name: Annotated[str, typer.Option(help="full name shown on screens")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="at least 10 characters"
        ),
    ],
) -> None:
    """Add a user."""
    ctx = _context(_settings())
    try:
        user = accounts.add_user(
            ctx, username=username, display_name=name, role=role, password=password
        )
    except (ValidationFailed, Conflict) as exc:
        err.print(f"[red]not added[/red]: {exc}")
        raise typer.Exit(1) from exc
    console.print(f"added {user.username} ({user.role.label})")


@users_app.command("list")
def users_list() -> None:
    """List users."""
    table = Table("username", "name", "role", "state")
    for u in accounts.list_users(_context(_settings())):
        table.add_row(
            u.username, u.display_name, u.role.label, "active" if u.active else "disabled"
        )
    console.print(table)


@users_app.command("token")
def users_token(username: str) -> None:
    """Issue a bearer token (for telephony and other force systems) acting as the user."""
    try:
        token = accounts.issue_api_token(_context(_settings()), username=username)
    except ValidationFailed as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(token)


@app.command()
def repeats(
    day: Annotated[str, typer.Argument(help="the local day to check, YYYY-MM-DD")],
    as_user: Annotated[str, typer.Option("--as-user", help="who runs the batch (logged)")],
) -> None:
    """List everyone who crossed a repeat-contact threshold on a day (the daily batch)."""
    ctx = _context(_settings())
    try:
        when = date.fromisoformat(day)
        actor = importing_actor(ctx, username=as_user, action=Action.VIEW_REPEAT_CALLERS)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if not can(actor.role, Action.VIEW_REPEAT_CALLERS):
        err.print(f"[red]{actor.username} ({actor.role.label}) may not list repeat callers[/red]")
        raise typer.Exit(1)
    batch = run_daily_batch(ctx, actor=actor, day=when)
    found = batch.crossings
    table = Table(
        "counted by",
        "who",
        "last contact",
        "thresholds crossed",
        title=f"repeat contacts crossing a threshold on {when.isoformat()}",
    )
    zone = ctx.policy.force.timezone
    for crossing in found:
        table.add_row(
            crossing.basis.value,
            str(crossing.key),
            format_local(crossing.last_contact, zone, "%d %b %Y %H:%M"),
            "; ".join(f"{n} contacts ({rule.label})" for rule, n in crossing.crossed),
        )
    console.print(table)
    console.print(
        f"{len(found)} over a threshold; {len(batch.plans_opened)} new problem-solving plans opened"
    )


class SynthTarget(StrEnum):
    """Where `watchhouse synth` writes."""

    DATABASE = "database"
    PARQUET = "parquet"


@app.command()
def synth(
    profile: Annotated[
        str, typer.Option(help=f"profile name ({', '.join(available_profiles())}) or a TOML file")
    ] = "default",
    start: Annotated[str, typer.Option(help="first day, YYYY-MM-DD")] = "2024-01-01",
    end: Annotated[str, typer.Option(help="day after the last, YYYY-MM-DD")] = "2025-01-01",
    scale: Annotated[float, typer.Option(help="size relative to the profile (0.01 = 1%)")] = 1.0,
    seed: Annotated[int, typer.Option(help="same seed, same data")] = 1,
    target: Annotated[
        SynthTarget, typer.Option(help="the configured database or Parquet files")
    ] = SynthTarget.DATABASE,
    out: Annotated[Path, typer.Option(help="directory for Parquet files")] = Path("data/synth"),
) -> None:
    """Generate a realistic synthetic force (see docs/synthetic-force.md)."""
    try:
        request = SynthRequest(
            profile=profile,
            start=date.fromisoformat(start),
            end=date.fromisoformat(end),
            scale=scale,
            seed=seed,
        )
        load_profile(profile)
    except (ValueError, SynthProfileError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if request.end <= request.start or scale <= 0:
        err.print("[red]--end must be after --start and --scale must be positive[/red]")
        raise typer.Exit(2)
    began = time.perf_counter()
    columns = (
        *Progress.get_default_columns()[:1],
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("months generated", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        if target == SynthTarget.PARQUET:
            rows = synth_to_parquet(request, out, advance)
        else:
            ctx = _context(_settings())
            try:
                rows = synth_to_database(ctx, request, advance)
            except RuntimeError as exc:
                err.print(f"[red]{exc}[/red]")
                raise typer.Exit(1) from exc
    table = Table("table", "rows", title=f"synthetic force ({profile}, seed {seed}, scale {scale})")
    for name, count in rows.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    where = out if target == SynthTarget.PARQUET else _settings().resolved_database_url
    console.print(f"written to {where} in {time.perf_counter() - began:.1f} s")


def _serve(settings: Settings, ctx: AppContext) -> None:
    from watchhouse.web.app import create_app

    uvicorn.run(
        create_app(settings, context=ctx),
        host=settings.host,
        port=settings.port,
        log_level="info",
        proxy_headers=True,
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
) -> None:
    """Serve the web app and API."""
    overrides: dict[str, object] = {}
    if host:
        overrides["host"] = host
    if port:
        overrides["port"] = port
    settings = _settings(**overrides)
    _serve(settings, _context(settings))


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="build the demo and stop")] = False,
) -> None:
    """Build a fresh demo force in data/demo and serve it, printing the logins."""
    base = _settings()
    if base.environment == "production":
        err.print("[red]the demo cannot run with WATCHHOUSE_ENVIRONMENT=production[/red]")
        raise typer.Exit(2)
    data_dir = base.data_dir / "demo"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    settings = _settings(data_dir=Path(data_dir), database_url=None, port=port)
    ctx = _context(settings)
    with Progress(console=console) as bar:
        task = bar.add_task("building the demo force", total=None)
        logins = build_demo(ctx, lambda done, total: bar.update(task, completed=done, total=total))
    table = Table("username", "password", "role", title=f"{ctx.policy.force.name}: demo logins")
    for login in logins:
        table.add_row(login.username, login.password, login.role.label)
    console.print(table)
    if no_serve:
        return
    console.print(f"Open http://{settings.host}:{settings.port} and sign in. Ctrl-C stops.")
    _serve(settings, ctx)


def main() -> None:
    """Entry point."""
    app()


if __name__ == "__main__":
    main()
