"""`watchhouse import telephony-calls` and `telephony-intervals` on the documented examples:
progress and a summary, the rejected rows reported, a re-run adding nothing; and the answer
measure broken down by the source it was computed from."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from watchhouse import cli
from watchhouse.config import Settings
from watchhouse.db.repositories import users as user_repo
from watchhouse.domain.roles import Role
from watchhouse.services.context import build_context

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_outside_settings")]

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def test_the_documented_telephony_exports_import_and_feed_the_answer_measure(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    ctx = build_context(Settings(environment="test", data_dir=data), create=True)
    with ctx.db.transaction() as session:
        for role in (Role.ADMINISTRATOR, Role.ANALYST):
            user_repo.add_user(
                session=session,
                username=role.value,
                display_name=role.label,
                role=role,
                password_hash="x",
                now=ctx.now(),
            )
    ctx.db.dispose()
    runner = CliRunner()

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(
            cli.app, list(args), env={"WATCHHOUSE_DATA_DIR": str(data), "COLUMNS": "200"}
        )

    reports = tmp_path / "reports"
    for kind in ("calls", "intervals"):
        result = run(
            "import",
            f"telephony-{kind}",
            str(EXAMPLES / f"telephony-{kind}.csv"),
            "--mapping",
            str(EXAMPLES / f"telephony-{kind}-mapping.toml"),
            "--report",
            str(reports / f"{kind}.rejected.csv"),
        )
        assert result.exit_code == 0, result.output
        assert f"telephony {kind} import (acd)" in result.stdout
        assert "rejected rows of" in result.stdout
    # As docs/data-formats.md says: row 8's answer before presentation, row 7's threshold.
    for kind, row, column in (("calls", "8", "Answered"), ("intervals", "7", "Ans 10s")):
        with open(reports / f"{kind}.rejected.csv", encoding="utf-8", newline="") as f:
            (rejected,) = list(csv.DictReader(f))
        assert (rejected["row"], rejected["column"]) == (row, column)
    again = run(
        "import",
        "telephony-calls",
        str(EXAMPLES / "telephony-calls.csv"),
        "--mapping",
        str(EXAMPLES / "telephony-calls-mapping.toml"),
        "--report",
        str(reports / "again.csv"),
    )
    assert again.exit_code == 0, again.output
    with sqlite3.connect(data / "watchhouse.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM telephony_calls").fetchone() == (6,)
        assert connection.execute("SELECT count(*) FROM telephony_intervals").fetchone() == (5,)
    bad = run(
        "import",
        "telephony-intervals",
        str(EXAMPLES / "telephony-intervals.csv"),
        "--mapping",
        str(EXAMPLES / "telephony-calls-mapping.toml"),
    )
    assert bad.exit_code == 2 and "columns" in bad.stderr
    # 5 March 2026, 999: per-call records (better than the intervals that day): ACD-0001 in
    # 6 s, ACD-0002 in 12 s, ACD-0003 abandoned: 1 of 3 within 10 s.
    shown = run(
        "measures",
        "contact.999_answered_within_10s",
        "--by",
        "answer_source",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--as-user",
        "analyst",
    )
    assert shown.exit_code == 0, shown.output
    assert "telephony_calls" in shown.stdout and "33.3%" in shown.stdout
