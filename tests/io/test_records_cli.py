"""`watchhouse import records KIND FILES --mapping M.toml` end to end on a SQLite file: crimes
then suspects, a summary with the updated count, a re-run that duplicates nothing, and a
mapping refused by the key at fault."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from watchhouse import cli
from watchhouse.config import Settings
from watchhouse.db.repositories import users as user_repo
from watchhouse.domain.roles import Role
from watchhouse.services.context import build_context

MAPPING = """
source = "athena"
null_tokens = ["N/A"]
[crimes.columns]
external_ref = "CrimeRef"
recorded_at = "Recorded"
crime_type = "Type"
crime_group = "Group"
outcome = "Outcome"
outcome_at = "OutcomeAt"
[suspects.columns]
external_ref = "SuspectRef"
crime_ref = "CrimeRef"
description = "Suspect"
identified = "Identified"
"""


pytestmark = pytest.mark.usefixtures("no_outside_settings")


def test_records_are_imported_from_the_command_line_and_a_rerun_adds_nothing(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    ctx = build_context(Settings(environment="test", data_dir=data), create=True)
    with ctx.db.transaction() as session:
        user_repo.add_user(
            session=session,
            username="admin",
            display_name="Admin",
            role=Role.ADMINISTRATOR,
            password_hash="not-a-real-hash",
            now=ctx.now(),
        )
    ctx.db.dispose()
    mapping = tmp_path / "athena.toml"
    mapping.write_text(MAPPING)
    crimes = tmp_path / "crimes.csv"
    crimes.write_text(
        "CrimeRef,Recorded,Type,Group,Outcome,OutcomeAt\n"
        "A1,2025-01-06 10:00,Burglary,Burglary,N/A,N/A\n"
        "A2,2025-01-07 11:00,Shoplifting,Theft offences,1,2025-01-20 09:00\n"
        "A3,2025-01-08 12:00,Shoplifting,Theft offences,1,N/A\n"
    )
    suspects = tmp_path / "suspects.csv"
    suspects.write_text(
        "SuspectRef,CrimeRef,Suspect,Identified\nS1,A1,tall man in a red coat,no\nS2,A2,,yes\n"
    )
    runner = CliRunner()
    env = {"WATCHHOUSE_DATA_DIR": str(data)}

    def run(*args: str):
        return runner.invoke(cli.app, ["import", "records", *args], env=env)

    first = run("crimes", str(crimes), "--mapping", str(mapping))
    assert first.exit_code == 0, first.output
    assert "records import: crimes (athena)" in " ".join(first.stdout.split())
    report = (tmp_path / "crimes.rejected.csv").read_text()
    assert "4,OutcomeAt,,outcome 1 needs the time it was given (outcome_at)" in report
    assert run("suspects", str(suspects), "--mapping", str(mapping)).exit_code == 0
    again = run("crimes", str(crimes), "--mapping", str(mapping))
    assert again.exit_code == 0
    assert "0 updated" in again.stdout
    with sqlite3.connect(data / "watchhouse.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM crimes").fetchone() == (2,)
        assert db.execute(
            "SELECT external_ref, description, identified FROM crime_suspects ORDER BY 1"
        ).fetchall() == [("S1", "tall man in a red coat", 0), ("S2", "", 1)]
        assert db.execute(
            "SELECT rows_added, rows_duplicate FROM import_batches ORDER BY id"
        ).fetchall() == [(2, 0), (2, 0), (0, 2)]

    missing = run("victims", str(suspects), "--mapping", str(mapping))
    assert missing.exit_code == 2
    assert "the mapping has no [victims] table" in " ".join(missing.stderr.split())
