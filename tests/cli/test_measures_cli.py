"""`watchhouse measures` end to end on a SQLite file in a temporary data directory."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from watchhouse import cli
from watchhouse.config import Settings
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel
from watchhouse.services import accounts
from watchhouse.services.contacts import take_contact
from watchhouse.services.context import build_context

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_outside_settings")]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store with an analyst, a call handler and three 999 calls on 7 May 2024 (answered in
    3 s and 12 s, and one abandoned)."""
    ctx = build_context(Settings(data_dir=tmp_path))
    user = accounts.add_user(
        ctx,
        username="handler",
        display_name="H",
        role=Role.CALL_HANDLER,
        password="handler-password-1",
    )
    handler = Actor(user.id, user.username, user.display_name, user.role)
    accounts.add_user(
        ctx,
        username="analyst",
        display_name="A",
        role=Role.ANALYST,
        password="analyst-password-1",
    )
    at = datetime(2024, 5, 7, 9, tzinfo=UTC)
    for wait in (3, 12, None):
        take_contact(
            ctx,
            actor=handler,
            new=NewContact(
                channel=Channel.EMERGENCY_999,
                presented_at=at,
                answered_at=None if wait is None else at + timedelta(seconds=wait),
                abandoned=wait is None,
                summary="a call",
            ),
        )
    ctx.db.dispose()
    return tmp_path


def _run(store: Path, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(
        cli.app, ["measures", *args], env={"WATCHHOUSE_DATA_DIR": str(store), "COLUMNS": "200"}
    )
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_the_catalogue(store: Path) -> None:
    code, out, _ = _run(store, "--list")
    assert code == 0
    assert "contact.999_answered" in out and "investigations.charge" in out


def test_csv_gives_the_999_share_with_the_abandoned_call_counted(store: Path) -> None:
    # 1 of 3 (3 s within; 12 s not; the abandoned call counts against).
    code, out, _ = _run(
        store,
        "contact.999_answered_within_10s",
        "--from",
        "2024-05-01",
        "--to",
        "2024-05-31",
        "--format",
        "csv",
        "--as-user",
        "analyst",
    )
    assert code == 0, out
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert (row["period_label"], row["numerator"], row["denominator"]) == ("2024-05", "1.0", "3.0")


def test_json_by_period_and_an_empty_month(store: Path) -> None:
    code, out, _ = _run(
        store,
        "contact.demand",
        "--from",
        "2024-05-01",
        "--to",
        "2024-06-30",
        "--format",
        "json",
        "--as-user",
        "analyst",
    )
    assert code == 0
    assert [(v["period_label"], v["value"]) for v in json.loads(out)] == [
        ("2024-05", 3.0),
        ("2024-06", None),
    ]


def test_table_is_readable(store: Path) -> None:
    code, out, _ = _run(
        store,
        "contact.999_answered_within_10s",
        "--from",
        "2024-05-01",
        "--to",
        "2024-05-31",
        "--as-user",
        "analyst",
    )
    assert code == 0
    assert "33.3%" in out


def test_unknown_key_unsupported_cut_and_bad_date_are_refused_clearly(store: Path) -> None:
    code, _, err = _run(store, "contact.nonsense", "--as-user", "analyst")
    assert code == 2 and "no measure 'contact.nonsense'" in err
    code, _, err = _run(
        store, "contact.999_answered_within_10s", "--by", "channel", "--as-user", "analyst"
    )
    assert code == 2 and "cannot be cut by channel" in err
    code, _, err = _run(store, "--from", "2024-13-01", "--as-user", "analyst")
    assert code == 2 and "'2024-13-01' is not a date" in err


def test_a_call_handler_may_not_view_measures(store: Path) -> None:
    code, _, err = _run(store, "--as-user", "handler")
    assert code == 1 and "may not view measures" in " ".join(err.split())


def _snapshot(store: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli.app, ["snapshot", *args], env={"WATCHHOUSE_DATA_DIR": str(store), "COLUMNS": "200"}
    )
    return result.exit_code, result.stdout


def test_snapshot_command_writes_once_then_only_when_a_measured_table_changes(
    store: Path,
) -> None:
    import pyarrow.parquet as pq

    code, out = _snapshot(store)
    assert code == 0 and "snapshot written" in out, out
    contacts = store / "measures-snapshot" / "contacts.parquet"
    assert pq.read_metadata(contacts).num_rows == 3
    code, out = _snapshot(store)
    assert code == 0 and "snapshot unchanged" in out, out
    ctx = build_context(Settings(data_dir=store))
    handler = accounts.sign_in(ctx, username="handler", password="handler-password-1").actor
    take_contact(
        ctx, actor=handler, new=NewContact(channel=Channel.NON_EMERGENCY_101, summary="later")
    )
    ctx.db.dispose()
    code, out = _snapshot(store)
    assert code == 0 and "snapshot written" in out, out
    assert pq.read_metadata(contacts).num_rows == 4
    code, out = _snapshot(store, "--force")
    assert code == 0 and "snapshot written" in out, out


def _street_file(folder: Path, name: str, ids: list[str]) -> Path:
    from watchhouse.io.police_uk import STREET_CRIME

    path = folder / name
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(STREET_CRIME.headers)
        for crime_id in ids:
            place = ["-1.54", "53.80", "On or near Park Row", "E01011365", "Leeds 111B"]
            writer.writerow([crime_id, "2024-01", "P", "P", *place, "Burglary", "", ""])
    return path


def test_published_measures_by_force_and_for_one_force(store: Path, tmp_path: Path) -> None:
    files = [
        _street_file(tmp_path, "2024-01-west-yorkshire-street.csv", ["w1", "w2"]),
        _street_file(tmp_path, "2024-01-cleveland-street.csv", ["c1"]),
    ]
    ctx = build_context(Settings(data_dir=store))
    accounts.add_user(
        ctx, username="admin", display_name="Ad", role=Role.ADMINISTRATOR, password="admin-pass-1"
    )
    ctx.db.dispose()
    imported = CliRunner().invoke(
        cli.app,
        ["import", "police-uk", *map(str, files), "--as-user", "admin"],
        env={"WATCHHOUSE_DATA_DIR": str(store)},
    )
    assert imported.exit_code == 0, imported.stderr
    span = ["--from", "2024-01-01", "--to", "2024-01-31", "--format", "csv"]
    code, out, err = _run(
        store, "police_uk.street_crimes", *span, "--by", "published_force", "--as-user", "analyst"
    )
    assert code == 0, err
    rows = {r["cut_value"]: r["value"] for r in csv.DictReader(io.StringIO(out))}
    assert rows == {"west-yorkshire": "2.0", "cleveland": "1.0"}
    code, out, err = _run(
        store,
        "police_uk.street_crimes",
        *span,
        "--published-force",
        "Cleveland",
        "--as-user",
        "analyst",
    )
    assert code == 0, err
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert (row["cut"], row["value"]) == ("force", "1.0")
