"""`watchhouse import` and `watchhouse export` (filled in by the importers' work)."""

from __future__ import annotations

import typer

import_app = typer.Typer(help="Import public or force data.", no_args_is_help=True)
export_app = typer.Typer(help="Export the store.", no_args_is_help=True)
