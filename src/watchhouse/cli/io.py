"""`watchhouse import` and `watchhouse export`: progress bars and a summary, nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from watchhouse.cli import _context as open_context
from watchhouse.cli import _settings as settings_from_environment
from watchhouse.config import Settings
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Action, Actor
from watchhouse.io import force_files
from watchhouse.io.csv_table import UnreadableFile
from watchhouse.io.force_mapping import MappingError, load_mapping
from watchhouse.io.rejects import default_report_path
from watchhouse.policy import Policy, PolicyError, load_policy
from watchhouse.services import export as export_service
from watchhouse.services import imports
from watchhouse.services.context import AppContext

import_app = typer.Typer(help="Import public or force data.", no_args_is_help=True)
export_app = typer.Typer(help="Export the store.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

AsUser = Annotated[
    str | None,
    typer.Option(
        "--as-user",
        help="the user the work is logged as (default: the first active administrator)",
    ),
]
ReportOption = Annotated[
    Path | None,
    typer.Option(
        "--report",
        help="where to write the rejected rows (CSV); a directory when importing several "
        "files; default <name>.rejected.csv next to each input",
    ),
]


def _context(*, create: bool = False) -> AppContext:
    """The store the environment's settings name, as every root command opens it."""
    return open_context(settings_from_environment(), create=create)


def _policy() -> Policy:
    """The force's policy alone, for commands that work on files and never open the store."""
    try:
        return load_policy(Settings().policy_file)
    except ValidationError as exc:
        for e in exc.errors():
            err.print(f"[red]configuration[/red] {'.'.join(map(str, e['loc']))}: {e['msg']}")
        raise typer.Exit(2) from exc
    except PolicyError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


def _actor(ctx: AppContext, username: str | None, action: Action, what: str = "") -> Actor:
    """The --as-user user, refused (exit 1, saying why) unless active and allowed the action."""
    try:
        return imports.importing_actor(ctx, username=username, action=action, what=what)
    except ValidationFailed as exc:
        err.print(f"[red]nothing done[/red]: {exc.problems[0].reason}")
        raise typer.Exit(1) from exc


@contextmanager
def _progress() -> Iterator[Progress]:
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        yield progress


def _tracker(progress: Progress, task: TaskID) -> imports.Progress:
    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return update


def _summary(results: list[imports.ImportResult], title: str) -> None:
    table = Table("file", "kind", "batch", "read", "added", "duplicate", "rejected", title=title)
    for r in results:
        table.add_row(
            r.source_file.name,
            r.kind,
            str(r.batch_id),
            str(r.rows_read),
            str(r.rows_added),
            str(r.rows_duplicate),
            str(r.rows_rejected),
        )
    console.print(table)
    for r in results:
        if r.rows_rejected:
            console.print(f"rejected rows of {r.source_file.name}: {r.report}", soft_wrap=True)


def _report_for(path: Path, report: Path | None, several: bool) -> Path | None:
    if report is None:
        return None
    if several:
        return report / default_report_path(path).name
    return report


@import_app.command("police-uk")
def import_police_uk(
    files: Annotated[
        list[Path],
        typer.Argument(help="data.police.uk CSV files (street, outcomes, stop-and-search)"),
    ],
    report: ReportOption = None,
    force: Annotated[
        str | None,
        typer.Option(
            help="the data.police.uk force id (e.g. west-yorkshire) of files whose name does "
            "not say it (required for stop and search)"
        ),
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Import data.police.uk files: each file whole or not at all; bad rows are reported."""
    ctx = _context(create=True)
    actor = _actor(ctx, as_user, Action.IMPORT_DATA)
    results: list[imports.ImportResult] = []
    failed = 0
    with _progress() as progress:
        for path in files:
            task = progress.add_task(path.name, total=None)
            try:
                result = imports.import_police_uk(
                    ctx,
                    actor=actor,
                    path=path,
                    report=_report_for(path, report, len(files) > 1),
                    force=force,
                    progress=_tracker(progress, task),
                )
            except UnreadableFile as exc:
                progress.update(task, description=f"{path.name} [red]refused[/red]")
                err.print(f"[red]{path}: not imported[/red]: {exc}")
                failed += 1
                continue
            results.append(result)
    _summary(results, "data.police.uk import")
    if failed:
        raise typer.Exit(1)


@import_app.command("force-export")
def import_force_export(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="the force's contact and incident export: CSV files, folders of them, or "
            "glob patterns (quoted), imported in the order given"
        ),
    ],
    mapping: Annotated[
        Path, typer.Option("--mapping", help="the TOML mapping file (see docs/data-formats.md)")
    ],
    report: ReportOption = None,
    as_user: AsUser = None,
) -> None:
    """Import a force's own contacts and incidents, read through a mapping file."""
    try:
        checked = load_mapping(mapping)
    except MappingError as exc:
        err.print(f"[red]mapping {mapping} refused[/red]: {exc}")
        raise typer.Exit(2) from exc
    try:
        paths = force_files.expand_inputs(files)
    except UnreadableFile as exc:
        err.print(f"[red]nothing imported[/red]: {exc}")
        raise typer.Exit(1) from exc
    ctx = _context(create=True)
    actor = _actor(ctx, as_user, Action.IMPORT_DATA)
    several = len(paths) > 1
    if several and report is not None:
        report.mkdir(parents=True, exist_ok=True)
    results: list[imports.ImportResult] = []
    failed = False
    with _progress() as progress:

        def track(path: Path) -> imports.Progress:
            return _tracker(progress, progress.add_task(path.name, total=None))

        try:
            for path, outcome in imports.each_force_export(
                ctx,
                actor=actor,
                files=paths,
                mapping=checked,
                report_for=lambda path: _report_for(path, report, several),
                progress=track,
            ):
                if isinstance(outcome, UnreadableFile):
                    err.print(f"[red]{path}: not imported[/red]: {outcome}")
                    failed = True
                else:
                    results.append(outcome)
        except MappingError as exc:
            err.print(f"[red]mapping {mapping} refused[/red]: {exc}")
            raise typer.Exit(2) from exc
    _summary(results, f"force export import ({checked.source})")
    for r in results:
        if r.rows_filtered or r.warnings:
            console.print(
                f"{r.source_file.name}: {r.rows_filtered} rows left out by the filter, "
                f"{r.warnings} warnings (dropped values, missing or repeated columns): "
                f"{r.report}",
                soft_wrap=True,
            )
    if failed:
        raise typer.Exit(1)


@import_app.command("records")
def import_records(
    kind: Annotated[str, typer.Argument(help="crimes, victims, suspects, events or tasks")],
    files: Annotated[
        list[Path],
        typer.Argument(help="the records system's CSV files of that kind, folders or globs"),
    ],
    mapping: Annotated[
        Path, typer.Option("--mapping", help="the TOML mapping file (see docs/data-formats.md)")
    ],
    report: ReportOption = None,
    as_user: AsUser = None,
) -> None:
    """Import a records system's crimes, victims, suspects, key events or bureau tasks (import
    the crimes first); a row already imported is found by the source's id and updated if it
    changed."""
    from rich.markup import escape

    from watchhouse.io.records_import import RecordKind, load_records_mapping
    from watchhouse.services.records_import import import_records as run

    try:
        record_kind = RecordKind(kind)
        checked = load_records_mapping(mapping)
        checked.kind(record_kind)
    except ValueError as exc:
        err.print(f"[red]nothing imported[/red]: {escape(str(exc))}")
        raise typer.Exit(2) from exc
    ctx = _context(create=True)
    actor = _actor(ctx, as_user, Action.IMPORT_DATA)
    if report is not None:
        report.mkdir(parents=True, exist_ok=True)
    try:
        results = run(
            ctx, actor=actor, kind=record_kind, paths=files, mapping=checked, report_dir=report
        )
    except UnreadableFile as exc:
        err.print(f"[red]not imported[/red]: {escape(str(exc))}")
        raise typer.Exit(1) from exc
    _summary(results, f"records import: {kind} ({checked.source})")
    for r in results:
        console.print(
            f"{r.source_file.name}: {r.rows_updated} updated, {r.rows_filtered} left out by "
            f"the filter, {r.warnings} warnings: {r.report}",
            soft_wrap=True,
        )


def _import_telephony(
    files: list[Path], mapping: Path, kind: str, report: Path | None, as_user: str | None
) -> None:
    """The two telephony imports: files, folders or globs read through a mapping."""
    from watchhouse.io.telephony_files import load_telephony_mapping
    from watchhouse.services.telephony_imports import import_telephony_file

    try:
        checked = load_telephony_mapping(mapping, "calls" if kind == "calls" else "intervals")
        paths = force_files.expand_inputs(files)
    except (MappingError, UnreadableFile) as exc:
        err.print(f"[red]nothing imported[/red]: {exc}")
        raise typer.Exit(2 if isinstance(exc, MappingError) else 1) from exc
    ctx = _context(create=True)
    actor = _actor(ctx, as_user, Action.IMPORT_DATA)
    if len(paths) > 1 and report is not None:
        report.mkdir(parents=True, exist_ok=True)
    results: list[imports.ImportResult] = []
    failed = False
    with _progress() as progress:
        for path in paths:
            task = progress.add_task(path.name, total=None)
            try:
                results.append(
                    import_telephony_file(
                        ctx,
                        actor=actor,
                        path=path,
                        mapping=checked,
                        report=_report_for(path, report, len(paths) > 1),
                        progress=_tracker(progress, task),
                    )
                )
            except UnreadableFile as exc:
                err.print(f"[red]{path}: not imported[/red]: {exc}")
                failed = True
    _summary(results, f"telephony {kind} import ({checked.source})")
    if failed:
        raise typer.Exit(1)


TelephonyFiles = Annotated[
    list[Path], typer.Argument(help="CSV files, folders of them, or glob patterns (quoted)")
]
TelephonyMappingOption = Annotated[
    Path, typer.Option("--mapping", help="the TOML mapping file (see docs/data-formats.md)")
]


@import_app.command("telephony-calls")
def import_telephony_calls(
    files: TelephonyFiles,
    mapping: TelephonyMappingOption,
    report: ReportOption = None,
    as_user: AsUser = None,
) -> None:
    """Import the telephony platform's per-call records (idempotent on its call id)."""
    _import_telephony(files, mapping, "calls", report, as_user)


@import_app.command("telephony-intervals")
def import_telephony_intervals(
    files: TelephonyFiles,
    mapping: TelephonyMappingOption,
    report: ReportOption = None,
    as_user: AsUser = None,
) -> None:
    """Import the telephony platform's interval statistics (per 15 or 30 minutes and queue)."""
    _import_telephony(files, mapping, "intervals", report, as_user)


@export_app.command("parquet")
def export_parquet(
    directory: Annotated[Path, typer.Argument(help="where to write <table>.parquet files")],
    justification: Annotated[
        str, typer.Option(help="why the data is disclosed (logged in the access log)")
    ],
    recipient: Annotated[
        str, typer.Option(help="who receives the data (logged)")
    ] = export_service.DEFAULT_RECIPIENT,
    tables: Annotated[
        str | None, typer.Option(help="comma-separated tables to export (default: every table)")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Export the store's tables to Parquet (no sessions, no password hashes); logged."""
    ctx = _context()
    actor = _actor(ctx, as_user, Action.EXPORT_DATA)
    chosen = [t for t in (tables or "").split(",") if t.strip()] or None
    with _progress() as progress:
        task = progress.add_task("export", total=None)
        try:
            result = export_service.export_parquet(
                ctx,
                actor=actor,
                directory=directory,
                justification=justification,
                recipient=recipient,
                tables=chosen,
                progress=_tracker(progress, task),
            )
        except ValidationFailed as exc:
            err.print(f"[red]nothing exported[/red]: {exc}")
            raise typer.Exit(2) from exc
    summary = Table("table", "rows", "file", title=f"Parquet export to {directory}")
    for t in result.tables:
        summary.add_row(t.name, str(t.rows), t.path.name)
    console.print(summary)
    console.print(f"{len(result.tables)} tables, {result.rows} rows; logged as a disclosure")
