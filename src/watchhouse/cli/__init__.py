"""The `watchhouse` command: database, users, the web server and the demo."""

from __future__ import annotations

import importlib
import os
import shutil
import time
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.main
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from typer.core import TyperCommand, TyperGroup

from watchhouse.auth.permissions import can
from watchhouse.cli import users as cli_users
from watchhouse.config import Settings
from watchhouse.domain.clock import format_local
from watchhouse.domain.errors import Conflict, ValidationFailed
from watchhouse.domain.roles import Action, Role
from watchhouse.synth.profile import SynthProfileError, available_profiles, load_profile

if TYPE_CHECKING:
    from watchhouse.services.context import AppContext

# The commands defined in other modules, loaded only when run: `watchhouse --help` and the
# light commands then start without statsforecast, splink, DuckDB or pandas (bench/cli_startup.py).
# name -> (module, attribute, the help shown in `watchhouse --help`)
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "import": ("watchhouse.cli.io", "import_app", "Import public or force data."),
    "export": ("watchhouse.cli.io", "export_app", "Export the store."),
    "identity": (
        "watchhouse.cli.identity",
        "identity_app",
        "Who is who: link contact records into people.",
    ),
    "teams": ("watchhouse.cli.teams", "teams_app", "Teams and their supervisors."),
    "audits": (
        "watchhouse.cli.audits",
        "audits_app",
        "Quality audits: templates, samples and trends.",
    ),
    "measures": (
        "watchhouse.cli.measures",
        "measures_command",
        "Print measures for every period starting between --from and --to, cut as asked.",
    ),
    "snapshot": (
        "watchhouse.cli.measures",
        "snapshot_command",
        "Check the store and write the measures' snapshot again if a measured table has changed",
    ),
    "report": (
        "watchhouse.cli.report",
        "report",
        "Write the monthly performance pack: a self-contained HTML file and a PDF.",
    ),
    "forecast": (
        "watchhouse.cli.planning",
        "forecast",
        "Forecast contacts per channel from the stored history and store the run.",
    ),
    "forecast-file": (
        "watchhouse.cli.planning",
        "forecast_file",
        "Forecast any series in a CSV file; write interval start, mean, lower, upper.",
    ),
    "staffing": (
        "watchhouse.cli.planning",
        "staffing",
        "Staff needed per interval, checked by simulation and rostered; "
        "what-ifs beside the policy.",
    ),
}


def load_lazy_command(name: str) -> Any:
    """The click command (or group) behind a lazily loaded command name."""
    module_name, attribute, _help = LAZY_COMMANDS[name]
    target = getattr(importlib.import_module(module_name), attribute)
    if isinstance(target, typer.Typer):  # a group, even with one command (`export parquet`)
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer()
    single.command(name)(target)
    command = typer.main.get_command(single)
    command.name = name
    return command


class LazyCommandGroup(TyperGroup):
    """The top-level group: commands from other modules are imported when run, not listed."""

    def list_commands(self, ctx: Any) -> list[str]:
        """Every command, those defined here first."""
        return [*super().list_commands(ctx), *(n for n in LAZY_COMMANDS if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command, or for `--help` a stand-in carrying its help (nothing imported)."""
        if cmd_name in self.commands or cmd_name not in LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        help_text = LAZY_COMMANDS[cmd_name][2]
        return TyperCommand(name=cmd_name, help=help_text, short_help=help_text)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Load a lazy command just before it runs."""
        if args and args[0] in LAZY_COMMANDS and args[0] not in self.commands:
            self.add_command(load_lazy_command(args[0]), args[0])
        return super().resolve_command(ctx, args)


app = typer.Typer(
    help="watchhouse: answer the public well, and prove it.",
    no_args_is_help=True,
    cls=LazyCommandGroup,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
console = Console()
err = Console(stderr=True)


def _settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        for e in exc.errors():
            err.print(f"[red]configuration[/red] {'.'.join(map(str, e['loc'])) or ''}: {e['msg']}")
        raise typer.Exit(2) from exc


def _context(settings: Settings, *, create: bool = False) -> AppContext:
    from watchhouse.policy import PolicyError
    from watchhouse.services.context import StoreMissing, build_context

    try:
        return build_context(settings, create=create)
    except StoreMissing as exc:
        err.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(2) from exc
    except PolicyError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the schema of the configured database."""
    from watchhouse.db.migrate import upgrade

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
    temporary: Annotated[
        bool,
        typer.Option(
            "--temporary",
            help="the password is temporary: the user must choose their own at the next sign-in",
        ),
    ] = False,
) -> None:
    """Add a user."""
    from watchhouse.services import accounts

    ctx = _context(_settings(), create=True)
    try:
        user = accounts.add_user(
            ctx,
            username=username,
            display_name=name,
            role=role,
            password=password,
            must_change_password=temporary,
        )
    except (ValidationFailed, Conflict) as exc:
        err.print(f"[red]not added[/red]: {exc}")
        raise typer.Exit(1) from exc
    console.print(f"added {user.username} ({user.role.label})")


@users_app.command("list")
def users_list() -> None:
    """List users."""
    from watchhouse.services.user_list import quick_user_list

    settings = _settings()
    found = quick_user_list(settings.resolved_database_url)
    if found is None:  # no store, or one due a migration: the full path says so or migrates
        from watchhouse.services import accounts

        found = accounts.list_users(_context(settings))
    table = Table("username", "name", "role", "state")
    for u in found:
        state = "active" if u.active else "deactivated"
        if u.active and u.locked_until is not None:
            state = f"locked until {u.locked_until:%Y-%m-%d %H:%M} UTC"
        table.add_row(u.username, u.display_name, u.role.label, state)
    console.print(table)


@users_app.command("token")
def users_token(username: str) -> None:
    """Issue a bearer token (for telephony and other force systems) acting as the user."""
    from watchhouse.services import accounts

    try:
        token = accounts.issue_api_token(_context(_settings()), username=username)
    except ValidationFailed as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(token)


cli_users.register(users_app)


@app.command()
def repeats(
    day: Annotated[str, typer.Argument(help="the local day to check, YYYY-MM-DD")],
    as_user: Annotated[str, typer.Option("--as-user", help="who runs the batch (logged)")],
) -> None:
    """List everyone who crossed a repeat-contact threshold on a day (the daily batch)."""
    from watchhouse.services.imports import importing_actor
    from watchhouse.services.plans import run_daily_batch, subject_titles

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
    for crossing, who in zip(found, subject_titles(ctx, crossings=found), strict=True):
        table.add_row(
            crossing.basis.value,
            who,
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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from watchhouse.services.synth import SynthRequest, synth_to_database, synth_to_parquet

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
            ctx = _context(_settings(), create=True)
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


def _port_free(host: str, port: int) -> bool:
    """Whether a server could listen on host:port now."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _serve(settings: Settings, ctx: AppContext, *, workers: int = 1) -> None:
    import uvicorn

    from watchhouse.web.app import create_app
    from watchhouse.web.serving import uvicorn_options

    if workers > 1:
        # Each worker is a process of its own with its own connection pool, built from the
        # same settings (passed down as WATCHHOUSE_* variables); the schema was brought up to
        # date once, here, so the workers do not race to migrate it.
        ctx.db.dispose()
        os.environ.update(settings_environment(settings))
        uvicorn.run(
            "watchhouse.web.app:create_worker_app",
            factory=True,
            workers=workers,
            # A worker answers the supervisor's pings only once its imports are done, which
            # takes longer than uvicorn's 5 s on a loaded machine; it would be killed in a loop.
            timeout_worker_healthcheck=60,
            **uvicorn_options(host=settings.host, port=settings.port),
        )
        return
    uvicorn.run(
        create_app(settings, context=ctx),
        **uvicorn_options(host=settings.host, port=settings.port),
    )


def settings_environment(settings: Settings) -> dict[str, str]:
    """The WATCHHOUSE_* variables that rebuild these settings in another process."""
    found: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        found[f"WATCHHOUSE_{name.upper()}"] = text
    return found


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="server processes sharing the port (sessions, the live queue and the "
            "measures' snapshot live in the store, so any worker serves any request)",
        ),
    ] = 1,
) -> None:
    """Serve the web app and API."""
    overrides: dict[str, object] = {}
    if host:
        overrides["host"] = host
    if port:
        overrides["port"] = port
    settings = _settings(**overrides)
    _serve(settings, _context(settings, create=True), workers=workers)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="build the demo and stop")] = False,
    scale: Annotated[
        float, typer.Option(help="size of the synthetic history relative to the default profile")
    ] = 0.01,
) -> None:
    """Build a fresh demo force in data/demo and serve it, printing the logins."""
    from rich.progress import Progress

    from watchhouse.services.demo import build_demo

    base = _settings()
    if base.environment == "production":
        err.print("[red]the demo cannot run with WATCHHOUSE_ENVIRONMENT=production[/red]")
        raise typer.Exit(2)
    data_dir = base.data_dir / "demo"
    if scale <= 0:
        err.print("[red]--scale must be positive[/red]")
        raise typer.Exit(2)
    if not no_serve and not _port_free(base.host, port):
        # before the old demo is deleted or a new one built: a demo already serving from this
        # folder keeps its store, and no one waits two minutes for "address already in use"
        err.print(
            f"[red]port {port} on {base.host} is in use (another demo or server?): "
            f"stop it, or run the demo on another port: scripts/dev demo --port {port + 1}[/red]"
        )
        raise typer.Exit(2)
    if data_dir.exists():
        shutil.rmtree(data_dir)
    settings = _settings(data_dir=Path(data_dir), database_url=None, port=port)
    ctx = _context(settings, create=True)
    with Progress(console=console) as bar:
        task = bar.add_task("building the demo force", total=None)
        logins = build_demo(
            ctx, lambda done, total: bar.update(task, completed=done, total=total), scale=scale
        )
    table = Table("username", "password", "role", title=f"{ctx.policy.force.name}: demo logins")
    for login in logins:
        table.add_row(login.username, login.password, login.role.label)
    console.print(table)
    console.print(
        f"The demo's store is in {data_dir}: to run other commands on it, "
        f"export WATCHHOUSE_DATA_DIR={data_dir}"
    )
    if no_serve:
        return
    console.print(f"Open http://{settings.host}:{settings.port} and sign in. Ctrl-C stops.")
    _serve(settings, ctx)


def main() -> None:
    """Entry point."""
    app()


if __name__ == "__main__":
    main()
