"""Importing data.police.uk files: good rows kept, bad rows reported, re-runs add nothing, a
failure part-way stores nothing of the file, and each batch is recorded and logged once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from watchhouse.db.bulk import count_rows
from watchhouse.db.tables import (
    AccessLogRow,
    ImportBatchRow,
    PoliceUkCrimeRow,
    PoliceUkStopSearchRow,
)
from watchhouse.io.csv_table import UnreadableFile
from watchhouse.services import imports

pytestmark = pytest.mark.integration


def _count(ctx, table: str) -> int:
    with ctx.db.transaction() as session:
        return count_rows(session=session, table_name=table)


def _batches(ctx) -> list[ImportBatchRow]:
    with ctx.db.transaction() as session:
        return list(session.scalars(select(ImportBatchRow).order_by(ImportBatchRow.id)))


def test_street_crime_file_keeps_good_rows_and_reports_bad_ones(
    ctx, admin, samples, write_csv, read_report, tmp_path
):
    path = write_csv(
        "2024-01-avon-and-somerset-street.csv",
        samples.street_header,
        [
            samples.street("a1"),
            samples.street("a2", month="2024-13"),
            samples.street("a3", longitude="abc", latitude="95"),
            samples.street("a4", crime_type=""),
            samples.street("a5", longitude="", latitude=""),
            samples.asb(),
        ],
    )
    result = imports.import_police_uk(ctx, actor=admin, path=path)

    assert (result.rows_read, result.rows_added, result.rows_duplicate, result.rows_rejected) == (
        6,
        3,
        0,
        3,
    )
    assert result.kind == "street_crime"
    assert _count(ctx, "police_uk_crimes") == 3
    assert result.report == tmp_path / "2024-01-avon-and-somerset-street.rejected.csv"
    assert read_report(result.report) == [
        {
            "row": "3",
            "column": "Month",
            "value": "2024-13",
            "reason": "not a month in the form YYYY-MM",
        },
        {"row": "4", "column": "Longitude", "value": "abc", "reason": "not a number"},
        {"row": "4", "column": "Latitude", "value": "95", "reason": "latitude outside -90 to 90"},
        {"row": "5", "column": "Crime type", "value": "", "reason": "required value is missing"},
    ]
    with ctx.db.transaction() as session:
        stored = {r.crime_id: r for r in session.scalars(select(PoliceUkCrimeRow))}
    assert set(stored) == {"a1", "a5", None}
    assert stored["a1"].longitude == pytest.approx(-2.597298)
    assert stored["a5"].longitude is None and stored["a5"].latitude is None
    assert stored[None].last_outcome_category is None
    assert stored[None].crime_type == "Anti-social behaviour"
    (batch,) = _batches(ctx)
    assert (batch.importer, batch.rows_read, batch.rows_added, batch.rows_rejected) == (
        "police_uk.street_crime",
        6,
        3,
        3,
    )
    assert batch.finished_at is not None and len(batch.file_sha256) == 64


def test_identical_asb_rows_are_distinct_records_and_a_rerun_adds_nothing(
    ctx, admin, samples, write_csv
):
    path = write_csv(
        "asb.csv",
        samples.street_header,
        [samples.asb(), samples.asb(), samples.asb(), samples.street()],
    )
    first = imports.import_police_uk(ctx, actor=admin, path=path)
    second = imports.import_police_uk(ctx, actor=admin, path=path)

    assert (first.rows_added, first.rows_duplicate) == (4, 0)
    assert (second.rows_read, second.rows_added, second.rows_duplicate) == (4, 0, 4)
    assert _count(ctx, "police_uk_crimes") == 4
    assert [b.rows_duplicate for b in _batches(ctx)] == [0, 4]


def test_a_later_file_with_one_more_identical_row_adds_only_that_row(
    ctx, admin, samples, write_csv
):
    imports.import_police_uk(
        ctx, actor=admin, path=write_csv("a.csv", samples.street_header, [samples.asb()] * 2)
    )
    again = imports.import_police_uk(
        ctx, actor=admin, path=write_csv("b.csv", samples.street_header, [samples.asb()] * 3)
    )
    assert (again.rows_added, again.rows_duplicate) == (1, 2)
    assert _count(ctx, "police_uk_crimes") == 3


def test_outcomes_file_is_told_by_its_header_and_needs_a_crime_id(
    ctx, admin, samples, write_csv, read_report
):
    path = write_csv(
        "2024-02-avon-and-somerset-outcomes.csv",
        samples.outcome_header,
        [samples.outcome("x1"), samples.outcome(""), samples.outcome("x3", outcome="")],
    )
    result = imports.import_police_uk(ctx, actor=admin, path=path)
    assert (result.kind, result.rows_added, result.rows_rejected) == ("outcomes", 1, 2)
    assert [(r["row"], r["column"]) for r in read_report(result.report)] == [
        ("3", "Crime ID"),
        ("4", "Outcome type"),
    ]
    assert _count(ctx, "police_uk_outcomes") == 1


def test_columns_in_another_order_are_read_by_name(ctx, admin, samples, write_csv):
    header = list(reversed(samples.street_header))
    path = write_csv("reordered.csv", header, [list(reversed(samples.street("r1")))])
    result = imports.import_police_uk(ctx, actor=admin, path=path)
    assert result.rows_added == 1
    with ctx.db.transaction() as session:
        row = session.scalars(select(PoliceUkCrimeRow)).one()
    assert (row.crime_id, row.month, row.crime_type) == ("r1", "2024-01", "Burglary")


def test_stop_and_search_checks_dates_and_booleans_and_takes_the_force_from_the_name(
    ctx, admin, samples, write_csv, read_report
):
    path = write_csv(
        "2024-01-avon-and-somerset-stop-and-search.csv",
        samples.stop_search_header,
        [
            samples.stop_search("2024-07-05T13:20:00+01:00", linked="True"),
            samples.stop_search("2024-01-05 13:20:00"),
            samples.stop_search("2024-02-30T10:00:00+00:00"),
            samples.stop_search(part_of_operation="Yes"),
            samples.stop_search("2024-01-06T08:00:00Z", part_of_operation="", removal=""),
        ],
    )
    result = imports.import_police_uk(ctx, actor=admin, path=path)

    assert (result.kind, result.rows_added, result.rows_rejected) == ("stop_and_search", 2, 3)
    assert [(r["row"], r["column"], r["reason"]) for r in read_report(result.report)] == [
        ("3", "Date", "not an ISO 8601 date and time with an offset"),
        ("4", "Date", "not a real date and time"),
        ("5", "Part of a policing operation", "not True, False or empty"),
    ]
    with ctx.db.transaction() as session:
        rows = list(
            session.scalars(select(PoliceUkStopSearchRow).order_by(PoliceUkStopSearchRow.id))
        )
    assert [r.force for r in rows] == ["avon-and-somerset"] * 2
    assert rows[0].searched_at == datetime(2024, 7, 5, 12, 20, tzinfo=UTC)
    assert (rows[0].part_of_policing_operation, rows[0].outcome_linked_to_object) == (False, True)
    assert rows[1].searched_at == datetime(2024, 1, 6, 8, 0, tzinfo=UTC)
    assert rows[1].part_of_policing_operation is None
    assert rows[1].removal_of_more_than_outer_clothing is None


def test_stop_and_search_file_without_its_force_is_refused_unless_given(
    ctx, admin, samples, write_csv
):
    path = write_csv("searches.csv", samples.stop_search_header, [samples.stop_search()])
    with pytest.raises(UnreadableFile, match="force"):
        imports.import_police_uk(ctx, actor=admin, path=path)
    result = imports.import_police_uk(ctx, actor=admin, path=path, force="dyfed-powys")
    assert result.rows_added == 1


def test_a_file_of_another_shape_is_refused_whole(ctx, admin, write_csv):
    path = write_csv("other.csv", ["Crime ID", "Month", "Colour"], [["a", "2024-01", "red"]])
    with pytest.raises(UnreadableFile, match="missing Reported by"):
        imports.import_police_uk(ctx, actor=admin, path=path)
    assert _batches(ctx) == []


def test_malformed_records_are_rejected_with_their_row_numbers(
    ctx, admin, samples, tmp_path, read_report
):
    good = ",".join(samples.street("g1"))
    quoted = samples.street("g2")
    quoted[6] = '"On or near\nPark Street"'
    path = tmp_path / "malformed.csv"
    path.write_text(
        "\n".join(
            [
                ",".join(samples.street_header),
                good,
                ",".join(quoted),  # one record over two lines: row 3
                "too,few,fields",  # row 4
                "",  # a blank line keeps its number but is not a record
                ",".join(samples.street("g5", month="24-01")),  # row 6
                ",".join(samples.street("g6")),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = imports.import_police_uk(ctx, actor=admin, path=path)
    assert (result.rows_read, result.rows_added, result.rows_rejected) == (5, 3, 2)
    assert [(r["row"], r["reason"]) for r in read_report(result.report)] == [
        ("4", "has 3 fields; the header has 12"),
        ("6", "not a month in the form YYYY-MM"),
    ]
    with ctx.db.transaction() as session:
        locations = set(session.scalars(select(PoliceUkCrimeRow.location)))
    assert "On or near\nPark Street" in locations


def test_values_longer_than_the_store_holds_are_rejected(
    ctx, admin, samples, write_csv, read_report
):
    row = samples.street("long")
    row[7] = "E" * 13  # LSOA code holds 12
    result = imports.import_police_uk(
        ctx, actor=admin, path=write_csv("long.csv", samples.street_header, [row])
    )
    assert result.rows_rejected == 1
    assert read_report(result.report)[0]["reason"] == "longer than 12 characters"


def test_a_failure_part_way_leaves_nothing_of_that_file(ctx, admin, samples, write_csv):
    earlier = write_csv("earlier.csv", samples.street_header, [samples.street("e1")])
    imports.import_police_uk(ctx, actor=admin, path=earlier)
    calls = []

    def fail_after_the_first_chunk(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:  # the rejected-row count, then one call per stored chunk
            raise RuntimeError("disk full")

    path = write_csv(
        "later.csv", samples.street_header, [samples.street(f"l{i}") for i in range(5)]
    )
    with pytest.raises(RuntimeError, match="disk full"):
        imports.import_police_uk(
            ctx, actor=admin, path=path, chunk_rows=2, progress=fail_after_the_first_chunk
        )

    assert calls == [0, 2, 4]
    with ctx.db.transaction() as session:
        assert list(session.scalars(select(PoliceUkCrimeRow.crime_id))) == ["e1"]
        assert len(list(session.scalars(select(AccessLogRow)))) == 1
    assert len(_batches(ctx)) == 1
    assert not (path.parent / "later.rejected.csv").exists()


def test_each_batch_is_logged_once_as_a_collection_by_the_importing_user(
    ctx, admin, samples, write_csv
):
    path = write_csv("log.csv", samples.street_header, [samples.street(f"k{i}") for i in range(7)])
    result = imports.import_police_uk(ctx, actor=admin, path=path, chunk_rows=3)
    with ctx.db.transaction() as session:
        entries = list(session.scalars(select(AccessLogRow)))
    assert [(e.operation, e.record_type, e.record_id, e.username) for e in entries] == [
        ("collection", "import_batch", str(result.batch_id), admin.username)
    ]


def test_progress_is_reported_up_to_every_row(ctx, admin, samples, write_csv):
    seen: list[tuple[int, int]] = []
    path = write_csv(
        "progress.csv",
        samples.street_header,
        [samples.street(f"p{i}") for i in range(5)] + [samples.street("bad", month="x")],
    )
    imports.import_police_uk(
        ctx, actor=admin, path=path, chunk_rows=2, progress=lambda d, t: seen.append((d, t))
    )
    assert seen[0] == (1, 6)
    assert seen[-1] == (6, 6)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_the_report_goes_where_asked(ctx, admin, samples, write_csv, tmp_path, read_report):
    path = write_csv("r.csv", samples.street_header, [samples.street(month="")])
    target = tmp_path / "reports" / "mine.csv"
    result = imports.import_police_uk(ctx, actor=admin, path=path, report=target)
    assert result.report == target
    assert read_report(target)[0]["reason"] == "required value is missing"
