"""`watchhouse import` and `watchhouse export` end to end on a SQLite file in a temporary data
directory: progress and summary printed, reports written, the right exit codes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from cli_support import Invoke, cli_in
from watchhouse.config import Settings
from watchhouse.db.repositories import users as user_repo
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Settlement
from watchhouse.services import reference
from watchhouse.services.context import build_context

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_outside_settings")]

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def invoke(data_dir: Path) -> Invoke:
    """Run the CLI with WATCHHOUSE_DATA_DIR set to the test's data directory."""
    return cli_in(data_dir)


@pytest.fixture
def store(data_dir: Path):
    """The CLI's store, with a user of each role named in `add_users`."""
    ctx = build_context(Settings(environment="test", data_dir=data_dir))

    def add_users(*roles: Role) -> None:
        with ctx.db.transaction() as session:
            for role in roles:
                user_repo.add_user(
                    session=session,
                    username=role.value,
                    display_name=role.label,
                    role=role,
                    password_hash="not-a-real-hash",
                    now=ctx.now(),
                )

    ctx.add_users = add_users  # type: ignore[attr-defined]
    yield ctx
    ctx.db.dispose()


def _query(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "watchhouse.sqlite3") as connection:
        return connection.execute(sql).fetchall()


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_importing_needs_someone_to_import_as(invoke, store, samples, write_csv, data_dir):
    path = write_csv("crimes.csv", samples.street_header, [samples.street()])
    result = invoke("import", "police-uk", str(path))
    assert result.exit_code == 1
    assert "no active administrator" in _flat(result.stderr)
    assert _query(data_dir, "SELECT count(*) FROM import_batches") == [(0,)]
    assert _query(data_dir, "SELECT count(*) FROM police_uk_crimes") == [(0,)]


def test_police_uk_files_import_with_a_summary_and_reports_and_rerun_as_duplicates(
    invoke, store, samples, write_csv, data_dir, tmp_path, read_report
):
    store.add_users(Role.ADMINISTRATOR)
    street = write_csv(
        "2024-01-avon-and-somerset-street.csv",
        samples.street_header,
        [samples.street("a"), samples.asb(), samples.street("b", month="January")],
    )
    searches = write_csv(
        "2024-01-avon-and-somerset-stop-and-search.csv",
        samples.stop_search_header,
        [samples.stop_search()],
    )
    reports = tmp_path / "reports"
    first = invoke("import", "police-uk", str(street), str(searches), "--report", str(reports))
    assert first.exit_code == 0, first.output
    text = _flat(first.stdout)
    assert "data.police.uk import" in text and "rows" in text
    assert _query(data_dir, "SELECT count(*) FROM police_uk_crimes") == [(2,)]
    assert _query(data_dir, "SELECT count(*) FROM police_uk_stop_searches") == [(1,)]
    (rejected,) = read_report(reports / "2024-01-avon-and-somerset-street.rejected.csv")
    assert (rejected["row"], rejected["column"]) == ("4", "Month")
    assert read_report(reports / "2024-01-avon-and-somerset-stop-and-search.rejected.csv") == []

    again = invoke("import", "police-uk", str(street), "--as-user", "administrator")
    assert again.exit_code == 0, again.output
    assert _query(
        data_dir, "SELECT rows_read, rows_added, rows_duplicate, rows_rejected FROM import_batches"
    ) == [(3, 2, 0, 1), (1, 1, 0, 0), (3, 0, 2, 1)]
    assert (tmp_path / "2024-01-avon-and-somerset-street.rejected.csv").exists()
    assert (
        _query(data_dir, "SELECT operation, record_type, username FROM access_log ORDER BY id")
        == [("collection", "import_batch", "administrator")] * 3
    )


def test_a_file_that_is_not_police_uk_is_refused_and_the_others_still_import(
    invoke, store, samples, write_csv, data_dir
):
    store.add_users(Role.ADMINISTRATOR)
    other = write_csv("other.csv", ["a", "b"], [["1", "2"]])
    good = write_csv("good.csv", samples.street_header, [samples.street()])
    result = invoke("import", "police-uk", str(other), str(good))
    assert result.exit_code == 1
    assert "other.csv: not imported" in _flat(result.stderr)
    assert _query(data_dir, "SELECT count(*) FROM police_uk_crimes") == [(1,)]


def test_the_documented_force_export_imports_as_the_named_user(invoke, store, data_dir):
    store.add_users(Role.ADMINISTRATOR, Role.SUPERVISOR)
    for code, settlement in [
        ("central", Settlement.URBAN),
        ("riverside", Settlement.URBAN),
        ("northfield", Settlement.URBAN),
        ("marsh_vale", Settlement.RURAL),
        ("high_moor", Settlement.RURAL),
    ]:
        reference.add_neighbourhood(store, code=code, name=code, settlement=settlement)
    result = invoke(
        "import",
        "force-export",
        str(EXAMPLES / "force-export.csv"),
        "--mapping",
        str(EXAMPLES / "force-export-mapping.toml"),
        "--report",
        str(data_dir / "example.rejected.csv"),
        "--as-user",
        "supervisor",
    )
    assert result.exit_code == 0, result.output
    assert "force export import (storm)" in _flat(result.stdout)
    assert _query(data_dir, "SELECT count(*) FROM contacts WHERE source = 'storm'") == [(8,)]
    # As docs/data-formats.md says: read 8, added 8, duplicate 0, rejected 0; header only.
    assert _query(
        data_dir,
        "SELECT rows_read, rows_added, rows_duplicate, rows_rejected FROM import_batches",
    ) == [(8, 8, 0, 0)]
    report = (data_dir / "example.rejected.csv").read_text(encoding="utf-8")
    assert report.splitlines() == ["row,column,value,reason"]
    assert _query(
        data_dir, "SELECT DISTINCT u.username FROM incidents i JOIN users u ON u.id = i.graded_by"
    ) == [("supervisor",)]


def test_force_export_takes_a_folder_and_a_glob_and_reports_the_filter_once_per_file(
    invoke, store, data_dir, tmp_path
):
    store.add_users(Role.ADMINISTRATOR)
    mapping = tmp_path / "cad.toml"
    mapping.write_text(
        'source = "cad"\n[defaults]\nchannel = "101"\n[filter]\nAgency = "POLICE"\n'
        '[columns]\nexternal_ref = "Ref"\npresented_at = "Received"\n',
        encoding="utf-8",
    )
    weeks = tmp_path / "weeks"
    weeks.mkdir()
    (weeks / "w1.csv").write_text(
        "Ref,Agency,Received\nA1,POLICE,2025-01-06 10:00:00\nF1,FIRE,2025-01-06 10:01:00\n",
        encoding="utf-8",
    )
    (weeks / "w2.csv").write_text(
        "Received,Ref,Agency\n2025-01-13 10:00:00,A2,POLICE\n", encoding="utf-8"
    )
    result = invoke("import", "force-export", str(weeks), "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert "w1.csv: 1 rows left out by the filter" in _flat(result.stdout)
    again = invoke("import", "force-export", str(weeks / "w*.csv"), "--mapping", str(mapping))
    assert again.exit_code == 0, again.output
    assert _query(data_dir, "SELECT external_ref FROM contacts ORDER BY 1") == [("A1",), ("A2",)]
    assert _query(data_dir, "SELECT sum(rows_duplicate) FROM import_batches") == [(2,)]


def test_force_export_files_that_cannot_be_read_are_named_and_the_others_still_import(
    invoke, store, data_dir, tmp_path
):
    """Files are read ahead of storing: an unreadable one between good ones is named, the
    import goes on, and the command fails at the end."""
    store.add_users(Role.ADMINISTRATOR)
    mapping = tmp_path / "cad.toml"
    mapping.write_text(
        'source = "cad"\n[defaults]\nchannel = "101"\n'
        '[columns]\nexternal_ref = "Ref"\npresented_at = "Received"\n',
        encoding="utf-8",
    )
    weeks = tmp_path / "weeks"
    weeks.mkdir()
    (weeks / "w1.csv").write_text("Ref,Received\nA1,2025-01-06 10:00:00\n", encoding="utf-8")
    (weeks / "w2.csv").write_text("Ref,Agency\nA2,POLICE\n", encoding="utf-8")
    (weeks / "w3.csv").write_text("Ref,Received\nA3,2025-01-20 10:00:00\n", encoding="utf-8")
    result = invoke("import", "force-export", str(weeks), "--mapping", str(mapping))
    assert result.exit_code == 1
    assert "w2.csv: not imported" in _flat(result.stderr)
    assert _query(data_dir, "SELECT external_ref FROM contacts ORDER BY 1") == [("A1",), ("A3",)]


def test_a_bad_mapping_is_refused_naming_the_key(invoke, store, tmp_path):
    store.add_users(Role.ADMINISTRATOR)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('source = "cad"\n[columns]\nexternal_ref = "Ref"\n', encoding="utf-8")
    result = invoke(
        "import", "force-export", str(EXAMPLES / "force-export.csv"), "--mapping", str(mapping)
    )
    assert result.exit_code == 2
    assert "columns.presented_at: required" in _flat(result.stderr)


def test_parquet_export_writes_tables_and_logs_a_disclosure(invoke, store, data_dir, tmp_path):
    store.add_users(Role.ADMINISTRATOR, Role.ANALYST)
    out = tmp_path / "parquet"
    result = invoke(
        "export",
        "parquet",
        str(out),
        "--tables",
        "users,roles",
        "--justification",
        "Demand model refresh",
        "--as-user",
        "analyst",
    )
    assert result.exit_code == 0, result.output
    assert "logged as a disclosure" in _flat(result.stdout)
    assert sorted(p.name for p in out.iterdir()) == ["roles.parquet", "users.parquet"]
    assert pq.read_metadata(out / "users.parquet").num_rows == 2
    assert _query(
        data_dir,
        "SELECT username, operation, record_type, justification, recipient FROM access_log",
    ) == [("analyst", "disclosure", "parquet_export", "Demand model refresh", "analytics")]


def test_as_user_whose_role_may_not_export_is_refused_and_nothing_is_written(
    invoke, store, data_dir, tmp_path
):
    store.add_users(Role.ADMINISTRATOR, Role.CALL_HANDLER)
    out = tmp_path / "parquet"
    result = invoke(
        "export",
        "parquet",
        str(out),
        "--tables",
        "people",
        "--justification",
        "curious",
        "--as-user",
        "call_handler",
    )
    assert result.exit_code == 1
    assert "call_handler (Call handler) may not export data" in _flat(result.stderr)
    assert not out.exists()
    assert _query(data_dir, "SELECT count(*) FROM access_log") == [(0,)]


def test_as_user_who_does_not_exist_or_may_not_import_is_refused(
    invoke, store, samples, write_csv, data_dir
):
    store.add_users(Role.ADMINISTRATOR, Role.CALL_HANDLER)
    path = write_csv("crimes.csv", samples.street_header, [samples.street()])
    unknown = invoke("import", "police-uk", str(path), "--as-user", "nobody")
    assert unknown.exit_code == 1
    assert "no active user 'nobody'" in _flat(unknown.stderr)
    handler = invoke("import", "police-uk", str(path), "--as-user", "call_handler")
    assert handler.exit_code == 1
    assert "may not import data" in _flat(handler.stderr)
    assert _query(data_dir, "SELECT count(*) FROM police_uk_crimes") == [(0,)]


def test_parquet_export_without_a_justification_is_a_usage_error(invoke, store, tmp_path):
    store.add_users(Role.ADMINISTRATOR)
    result = invoke("export", "parquet", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "--justification" in result.output
    assert not (tmp_path / "out").exists()
