"""Values no field may store (NUL and other control characters, ANSI escapes, values longer
than any field) reject their row, naming row and column, on both databases; the rest of the
file is kept. A monstrous header gives a short error; malformed records keep their raw text."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import select

from watchhouse.db.tables import ContactRow, PoliceUkCrimeRow
from watchhouse.domain.values import Settlement
from watchhouse.io.csv_table import UnreadableFile
from watchhouse.io.force_mapping import parse_mapping
from watchhouse.services import imports, reference

pytestmark = pytest.mark.integration

STREET = "2024-01-avon-and-somerset-street.csv"
MAPPING = parse_mapping(
    {
        "source": "cad",
        "columns": {
            "external_ref": "Ref",
            "channel": "Chan",
            "presented_at": "Start",
            "summary": "Notes",
        },
        "formats": {"datetime": "%d/%m/%Y %H:%M"},
        "codes": {"channel": {"E": "999", "N": "101"}},
    }
)


def _locations(ctx) -> list[str]:
    with ctx.db.transaction() as session:
        return sorted(session.scalars(select(PoliceUkCrimeRow.location)))


def test_a_nul_byte_rejects_its_row_naming_row_and_column_and_keeps_the_others(
    ctx, admin, samples, write_csv, read_report
) -> None:
    bad = samples.street("b1")
    bad[6] = "On or near \x00Park Street"
    path = write_csv(STREET, samples.street_header, [samples.street("a1"), bad])
    result = imports.import_police_uk(ctx, actor=admin, path=path)
    assert (result.rows_added, result.rows_rejected) == (1, 1)
    (rejected,) = read_report(result.report)
    assert (rejected["row"], rejected["column"]) == ("3", "Location")
    assert rejected["reason"] == "contains a control character (U+0000) at position 12"
    assert rejected["value"] == "On or near \\x00Park Street"
    assert _locations(ctx) == ["On or near Park Street"]


def test_an_ansi_escape_is_not_stored_and_not_echoed_raw_in_the_report(
    ctx, admin, samples, write_csv, read_report
) -> None:
    bad = samples.street("b1", crime_type="\x1b[2J\x1b[31mBurglary")
    path = write_csv(STREET, samples.street_header, [bad])
    result = imports.import_police_uk(ctx, actor=admin, path=path)
    assert result.rows_rejected == 1
    (rejected,) = read_report(result.report)
    assert rejected["column"] == "Crime type"
    assert "\x1b" not in result.report.read_text(encoding="utf-8")
    assert rejected["value"].startswith("\\x1b[2J")


def test_one_over_long_field_rejects_its_row_not_the_file(
    ctx, admin, samples, write_csv, read_report
) -> None:
    huge = samples.street("b1")
    huge[6] = "x" * 300_000  # beyond the csv module's default field limit (128 KiB)
    path = write_csv(STREET, samples.street_header, [samples.street("a1"), huge])
    result = imports.import_police_uk(ctx, actor=admin, path=path)
    assert (result.rows_read, result.rows_added, result.rows_rejected) == (2, 1, 1)
    (rejected,) = read_report(result.report)
    assert (rejected["row"], rejected["column"]) == ("3", "Location")
    assert rejected["reason"] == "longer than 10000 characters"
    assert len(rejected["value"]) < 1100


def test_a_header_of_fifty_thousand_columns_gives_a_short_error(
    ctx, admin, write_csv, tmp_path
) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"column{n}" for n in range(50_000)) + "\n1\n", encoding="utf-8")
    with pytest.raises(UnreadableFile) as refused:
        imports.import_police_uk(ctx, actor=admin, path=path)
    assert len(str(refused.value)) < 1000
    assert "and 49990 more" in str(refused.value)


def _force_export(tmp_path, rows):  # type: ignore[no-untyped-def]
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Ref", "Chan", "Start", "Notes"])
        writer.writerows(rows)
    return path


def test_force_export_rejects_a_nul_byte_naming_row_and_column(
    ctx, admin, tmp_path, read_report
) -> None:
    reference.add_neighbourhood(ctx, code="central", name="Central", settlement=Settlement.URBAN)
    path = _force_export(
        tmp_path,
        [
            ["R1", "E", "14/03/2025 21:02", "Man with a knife"],
            ["R2", "N", "14/03/2025 21:05", "Noise\x00 from the flat"],
        ],
    )
    result = imports.import_force_export(ctx, actor=admin, path=path, mapping=MAPPING)
    assert (result.rows_added, result.rows_rejected) == (1, 1)
    (rejected,) = read_report(result.report)
    assert (rejected["row"], rejected["column"]) == ("3", "Notes")
    assert "control character (U+0000)" in rejected["reason"]
    with ctx.db.transaction() as session:
        assert list(session.scalars(select(ContactRow.external_ref))) == ["R1"]


def test_force_export_report_keeps_the_raw_text_of_a_malformed_record(
    ctx, admin, tmp_path, read_report
) -> None:
    path = _force_export(tmp_path, [["R1", "E", "14/03/2025 21:02", "ok"], ["R2", "N", "oops"]])
    result = imports.import_force_export(ctx, actor=admin, path=path, mapping=MAPPING)
    (rejected,) = read_report(result.report)
    assert rejected["row"] == "3"
    assert rejected["value"] == "R2,N,oops"
    assert rejected["reason"] == "has 3 fields; the header has 4"
