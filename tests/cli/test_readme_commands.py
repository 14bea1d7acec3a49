"""The README's commands, run as written after the demo command, on a small demo.

The commands are read from README.md itself (its `sh` blocks and the "Command line" table), so
a command added to the README is run here too; placeholders such as USERNAME or DIR are filled
from the demo (see FILLS), and a command the table names that cannot run in a test (it serves
or rebuilds the demo) is listed in NOT_RUN with the reason.
"""

from __future__ import annotations

import csv
import re
import shlex
import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from watchhouse import cli
from watchhouse.io.police_uk import STREET_CRIME

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_outside_settings")]

README = Path(__file__).resolve().parents[2] / "README.md"
# The demo's history at a tenth of the demo's usual size, so the test stays quick.
SMALL_DEMO_SCALE = "0.002"
NOT_RUN = {
    "serve": "serves until stopped (the web tests cover it)",
    "demo": "it is the command the others run after (built once below)",
}
# Only for a command whose defaults would take minutes: the options its row names.
QUICKER = {
    "synth": [
        *("--scale", "0.001", "--start", "2024-01-01", "--end", "2024-01-08"),
        *("--target", "parquet"),
    ],
    "forecast": ["--weeks", "1"],
}


def _sh_lines() -> list[str]:
    """The lines of the README's sh blocks that set the environment or run watchhouse."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.DOTALL)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.startswith(("export WATCHHOUSE_", "uv run watchhouse"))
    ]


def _table_commands() -> list[str]:
    """The first cell of each row of the README's command table."""
    section = README.read_text().split("## Command line", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(watchhouse [^`]+)` \|", section, flags=re.MULTILINE)


def _last_month() -> str:
    return (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def _street_crime_file(folder: Path) -> Path:
    path = folder / "2024-01-test-street.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(STREET_CRIME.headers)
        place = ["-2.59", "51.45", "On or near Park Street", "E01014540", "Bristol 032A"]
        writer.writerow(
            ["c0ffee01", "2024-01", "Test Police", "Test Police", *place, "Burglary", "Unable", ""]
        )
    return path


def _fills(tmp: Path, demo_db: Path) -> list[tuple[str, str]]:
    """Placeholder -> value, longest first, so `[--out DIR]` is filled before `DIR`."""
    with sqlite3.connect(demo_db) as connection:
        left, right = (row[0] for row in connection.execute("SELECT id FROM contacts LIMIT 2"))
    examples = tmp / "examples"  # a copy: the import writes its rejected rows beside its input
    shutil.copytree(README.parent / "docs" / "examples", examples)
    labels = tmp / "labels.csv"  # two of the demo's contacts, labelled as different people
    labels.write_text(f"contact_id,person\n{left},a\n{right},b\n")
    pairs = {
        "docs/examples/": f"{examples}/",
        "LABELS.csv": str(labels),
        '"Full Name"': '"Nia Brown"',
        "USERNAME": "nbrown",
        "ROLE": "call_handler",
        "NEW_ROLE": "dispatcher",
        "FILE...": str(_street_crime_file(tmp)),
        "MAP.toml": str(examples / "force-export-mapping.toml"),
        "CSV": str(examples / "force-export.csv"),
        "LEFT RIGHT": f"{left} {right}",
        "--same/--different": "--different",
        '"..."': '"different dates of birth"',
        "[--supervisor USER]": "--supervisor supervisor",
        "CODE": "nbh_test",
        "NAME": "Test_team",
        "KIND": "neighbourhood",
        "[KEYS...]": "",
        "table\\|csv\\|json": "table",
        "[--force]": "",
        "[--month YYYY-MM]": f"--month {_last_month()}",
        "[--out DIR]": f"--out {tmp / 'reports'}",
        "DIR": str(tmp / "parquet"),
        "DAY": (date.today() - timedelta(days=2)).isoformat(),
        "ADMIN": "admin",
        "SUPERVISOR": "supervisor",
        "AUDITOR": "auditor",
        "ANALYST": "analyst",
        "USER": "analyst",
    }
    return sorted(pairs.items(), key=lambda pair: -len(pair[0]))


def _filled(command: str, fills: list[tuple[str, str]]) -> list[str]:
    for placeholder, value in fills:
        command = command.replace(placeholder, value)
    return shlex.split(command)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project folder of a user who has just run the demo command (small scale)."""
    folder = tmp_path_factory.mktemp("checkout")
    result = CliRunner().invoke(
        cli.app,
        ["demo", "--no-serve", "--scale", SMALL_DEMO_SCALE],
        env={"WATCHHOUSE_DATA_DIR": str(folder / "data")},
    )
    assert result.exit_code == 0, result.output
    with sqlite3.connect(folder / "data" / "demo" / "watchhouse.sqlite3") as connection:
        plans = connection.execute("SELECT count(*) FROM problem_solving_plans").fetchone()[0]
    assert plans > 0, "the demo opens problem-solving plans for the neighbourhood officer"
    return folder


def test_the_readme_commands_run_as_written_on_the_demo(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(demo)
    env: dict[str, str] = {}
    for line in _sh_lines():
        if line.startswith("export "):
            name, value = line.removeprefix("export ").split("=", 1)
            env[name] = value
            continue
        result = CliRunner().invoke(cli.app, shlex.split(line)[3:], env=env)
        assert result.exit_code == 0, f"{line}\n{result.output}"
    assert env == {"WATCHHOUSE_DATA_DIR": "data/demo"}, "the README points commands at the demo"
    fills = _fills(tmp_path, demo / "data" / "demo" / "watchhouse.sqlite3")
    ran, failed = [], []
    for command in _table_commands():
        args = _filled(command, fills)[1:]
        if args[0] in NOT_RUN:
            continue
        args += QUICKER.get(args[0], [])
        result = CliRunner().invoke(cli.app, args, env=env, input="a-long-password\n" * 2)
        if result.exit_code != 0:
            failed.append(f"watchhouse {' '.join(args)}\n{result.output}")
        ran.append(args[0])
    assert not failed, "\n".join(failed)
    assert {"report", "measures", "users", "identity", "audits", "staffing"} <= set(ran)


def test_a_reading_command_on_a_missing_store_says_where_and_creates_nothing(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "data"
    result = CliRunner().invoke(
        cli.app, ["report", "--as-user", "analyst"], env={"WATCHHOUSE_DATA_DIR": str(empty)}
    )
    said = " ".join(result.output.split())
    assert result.exit_code == 2
    assert f"no watchhouse store at {(empty / 'watchhouse.sqlite3').resolve()}" in said
    assert "watchhouse db upgrade" in said
    assert f"WATCHHOUSE_DATA_DIR={empty / 'demo'}" in said
    assert not (empty / "watchhouse.sqlite3").exists()
