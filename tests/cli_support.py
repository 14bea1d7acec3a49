"""Running the command line in tests against one data directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from watchhouse import cli

Invoke = Callable[..., Result]


def cli_in(data_dir: Path) -> Invoke:
    """Run the CLI with WATCHHOUSE_DATA_DIR=data_dir plus any extra env, and optional input."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None, **env: str) -> Result:
        return runner.invoke(
            cli.app, list(args), env={"WATCHHOUSE_DATA_DIR": str(data_dir), **env}, input=input
        )

    return run
