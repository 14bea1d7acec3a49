"""`watchhouse teams` end to end on a SQLite file in a temporary data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_support import Invoke, cli_in

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_outside_settings")]


@pytest.fixture
def invoke(tmp_path: Path) -> Invoke:
    """Run the CLI with WATCHHOUSE_DATA_DIR=tmp_path."""
    return cli_in(tmp_path)


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
