"""`watchhouse teams` end to end on a SQLite file in a temporary data directory."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from watchhouse import cli

pytestmark = pytest.mark.integration

Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def no_outside_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing from the developer's shell reaches Settings."""
    for name in list(os.environ):
        if name.startswith("WATCHHOUSE_"):
            monkeypatch.delenv(name)


@pytest.fixture
def invoke(tmp_path: Path) -> Invoke:
    """Run the CLI with WATCHHOUSE_DATA_DIR=tmp_path."""
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(cli.app, list(args), env={"WATCHHOUSE_DATA_DIR": str(tmp_path)})

    return run


def _flat(text: str) -> str:
    return " ".join(text.split())


def _user(invoke: Invoke, username: str, role: str) -> None:
    added = invoke(
        "users", "add", username, "--role", role, "--name", username.title(),
        "--password", "longenough123",
    )  # fmt: skip
    assert added.exit_code == 0, added.output


def test_administrator_adds_a_team_assigns_a_handler_and_lists_it(invoke):
    _user(invoke, "admin", "administrator")
    _user(invoke, "sgt", "supervisor")
    _user(invoke, "alice", "call_handler")
    added = invoke(
        "teams", "add", "control-a", "--name", "Control room A", "--kind", "control_room",
        "--supervisor", "sgt", "--as-user", "admin",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "added team control-a (Control room A, Control room); supervisor sgt" in _flat(
        added.stdout
    )
    assigned = invoke("teams", "assign", "alice", "--team", "control-a", "--as-user", "admin")
    assert assigned.exit_code == 0, assigned.output
    listed = invoke("teams", "list")
    row = next(line for line in listed.stdout.splitlines() if "control-a" in line)
    assert "sgt" in row and row.rstrip(" │").endswith("1")


def test_only_an_administrator_manages_teams(invoke):
    _user(invoke, "admin", "administrator")
    _user(invoke, "alice", "call_handler")
    refused = invoke(
        "teams", "add", "resp", "--name", "Response", "--kind", "response", "--as-user", "alice"
    )
    assert refused.exit_code == 1
    assert "may not manage teams" in _flat(refused.stderr)


def test_assigning_to_an_unknown_team_says_which(invoke):
    _user(invoke, "admin", "administrator")
    refused = invoke("teams", "assign", "admin", "--team", "nowhere", "--as-user", "admin")
    assert refused.exit_code == 1
    assert "no team 'nowhere'" in _flat(refused.stderr)
