"""The command starts without the heavy libraries: they load only in the commands that use them.

Behaviour, not timing (the wall times are in bench/cli_startup.py): a fresh interpreter that
imports the CLI, or prints `watchhouse --help`, has not imported statsforecast, splink,
pyspark and the rest.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from watchhouse import cli

pytestmark = pytest.mark.unit

HEAVY = ("statsforecast", "statsmodels", "splink", "pyspark", "pandas", "duckdb", "plotly", "scipy")

PROBE = """
import sys
{run}
print(" ".join(sorted(name for name in {heavy!r} if name in sys.modules)))
"""


def _heavy_loaded_after(run: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(run=run, heavy=HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_importing_the_cli_loads_no_forecasting_linkage_or_dataframe_library() -> None:
    assert _heavy_loaded_after("import watchhouse.cli") == []


def test_watchhouse_help_lists_every_command_without_loading_them() -> None:
    run = (
        "from typer.testing import CliRunner\n"
        "from watchhouse.cli import app\n"
        "out = CliRunner().invoke(app, ['--help']).output\n"
        "assert 'forecast' in out and 'identity' in out, out"
    )
    assert _heavy_loaded_after(run) == []


@pytest.mark.parametrize("name", sorted(cli.LAZY_COMMANDS))
def test_a_lazily_loaded_command_is_listed_with_its_own_help(name: str) -> None:
    command = cli.load_lazy_command(name)
    listed = cli.LAZY_COMMANDS[name][2]
    assert command.name == name
    assert (command.help or "").split("\n")[0].strip() == listed


def test_users_list_on_an_up_to_date_store_imports_neither_alembic_nor_pyarrow(
    tmp_path, monkeypatch
) -> None:
    """Issue 15, point 20: a light command reads the schema version with one SELECT (Alembic
    loads only when a migration is due) and the engine no longer pulls in db/bulk.py."""
    for name in [n for n in __import__("os").environ if n.startswith("WATCHHOUSE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("WATCHHOUSE_DATA_DIR", str(tmp_path))
    from typer.testing import CliRunner

    added = CliRunner().invoke(
        cli.app,
        ["users", "add", "ada", "--role", "administrator", "--name", "Ada",
         "--password", "otter lantern gravel 9"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    run = (
        "from typer.testing import CliRunner\n"
        "from watchhouse.cli import app\n"
        "out = CliRunner().invoke(app, ['users', 'list']).output\n"
        "assert 'ada' in out, out\n"
        "print(' '.join(sorted(m for m in ('alembic', 'pyarrow', 'adbc_driver_sqlite', 'zxcvbn')"
        " if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import sys\n" + run], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == []
