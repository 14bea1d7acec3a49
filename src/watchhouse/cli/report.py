"""`watchhouse report`: the monthly performance pack as HTML and PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.status import Status

from watchhouse.auth.permissions import can
from watchhouse.cli.io import _actor, _context
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Action
from watchhouse.services import board, pack

console = Console()
err = Console(stderr=True)


def report(
    as_user: Annotated[
        str, typer.Option("--as-user", help="who writes the pack (an analyst or supervisor)")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="directory to write to (default: <data dir>/reports)"),
    ] = None,
    chromium: Annotated[
        Path, typer.Option(help="the Chromium that prints the PDF")
    ] = pack.CHROMIUM,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="also print the PDF")] = True,
    month: Annotated[
        str | None,
        typer.Option("--month", help="the month of the pack, YYYY-MM (default: last month)"),
    ] = None,
) -> None:
    """Write the monthly performance pack: a self-contained HTML file and a PDF."""
    ctx = _context()
    actor = _actor(ctx, as_user, Action.VIEW_BOARD, "view the board")
    if not can(actor.role, Action.VIEW_BOARD):
        err.print(f"[red]{actor.username} ({actor.role.label}) may not view the board[/red]")
        raise typer.Exit(1)
    try:
        first = board.parse_month(month, field="--month") if month else board.default_month(ctx)
    except ValidationFailed as exc:
        err.print(f"[red]nothing written[/red]: {exc}")
        raise typer.Exit(2) from exc
    where = out or ctx.settings.data_dir / "reports"
    with Status(f"writing the pack for {first:%Y-%m}", console=console):
        try:
            files = pack.write_pack(
                ctx, actor=actor, month=first, out_dir=where, chromium=chromium, pdf=pdf
            )
        except ValidationFailed as exc:
            err.print(f"[red]nothing written[/red]: {exc}")
            raise typer.Exit(2) from exc
    console.print(f"HTML: {files.html}", soft_wrap=True)
    if files.pdf_problem:
        err.print(f"[red]no PDF[/red]: {files.pdf_problem}", soft_wrap=True)
        raise typer.Exit(1)
    if files.pdf:
        console.print(f"PDF:  {files.pdf}", soft_wrap=True)
    if files.blocked_requests:
        err.print(f"[yellow]refused to fetch[/yellow]: {', '.join(files.blocked_requests)}")
