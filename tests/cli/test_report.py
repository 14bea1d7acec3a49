"""`watchhouse report`: the pack is written where asked, by someone who may see the board."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from watchhouse import cli

pytestmark = pytest.mark.integration


@pytest.fixture
def invoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in list(os.environ):
        if name.startswith("WATCHHOUSE_"):
            monkeypatch.delenv(name)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli.app, list(args), env={"WATCHHOUSE_DATA_DIR": str(tmp_path)})

    for user, role in (("erin", "analyst"), ("hal", "call_handler")):
        added = run(
            "users", "add", user, "--role", role, "--name", user, "--password", "longenough1"
        )
        assert added.exit_code == 0, added.output
    return run


def test_report_writes_the_html_pack_into_the_directory_given(invoke, tmp_path):
    out = tmp_path / "packs"
    result = invoke(
        "report", "--month", "2024-05", "--as-user", "erin", "--out", str(out), "--no-pdf"
    )
    assert result.exit_code == 0, result.output
    written = out / "performance-pack-2024-05.html"
    assert written.exists()
    assert "May 2024" in written.read_text(encoding="utf-8")


def test_report_without_chromium_writes_the_html_and_fails_with_the_reason(invoke, tmp_path):
    result = invoke(
        "report", "--month", "2024-05", "--as-user", "erin", "--chromium", "/nowhere/chromium"
    )
    assert result.exit_code == 1
    assert (tmp_path / "reports" / "performance-pack-2024-05.html").exists()
    assert "apt install chromium" in result.output


def test_report_refuses_a_bad_month_and_a_role_without_the_board(invoke, tmp_path):
    bad = invoke("report", "--month", "May", "--as-user", "erin", "--no-pdf")
    assert bad.exit_code == 2
    assert "give a month as YYYY-MM" in bad.output
    refused = invoke("report", "--month", "2024-05", "--as-user", "hal", "--no-pdf")
    assert refused.exit_code == 1
    assert "may not view the board" in refused.output
    assert not (tmp_path / "reports").exists()
