"""`watchhouse users deactivate|reactivate|unlock|reset-password|set-role|revoke-tokens` end to
end on a SQLite file: done as a named administrator, refused clearly otherwise, and logged."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cli_support import Invoke, cli_in

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_outside_settings")]

TEMPORARY = "otter lantern gravel"


@pytest.fixture
def invoke(tmp_path: Path) -> Invoke:
    """Run the CLI with WATCHHOUSE_DATA_DIR=tmp_path, with `admin` and `alice` (a handler)."""
    run = cli_in(tmp_path)
    for username, role in (("admin", "administrator"), ("alice", "call_handler")):
        added = run(
            "users", "add", username, "--role", role, "--name", username.title(),
            "--password", "longenough123",
        )  # fmt: skip
        assert added.exit_code == 0, added.output
    return run


def _flat(text: str) -> str:
    return " ".join(text.split())


def _logged(tmp_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "watchhouse.sqlite3") as connection:
        rows = connection.execute(
            "SELECT username, justification FROM access_log "
            "WHERE operation = 'alteration' AND record_type = 'user' ORDER BY id"
        ).fetchall()
    return [(str(who), str(what)) for who, what in rows]


def test_each_account_action_runs_as_the_administrator_and_is_logged(invoke, tmp_path):
    steps = [
        ("deactivate", "alice"),
        ("reactivate", "alice"),
        ("unlock", "alice"),
        ("set-role", "alice", "--role", "dispatcher"),
        ("revoke-tokens", "alice"),
    ]
    for step in steps:
        result = invoke("users", *step, "--as-user", "admin")
        assert result.exit_code == 0, result.output
    reset = invoke(
        "users", "reset-password", "alice", "--as-user", "admin", input=f"{TEMPORARY}\n" * 2
    )
    assert reset.exit_code == 0, reset.output
    listed = invoke("users", "list")
    assert "Dispatcher" in listed.output
    invoke("users", "deactivate", "alice", "--as-user", "admin")
    assert "deactivated" in invoke("users", "list").output
    logged = _logged(tmp_path)
    assert [who for who, _ in logged] == ["admin"] * 7
    assert "role changed from call_handler to dispatcher (alice)" in [what for _, what in logged]


def test_a_user_without_manage_users_is_refused_and_nothing_changes(invoke, tmp_path):
    refused = invoke("users", "set-role", "alice", "--role", "administrator", "--as-user", "alice")
    assert refused.exit_code == 1
    assert "alice (Call handler) may not manage user accounts" in _flat(refused.stderr)
    assert _logged(tmp_path) == []


def test_clear_refusals_for_unknown_user_own_account_and_last_administrator(invoke):
    unknown = invoke("users", "deactivate", "nobody", "--as-user", "admin")
    assert unknown.exit_code == 1
    assert "no user 'nobody'" in _flat(unknown.stderr)
    own = invoke("users", "deactivate", "admin", "--as-user", "admin")
    assert own.exit_code == 1
    assert "you cannot deactivate your own account" in _flat(own.stderr)
    demoted = invoke("users", "set-role", "admin", "--role", "analyst", "--as-user", "admin")
    assert demoted.exit_code == 1
    assert "admin is the last active administrator" in _flat(demoted.stderr)


def test_a_weak_temporary_password_is_refused(invoke):
    weak = invoke(
        "users", "reset-password", "alice", "--as-user", "admin", input="password12\n" * 2
    )
    assert weak.exit_code == 1
    assert "nothing done" in _flat(weak.stderr)


def _must_change(tmp_path: Path) -> dict[str, bool]:
    with sqlite3.connect(tmp_path / "watchhouse.sqlite3") as connection:
        rows = connection.execute("SELECT username, must_change_password FROM users").fetchall()
    return {str(name): bool(flag) for name, flag in rows}


def test_reset_password_and_a_temporary_add_make_the_user_change_it_at_next_sign_in(
    invoke, tmp_path
):
    assert _must_change(tmp_path) == {"admin": False, "alice": False}
    reset = invoke(
        "users", "reset-password", "alice", "--as-user", "admin", input=f"{TEMPORARY}\n" * 2
    )
    assert reset.exit_code == 0, reset.output
    added = invoke(
        "users", "add", "bob", "--role", "officer", "--name", "Bob",
        "--password", TEMPORARY, "--temporary",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert _must_change(tmp_path) == {"admin": False, "alice": True, "bob": True}
