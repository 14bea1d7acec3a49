"""The force-export mapping's features, each on a crafted file: several files with differing
headers, repeated and missing columns, null tokens, the row filter, catch-all codes, fallback
columns, values dropped with a warning, a time zone per file, the autumn clock change resolved
by every time in the row or by a UTC-offset column, origins and attributes."""

from __future__ import annotations

import csv
import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from watchhouse.db.tables import ContactRow, ImportBatchRow, IncidentRow
from watchhouse.domain.values import Channel, Origin, Settlement
from watchhouse.io.csv_table import UnreadableFile
from watchhouse.io.force_export import parse_file
from watchhouse.io.force_files import expand_inputs
from watchhouse.io.force_mapping import MappingError, parse_mapping
from watchhouse.services import imports

HOODS = {"central": Settlement.URBAN}
BASE = {
    "source": "cad",
    "columns": {
        "external_ref": "Ref",
        "presented_at": "Received",
        "grade": "Priority",
        "incident_arrived_at": "Arrived",
        "incident_closed_at": "Closed",
    },
    "defaults": {"channel": "999", "settlement": "urban"},
    "codes": {"grade": {"1": 1, "2": 2, "3": 3}},
}
HEADER = ["Ref", "Received", "Priority", "Arrived", "Closed"]


def _mapping(**changes):
    raw = {**BASE, **changes}
    return parse_mapping(raw)


def _write(path: Path, header, rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_several_weekly_files_with_moved_and_extra_columns_import_as_one(
    ctx, admin, neighbourhoods, tmp_path
):
    weeks = tmp_path / "weeks"
    weeks.mkdir()
    _write(weeks / "week-1.csv", HEADER, [["A1", "2025-01-06 10:00:00", "1", "", ""]])
    _write(
        weeks / "week-2.csv",
        ["Beat", "Closed", "Ref", "Priority", "Received", "Arrived", "Notes"],
        [["B1", "", "A2", "2", "2025-01-13 11:00:00", "2025-01-13 11:20:00", "x"]],
    )
    (weeks / "readme.txt").write_text("not a csv", encoding="utf-8")
    mapping = _mapping()
    first = imports.import_force_exports(ctx, actor=admin, paths=[weeks], mapping=mapping)
    assert [(r.source_file.name, r.rows_added) for r in first] == [
        ("week-1.csv", 1),
        ("week-2.csv", 1),
    ]
    again = imports.import_force_exports(
        ctx, actor=admin, paths=[Path(str(weeks / "week-*.csv"))], mapping=mapping
    )
    assert [(r.rows_added, r.rows_duplicate) for r in again] == [(0, 1), (0, 1)]
    with ctx.db.transaction() as session:
        arrived = {
            c.external_ref: i.arrived_at
            for c, i in session.execute(
                select(ContactRow, IncidentRow).join(
                    IncidentRow, IncidentRow.contact_id == ContactRow.id
                )
            )
        }
        assert session.scalar(select(ImportBatchRow.rows_read).limit(1)) == 1
    assert arrived == {"A1": None, "A2": _utc(2025, 1, 13, 11, 20)}


def test_files_read_ahead_meet_the_records_of_the_files_before_them(
    ctx, admin, neighbourhoods, tmp_path
):
    """The next file is read while one is stored: a reference it repeats from the file before
    is still a duplicate, and a file that cannot be read stops the run after the files before
    it are stored."""
    weeks = tmp_path / "weeks"
    weeks.mkdir()
    _write(weeks / "week-1.csv", HEADER, [["A1", "2025-01-06 10:00:00", "1", "", ""]])
    _write(
        weeks / "week-2.csv",
        HEADER,
        [["A1", "2025-01-06 10:00:00", "1", "", ""], ["A2", "2025-01-13 11:00:00", "2", "", ""]],
    )
    _write(weeks / "week-3.csv", ["Ref", "Priority"], [["A3", "3"]])
    with pytest.raises(UnreadableFile, match=r"week-3\.csv"):
        imports.import_force_exports(ctx, actor=admin, paths=[weeks], mapping=_mapping())
    with ctx.db.transaction() as session:
        stored = sorted(session.scalars(select(ContactRow.external_ref)))
        batches = [
            (Path(b.source_file).name, b.rows_added, b.rows_duplicate)
            for b in session.scalars(select(ImportBatchRow).order_by(ImportBatchRow.id))
        ]
    assert stored == ["A1", "A2"]
    assert batches == [("week-1.csv", 1, 0), ("week-2.csv", 1, 1)]


def test_a_folder_glob_or_file_that_holds_no_csv_is_named(tmp_path):
    with pytest.raises(ValueError, match="no CSV files"):
        expand_inputs([tmp_path / "nothing-*.csv"])


def test_a_repeated_column_is_reported_once_and_used_only_where_its_copies_agree(tmp_path):
    path = _write(
        tmp_path / "e.csv",
        ["Ref", "Received", "Priority", "Priority", "Arrived", "Closed"],
        [
            ["R1", "2025-01-06 10:00:00", "1", "1", "", ""],
            ["R2", "2025-01-06 10:00:00", "1", "3", "", ""],
            ["R3", "2025-01-06 10:00:00", "2", "2", "", ""],
        ],
    )
    parsed = parse_file(path, mapping=_mapping(), neighbourhoods=HOODS)
    assert [r.external_ref for r in parsed.records] == ["R1", "R3"]
    assert [(r.row, r.column, r.value) for r in parsed.rejections] == [(3, "Priority", "1 | 3")]
    notes = [w for w in parsed.warnings if w.row == 1]
    assert [(w.column, "2 times" in w.reason) for w in notes] == [("Priority", True)]


def test_null_tokens_read_as_empty_instead_of_refusing_the_row(tmp_path):
    rows = [
        ["R1", "2025-01-06 10:00:00", "1", "NULL", "n/a"],
        ["R2", "2025-01-06 10:00:00", "1", "NULL", "2025-01-06 11:00:00"],
    ]
    path = _write(tmp_path / "e.csv", HEADER, rows)
    parsed = parse_file(path, mapping=_mapping(null_tokens=["NULL", "N/A"]), neighbourhoods=HOODS)
    assert parsed.rejections == []
    assert [(r.incident_arrived_at, r.incident_closed_at) for r in parsed.records] == [
        (None, None),
        (None, _utc(2025, 1, 6, 11)),
    ]
    without = parse_file(path, mapping=_mapping(), neighbourhoods=HOODS)
    assert without.rows_rejected == 2


def test_rows_the_filter_leaves_out_are_counted_not_rejected(tmp_path):
    path = _write(
        tmp_path / "e.csv",
        [*HEADER, "Agency"],
        [
            ["P1", "2025-01-06 10:00:00", "1", "", "", "POLICE"],
            ["F1", "2025-01-06 10:00:00", "not a grade", "", "", "FIRE"],
            ["E1", "2025-01-06 10:00:00", "1", "", "", "EMS"],
        ],
    )
    parsed = parse_file(path, mapping=_mapping(filter={"Agency": ["POLICE"]}), neighbourhoods=HOODS)
    assert [r.external_ref for r in parsed.records] == ["P1"]
    assert (parsed.rows_read, parsed.rows_filtered, parsed.rows_rejected) == (3, 2, 0)


def test_a_catch_all_code_takes_every_code_not_listed(tmp_path):
    path = _write(
        tmp_path / "e.csv",
        [*HEADER, "Type"],
        [
            ["R1", "2025-01-06 10:00:00", "1", "", "", "911"],
            ["R2", "2025-01-06 10:00:00", "9", "", "", "ONVIEW"],
        ],
    )
    codes = {
        "grade": {"1": 1, "*": 3},
        "channel": {"911": "999", "*": "101"},
        "origin": {"ONVIEW": "officer_initiated", "*": "public"},
    }
    columns = {**BASE["columns"], "channel": "Type", "origin": "Type"}
    parsed = parse_file(path, mapping=_mapping(codes=codes, columns=columns), neighbourhoods=HOODS)
    assert [(r.grade, r.channel, r.origin) for r in parsed.records] == [
        (1, Channel.EMERGENCY_999, Origin.PUBLIC),
        (3, None, Origin.OFFICER_INITIATED),  # started by the force: no public channel
    ]


@pytest.mark.parametrize("fast", [True, False])
def test_a_record_the_force_started_needs_no_channel(tmp_path, fast):
    # No catch-all and no default channel: a public row with an unknown code is refused, a
    # force-started one is kept with no channel (no stand-in value), read either way.
    path = _write(
        tmp_path / "e.csv",
        [*HEADER, "Type", "How"],
        [
            ["R1", "2025-01-06 10:00:00", "1", "", "", "911", ""],
            ["R2", "2025-01-06 10:00:00", "2", "", "", "", "ONVIEW"],
            ["R3", "2025-01-06 10:00:00", "2", "", "", "RADIO", "RADIO"],
            ["R4", "2025-01-06 10:00:00", "2", "", "", "RADIO", ""],
        ],
    )
    codes = {
        "grade": {"1": 1, "2": 2},
        "channel": {"911": "999"},
        "origin": {"ONVIEW": "officer_initiated", "RADIO": "radio", "*": "public"},
    }
    columns = {**BASE["columns"], "channel": "Type", "origin": "How"}
    mapping = _mapping(codes=codes, columns=columns, defaults={"settlement": "urban"})
    parsed = parse_file(path, mapping=mapping, neighbourhoods=HOODS, fast=fast)
    assert [(r.external_ref, r.channel, r.origin) for r in parsed.records] == [
        ("R1", Channel.EMERGENCY_999, Origin.PUBLIC),
        ("R2", None, Origin.OFFICER_INITIATED),
        ("R3", None, Origin.RADIO),
    ]
    assert [(r.row, r.column, r.reason) for r in parsed.rejections] == [
        (5, "Type", "unknown channel code")
    ]


def test_a_fallback_column_is_used_when_the_first_is_empty_or_impossible(tmp_path):
    path = _write(
        tmp_path / "e.csv",
        [*HEADER, "Last Cleared"],
        [
            # closed before the arrival: the fallback column's later time is used
            [
                "R1",
                "2025-01-06 10:00:00",
                "1",
                "2025-01-06 10:20:00",
                "2025-01-06 10:10:00",
                "2025-01-06 11:00:00",
            ],
            # the first is empty: the fallback is used
            ["R2", "2025-01-06 10:00:00", "1", "", "", "2025-01-06 12:00:00"],
            # neither is possible: the row is refused naming the last column tried
            [
                "R3",
                "2025-01-06 10:00:00",
                "1",
                "2025-01-06 10:20:00",
                "2025-01-06 10:10:00",
                "2025-01-06 10:05:00",
            ],
        ],
    )
    columns = {**BASE["columns"], "incident_closed_at": ["Closed", "Last Cleared"]}
    parsed = parse_file(path, mapping=_mapping(columns=columns), neighbourhoods=HOODS)
    assert [(r.external_ref, r.incident_closed_at) for r in parsed.records] == [
        ("R1", _utc(2025, 1, 6, 11)),
        ("R2", _utc(2025, 1, 6, 12)),
    ]
    assert [(r.row, r.column, r.reason.split(" (")[0]) for r in parsed.rejections] == [
        (4, "Last Cleared", "closed before arrived")
    ]


def test_a_bad_optional_value_is_dropped_with_a_warning_where_the_mapping_allows(tmp_path):
    path = _write(
        tmp_path / "e.csv",
        [*HEADER, "Postcode"],
        [["R1", "2025-01-06 10:00:00", "1", "2025-01-06 10:20:00", "2025-01-06 10:10:00", "??"]],
    )
    columns = {**BASE["columns"], "postcode": "Postcode"}
    strict = parse_file(path, mapping=_mapping(columns=columns), neighbourhoods=HOODS)
    assert {r.column for r in strict.rejections} == {"Postcode", "Closed"}
    lenient = parse_file(
        path,
        mapping=_mapping(columns=columns, drop_when_bad=["postcode", "incident_closed_at"]),
        neighbourhoods=HOODS,
    )
    (record,) = lenient.records
    assert (record.postcode, record.incident_closed_at) == (None, None)
    assert record.incident_arrived_at == _utc(2025, 1, 6, 10, 20)
    assert sorted(w.column for w in lenient.warnings) == ["Closed", "Postcode"]


def test_a_required_field_cannot_be_dropped():
    with pytest.raises(MappingError, match="drop_when_bad"):
        _mapping(drop_when_bad=["presented_at"])


def test_each_file_reads_its_local_times_in_its_own_time_zone(tmp_path):
    row = [["R1", "2025-07-01 10:00:00", "1", "", ""]]
    london = _write(tmp_path / "uk-week.csv", HEADER, row)
    york = _write(tmp_path / "ny-week.csv", HEADER, row)
    mapping = _mapping(file_time_zones={"ny-*.csv": "America/New_York"})
    times = [
        parse_file(p, mapping=mapping, neighbourhoods=HOODS).records[0].presented_at
        for p in (london, york)
    ]
    assert times == [_utc(2025, 7, 1, 9), _utc(2025, 7, 1, 14)]


@pytest.mark.parametrize(
    ("zone", "day", "created", "arrived", "created_utc"),
    [
        # London, 26 Oct 2025: 01:00-02:00 happens twice (BST, then GMT).
        ("Europe/London", "2025-10-26", "01:40:00", "02:04:00", _utc(2025, 10, 26, 1, 40)),
        ("Europe/London", "2025-10-26", "00:50:00", "01:10:00", _utc(2025, 10, 25, 23, 50)),
        # New York, 2 Nov 2025: 01:00-02:00 happens twice (EDT, then EST).
        ("America/New_York", "2025-11-02", "01:40:00", "02:04:00", _utc(2025, 11, 2, 6, 40)),
    ],
)
def test_an_ambiguous_time_is_resolved_by_the_times_after_it_as_well_as_before(
    tmp_path, zone, day, created, arrived, created_utc
):
    path = _write(
        tmp_path / "e.csv", HEADER, [["R1", f"{day} {created}", "1", f"{day} {arrived}", ""]]
    )
    (record,) = parse_file(path, mapping=_mapping(time_zone=zone), neighbourhoods=HOODS).records
    assert record.presented_at == created_utc
    elapsed = record.incident_arrived_at - record.incident_created_at
    assert elapsed.total_seconds() / 60 == 24 if created == "01:40:00" else 20


def test_a_utc_offset_column_settles_the_repeated_hour(tmp_path):
    path = _write(
        tmp_path / "e.csv",
        [*HEADER, "Offset"],
        [
            ["R1", "2025-10-26 01:40:00", "1", "", "", "+01:00"],
            ["R2", "2025-10-26 01:40:00", "1", "", "", "+0000"],
        ],
    )
    columns = {**BASE["columns"], "utc_offset": "Offset"}
    parsed = parse_file(path, mapping=_mapping(columns=columns), neighbourhoods=HOODS)
    assert [r.presented_at for r in parsed.records] == [
        _utc(2025, 10, 26, 0, 40),
        _utc(2025, 10, 26, 1, 40),
    ]


def test_columns_with_nowhere_to_go_are_kept_as_attributes(tmp_path):
    path = _write(
        tmp_path / "e.csv",
        [*HEADER, "Beat", "Disposition"],
        [["R1", "2025-01-06 10:00:00", "1", "", "", "K2", "REPORT TAKEN"]],
    )
    every = parse_file(path, mapping=_mapping(attributes=["*"]), neighbourhoods=HOODS)
    assert every.records[0].attributes == {"Beat": "K2", "Disposition": "REPORT TAKEN"}
    some = parse_file(path, mapping=_mapping(attributes=["Disposition"]), neighbourhoods=HOODS)
    assert some.records[0].attributes == {"Disposition": "REPORT TAKEN"}


def test_every_documented_mapping_example_is_accepted_as_written():
    """docs/data-formats.md's TOML examples, each added to a base mapping, parse as given."""
    docs = Path(__file__).resolve().parents[2] / "docs" / "data-formats.md"
    blocks = re.findall(r"```toml\n(.*?)```", docs.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 8, blocks
    for block in blocks:
        raw: dict = {
            key: dict(value) if isinstance(value, dict) else value for key, value in BASE.items()
        }
        for key, value in tomllib.loads(block).items():
            if isinstance(value, dict) and isinstance(raw.get(key), dict):
                raw[key] = {**raw[key], **value}
            else:
                raw[key] = value
        parse_mapping(raw)
