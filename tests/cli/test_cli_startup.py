"""The command starts without the heavy libraries: they load only in the commands that use them.

Behaviour, not timing (the wall times are in bench/cli_startup.py): a fresh interpreter that
imports the CLI, or prints `watchhouse --help`, has not imported statsforecast, splink,
pyspark and the rest.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

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


# What a light command must not load: the ORM and the table definitions, the policy schema,
# the application context, argon2 (hashing), zxcvbn, Alembic, pyarrow, the web framework.
NOT_FOR_USERS_LIST = (
    "sqlalchemy.orm",
    "watchhouse.db.tables",
    "watchhouse.policy.model",
    "watchhouse.services.context",
    "argon2",
    "zxcvbn",
    "pydantic_settings",
    "alembic",
    "pyarrow",
    "adbc_driver_sqlite",
    "fastapi",
)


def _loaded_after_cli(args: list[str], data_dir: str, *, expect: str) -> list[str]:
    """The modules of NOT_FOR_USERS_LIST loaded by a fresh interpreter running the command."""
    run = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from watchhouse.cli import app\n"
        f"done = CliRunner().invoke(app, {args!r})\n"
        f"assert done.exit_code == 0 and {expect!r} in done.output, done.output\n"
        f"print(' '.join(m for m in {NOT_FOR_USERS_LIST!r} if m in sys.modules))"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WATCHHOUSE_")}
    done = subprocess.run(
        [sys.executable, "-c", run],
        capture_output=True,
        text=True,
        check=True,
        env={**environment, "WATCHHOUSE_DATA_DIR": data_dir},
    )
    return done.stdout.split()


@pytest.fixture
def store_with_ada(tmp_path, monkeypatch) -> str:
    for name in [n for n in os.environ if n.startswith("WATCHHOUSE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("WATCHHOUSE_DATA_DIR", str(tmp_path))
    added = CliRunner().invoke(
        cli.app,
        ["users", "add", "ada", "--role", "administrator", "--name", "Ada Lovelace",
         "--password", "otter lantern gravel 9"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    return str(tmp_path)


def test_users_list_on_an_up_to_date_store_loads_no_orm_policy_argon2_or_alembic(
    store_with_ada: str,
) -> None:
    """Issue 15, point 20: `users list` reads the table with SQLAlchemy Core after one SELECT
    of the schema version; argon2 loads only to hash or check a password."""
    assert _loaded_after_cli(["users", "list"], store_with_ada, expect="Ada Lovelace") == []


def test_help_loads_none_of_them_either(store_with_ada: str) -> None:
    assert _loaded_after_cli(["--help"], store_with_ada, expect="users") == []


def test_users_list_migrates_a_store_that_is_behind_and_then_lists(
    store_with_ada: str,
) -> None:
    """The quick path declines a store that is not at the newest migration; the full path
    brings it up to date and lists the same users."""
    from watchhouse.config import Settings
    from watchhouse.db.migrate import downgrade, head_revisions
    from watchhouse.services.user_list import quick_user_list

    url = Settings().resolved_database_url
    downgrade(url, "0017")
    assert quick_user_list(url) is None
    listed = CliRunner().invoke(cli.app, ["users", "list"])
    assert listed.exit_code == 0, listed.output
    assert "Ada Lovelace" in listed.output
    quick = quick_user_list(url)
    assert quick is not None and [u.username for u in quick] == ["ada"]
    assert len(head_revisions()) == 1


def test_users_list_refuses_a_missing_store_without_creating_it(tmp_path, monkeypatch) -> None:
    for name in [n for n in os.environ if n.startswith("WATCHHOUSE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("WATCHHOUSE_DATA_DIR", str(tmp_path / "nowhere"))
    listed = CliRunner().invoke(cli.app, ["users", "list"])
    assert listed.exit_code == 2
    assert "no watchhouse store" in listed.output
    assert not (tmp_path / "nowhere" / "watchhouse.sqlite3").exists()


def test_the_quick_list_shows_deactivated_and_locked_accounts_as_the_full_one_does(
    store_with_ada: str,
) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import create_engine, text

    from watchhouse.config import Settings
    from watchhouse.services import accounts
    from watchhouse.services.context import build_context
    from watchhouse.services.user_list import quick_user_list

    settings = Settings()
    engine = create_engine(settings.resolved_database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE users SET locked_until = '2031-05-06 07:08:00.000000'"))
    engine.dispose()
    quick = quick_user_list(settings.resolved_database_url)
    full = accounts.list_users(build_context(settings))
    assert quick == full
    assert quick[0].locked_until == datetime(2031, 5, 6, 7, 8, tzinfo=UTC)
    listed = CliRunner().invoke(cli.app, ["users", "list"])
    assert "locked until 2031-05-06 07:08 UTC" in listed.output
