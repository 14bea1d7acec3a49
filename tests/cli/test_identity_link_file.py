"""`watchhouse identity link-file`: a CSV of person records linked with a mapping file, the
clusters written safe for a spreadsheet, accuracy printed against a truth column, two files
linked across each other, and a clear message (no traceback) for a set that cannot be
trained."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from person_records_support import people, table
from watchhouse import cli

pytestmark = [pytest.mark.linkage, pytest.mark.usefixtures("no_outside_settings")]

MAPPING = """
id = "id"
telephone_region = "FR"
[fields]
given = { kind = "given_name", column = "given" }
family = { kind = "family_name", column = "family" }
born = { kind = "date_of_birth", column = "born", format = "%Y%m%d" }
postcode = { kind = "postcode", column = "postcode" }
"""


def _run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli.app, ["identity", "link-file", *args], env={"WATCHHOUSE_DATA_DIR": str(tmp_path)}
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, " ".join(result.stdout.split()), " ".join(result.stderr.split())


def test_a_csv_is_linked_and_its_clusters_written_with_accuracy_against_the_truth(tmp_path):
    rows = people(seed=3)
    rows[0]["id"] = "=HYPERLINK(1)"
    pa_csv.write_csv(table(rows), tmp_path / "people.csv")
    (tmp_path / "map.toml").write_text(MAPPING)
    out = tmp_path / "clusters.csv"
    code, stdout, _err = _run(
        tmp_path,
        str(tmp_path / "people.csv"),
        "--mapping",
        str(tmp_path / "map.toml"),
        "--out",
        str(out),
        "--truth",
        "person",
    )
    assert code == 0
    assert "pairwise precision" in stdout
    with out.open(newline="") as handle:
        written = list(csv.DictReader(handle))
    assert len(written) == len(rows)
    assert written[0]["record_id"] == "'=HYPERLINK(1)"
    person_of = {str(r["id"]): r["person"] for r in rows}
    person_of["'=HYPERLINK(1)"] = rows[0]["person"]
    members: dict[str, set[object]] = {}
    for record in written:
        members.setdefault(record["cluster_id"], set()).add(person_of[record["record_id"]])
    # Records of different people are not put together; people with several records are.
    assert all(len(people_in) == 1 for people_in in members.values())
    assert len(members) < len(rows)


def test_two_parquet_files_are_linked_across_each_other(tmp_path):
    rows = people(seed=4, persons=200)
    pq.write_table(table(rows[::2]), tmp_path / "a.parquet")
    pq.write_table(table(rows[1::2]), tmp_path / "b.parquet")
    (tmp_path / "map.toml").write_text(MAPPING)
    out = tmp_path / "clusters.csv"
    code, _stdout, err = _run(
        tmp_path,
        str(tmp_path / "a.parquet"),
        "--link-only",
        "--other",
        str(tmp_path / "b.parquet"),
        "--mapping",
        str(tmp_path / "map.toml"),
        "--out",
        str(out),
    )
    assert code == 0, err
    with out.open(newline="") as handle:
        files = {r["file"] for r in csv.DictReader(handle)}
    assert files == {"a.parquet", "b.parquet"}


def test_an_untrainable_set_gets_a_message_saying_why_and_what_field_would_help(tmp_path):
    rows = [{"id": f"r{i}", "given": f"name{i}"} for i in range(100)]
    pa_csv.write_csv(table(rows), tmp_path / "names.csv")
    (tmp_path / "map.toml").write_text(
        'id = "id"\n[fields]\ngiven = { kind = "given_name", column = "given" }\n'
    )
    code, _out, err = _run(
        tmp_path,
        str(tmp_path / "names.csv"),
        "--mapping",
        str(tmp_path / "map.toml"),
        "--out",
        str(tmp_path / "clusters.csv"),
    )
    assert code == 2
    assert "nothing linked" in err and "date of birth" in err
    assert not (tmp_path / "clusters.csv").exists()


def test_a_mapping_naming_a_missing_column_is_refused_naming_it(tmp_path):
    pa_csv.write_csv(table(people(seed=5, persons=20)), tmp_path / "people.csv")
    (tmp_path / "map.toml").write_text(MAPPING.replace('column = "born"', 'column = "dob"'))
    code, _out, err = _run(
        tmp_path,
        str(tmp_path / "people.csv"),
        "--mapping",
        str(tmp_path / "map.toml"),
        "--out",
        str(tmp_path / "clusters.csv"),
    )
    assert code == 2
    assert "dob" in err and "lacks" in err
