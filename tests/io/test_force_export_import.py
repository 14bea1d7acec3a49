"""Importing a force's own contact and incident export through a mapping file: the documented
example imports cleanly, times become UTC across the clock changes, bad rows are reported,
re-runs add nothing and a failure part-way stores nothing."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from watchhouse.db.repositories import imports as imports_repo
from watchhouse.db.tables import AccessLogRow, ContactRow, ImportBatchRow, IncidentRow, LocationRow
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Action, Role
from watchhouse.domain.values import Channel, Settlement
from watchhouse.io.csv_table import UnreadableFile
from watchhouse.io.force_mapping import MappingError, load_mapping, parse_mapping
from watchhouse.services import contacts, imports, reference

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
EXAMPLE_NEIGHBOURHOODS = [
    ("central", Settlement.URBAN),
    ("riverside", Settlement.URBAN),
    ("northfield", Settlement.URBAN),
    ("marsh_vale", Settlement.RURAL),
    ("high_moor", Settlement.RURAL),
]
HEADER = ["Ref", "Chan", "Start", "Answered", "Grade", "Beat", "Created", "Deployed", "Arrived"]
MAPPING = {
    "source": "cad",
    "columns": {
        "external_ref": "Ref",
        "channel": "Chan",
        "presented_at": "Start",
        "answered_at": "Answered",
        "grade": "Grade",
        "neighbourhood": "Beat",
        "incident_created_at": "Created",
        "incident_deployed_at": "Deployed",
        "incident_arrived_at": "Arrived",
    },
    "formats": {"datetime": "%d/%m/%Y %H:%M"},
    "codes": {
        "channel": {"E": "999", "N": "101"},
        "grade": {"G1": 1, "G2": 2, "G3": 3, "G4": 4},
        "neighbourhood": {"B1": "central", "B2": "moor"},
    },
}


@pytest.fixture
def example_neighbourhoods(ctx) -> None:
    for code, settlement in EXAMPLE_NEIGHBOURHOODS:
        reference.add_neighbourhood(
            ctx, code=code, name=code.replace("_", " ").title(), settlement=settlement
        )


@pytest.fixture
def export_file(tmp_path):
    def write(rows, header=HEADER, name="export.csv") -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return write


def _mapping(**changes):
    raw = {**MAPPING, **changes}
    return parse_mapping(raw)


def _stored(ctx):
    with ctx.db.transaction() as session:
        contacts_ = {c.external_ref: c for c in session.scalars(select(ContactRow))}
        incidents = {i.contact_id: i for i in session.scalars(select(IncidentRow))}
        locations = {loc.id: loc for loc in session.scalars(select(LocationRow))}
    return contacts_, incidents, locations


def test_the_documented_example_imports_cleanly(ctx, admin, example_neighbourhoods, tmp_path):
    mapping = load_mapping(EXAMPLES / "force-export-mapping.toml")
    report = tmp_path / "example.rejected.csv"
    result = imports.import_force_export(
        ctx, actor=admin, path=EXAMPLES / "force-export.csv", mapping=mapping, report=report
    )
    assert (result.rows_read, result.rows_added, result.rows_rejected) == (8, 8, 0)
    contacts_, incidents, locations = _stored(ctx)
    assert len(contacts_) == 8 and len(incidents) == 5

    knife = contacts_["ST-20250314-0001"]
    assert knife.source == "storm" and knife.channel == "999"
    assert knife.presented_at == datetime(2025, 3, 14, 21, 2, 11, tzinfo=UTC)
    assert (knife.caller_given_name, knife.caller_family_name) == ("Alex", "Example")
    assert knife.caller_date_of_birth == date(1987, 5, 2)
    assert knife.caller_telephone == "07700 900123"
    assert locations[knife.location_id].postcode == "TE1 1AA"
    incident = incidents[knife.id]
    assert (incident.grade, incident.suggested_grade, incident.status) == (1, 1, "closed")
    assert incident.graded_by == admin.user_id and incident.body_worn_video is True
    assert incident.settlement == "urban"
    assert incident.updated_at == datetime(2025, 3, 14, 23, 40, tzinfo=UTC)

    abandoned = contacts_["ST-20250315-0003"]
    assert (abandoned.abandoned, abandoned.answered_at, abandoned.status) == (
        True,
        None,
        "abandoned",
    )
    online = contacts_["ST-20250316-0004"]
    assert online.channel == "online_report"
    assert (incidents[online.id].status, incidents[online.id].settlement) == ("open", "rural")
    assert contacts_["ST-20251103-0008"].channel == "101"  # the mapping's default
    assert contacts_["ST-20250314-0002"].location_id is None
    # Across the March change: 00:55 GMT and 03:01 BST.
    dispute = incidents[contacts_["ST-20250330-0005"].id]
    assert dispute.created_at == datetime(2025, 3, 30, 0, 58, tzinfo=UTC)
    assert dispute.arrived_at == datetime(2025, 3, 30, 2, 1, tzinfo=UTC)
    assert dispute.status == "attended"
    # In the repeated October hour: 01:50 is the first (BST) 01:50, and arrival at 01:09 after
    # deployment at 01:53 BST can only be the second (GMT) 01:09.
    crash = contacts_["ST-20251026-0006"]
    assert crash.presented_at == datetime(2025, 10, 26, 0, 50, tzinfo=UTC)
    assert incidents[crash.id].deployed_at == datetime(2025, 10, 26, 0, 53, tzinfo=UTC)
    assert incidents[crash.id].arrived_at == datetime(2025, 10, 26, 1, 9, tzinfo=UTC)
    assert incidents[crash.id].closed_at == datetime(2025, 10, 26, 3, 30, tzinfo=UTC)
    assert report.read_text(encoding="utf-8").splitlines() == ["row,column,value,reason"]


def test_a_rerun_adds_nothing_and_counts_duplicates(ctx, admin, example_neighbourhoods, tmp_path):
    mapping = load_mapping(EXAMPLES / "force-export-mapping.toml")
    path = EXAMPLES / "force-export.csv"
    imports.import_force_export(
        ctx, actor=admin, path=path, mapping=mapping, report=tmp_path / "r1"
    )
    again = imports.import_force_export(
        ctx, actor=admin, path=path, mapping=mapping, report=tmp_path / "r2"
    )
    assert (again.rows_read, again.rows_added, again.rows_duplicate) == (8, 0, 8)
    contacts_, incidents, locations = _stored(ctx)
    assert (len(contacts_), len(incidents), len(locations)) == (8, 5, 5)
    with ctx.db.transaction() as session:
        batches = list(session.scalars(select(ImportBatchRow).order_by(ImportBatchRow.id)))
        logged = list(session.scalars(select(AccessLogRow)))
    assert [(b.importer, b.rows_added, b.rows_duplicate) for b in batches] == [
        ("force_export", 8, 0),
        ("force_export", 0, 8),
    ]
    assert [(e.operation, e.record_type, e.record_id) for e in logged] == [
        ("collection", "import_batch", str(b.id)) for b in batches
    ]


@pytest.mark.parametrize(
    ("mode", "presented_utc"),
    [
        ("earlier", datetime(2025, 10, 26, 0, 30, tzinfo=UTC)),
        ("infer", datetime(2025, 10, 26, 0, 30, tzinfo=UTC)),
        ("later", datetime(2025, 10, 26, 1, 30, tzinfo=UTC)),
    ],
)
def test_a_time_in_the_repeated_october_hour_follows_the_mapping(
    ctx, admin, neighbourhoods, export_file, mode, presented_utc
):
    path = export_file([["R1", "E", "26/10/2025 01:30", "", "", "", "", "", ""]])
    result = imports.import_force_export(
        ctx, actor=admin, path=path, mapping=_mapping(ambiguous_times=mode)
    )
    assert result.rows_added == 1
    contacts_, _, _ = _stored(ctx)
    assert contacts_["R1"].presented_at == presented_utc


def test_ambiguous_and_missing_local_times_can_be_refused(
    ctx, admin, neighbourhoods, export_file, read_report
):
    path = export_file(
        [
            ["R1", "E", "26/10/2025 01:30", "", "", "", "", "", ""],
            ["R2", "E", "30/03/2025 01:30", "", "", "", "", "", ""],
            ["R3", "E", "26/10/2025 02:30", "", "", "", "", "", ""],
        ]
    )
    result = imports.import_force_export(
        ctx, actor=admin, path=path, mapping=_mapping(ambiguous_times="reject")
    )
    assert (result.rows_added, result.rows_rejected) == (1, 2)
    assert [(r["row"], r["column"], r["reason"]) for r in read_report(result.report)] == [
        ("2", "Start", "happened twice in Europe/London: the clocks went back"),
        ("3", "Start", "does not exist in Europe/London: the clocks went forward"),
    ]


def test_times_in_another_zone_are_converted_to_utc(ctx, admin, neighbourhoods, export_file):
    path = export_file([["R1", "E", "01/07/2025 12:00", "", "", "", "", "", ""]])
    imports.import_force_export(ctx, actor=admin, path=path, mapping=_mapping(time_zone="UTC"))
    imports.import_force_export(
        ctx,
        actor=admin,
        path=export_file([["R2", "E", "01/07/2025 12:00", "", "", "", "", "", ""]], name="b.csv"),
        mapping=_mapping(),
    )
    contacts_, _, _ = _stored(ctx)
    assert contacts_["R1"].presented_at == datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
    assert contacts_["R2"].presented_at == datetime(2025, 7, 1, 11, 0, tzinfo=UTC)


def test_bad_rows_are_rejected_with_their_column_and_reason(
    ctx, admin, neighbourhoods, export_file, read_report
):
    path = export_file(
        [
            ["OK1", "E", "01/02/2025 10:00", "01/02/2025 10:01", "G1", "B1", "", "", ""],
            ["BAD2", "E", "01/02/2025 10:00", "", "G2", "B9", "", "", ""],
            ["BAD3", "E", "yesterday", "", "", "", "", "", ""],
            [
                "BAD4",
                "E",
                "01/02/2025 10:00",
                "",
                "G1",
                "B1",
                "01/02/2025 10:02",
                "01/02/2025 10:03",
                "01/02/2025 09:58",
            ],
            ["BAD5", "X", "01/02/2025 10:00", "", "", "", "", "", ""],
            ["BAD6", "E", "01/02/2025 10:00", "01/02/2025 09:59", "", "", "", "", ""],
            ["OK1", "E", "01/02/2025 11:00", "", "", "", "", "", ""],
            ["", "E", "01/02/2025 10:00", "", "G5", "", "", "", ""],
            ["BAD9", "E", "01/02/2025 10:00", "", "G2", "", "", "", ""],
        ]
    )
    result = imports.import_force_export(ctx, actor=admin, path=path, mapping=_mapping())
    assert (result.rows_read, result.rows_added, result.rows_rejected) == (9, 1, 8)
    assert [
        (r["row"], r["column"], r["value"], r["reason"]) for r in read_report(result.report)
    ] == [
        ("3", "Beat", "B9", "unknown neighbourhood"),
        ("4", "Start", "yesterday", "not a time in %d/%m/%Y %H:%M"),
        (
            "5",
            "Arrived",
            "01/02/2025 09:58",
            "arrived before deployed (2025-02-01 10:03:00 UTC)",
        ),
        ("6", "Chan", "X", "unknown channel code"),
        (
            "7",
            "Answered",
            "01/02/2025 09:59",
            "answered before the contact was presented (2025-02-01 10:00:00 UTC)",
        ),
        ("8", "Ref", "OK1", "repeats the external reference of row 2"),
        ("9", "Ref", "", "required value is missing"),
        ("9", "Grade", "G5", "unknown grade code"),
        (
            "10",
            "Beat",
            "",
            "no neighbourhood, so no settlement for the incident or location "
            "(map a neighbourhood column or set defaults.settlement)",
        ),
    ]
    contacts_, incidents, _ = _stored(ctx)
    assert set(contacts_) == {"OK1"}
    assert incidents[contacts_["OK1"].id].settlement == "urban"


def test_an_abandoned_call_with_an_answer_time_is_rejected(
    ctx, admin, neighbourhoods, export_file, read_report
):
    header = [*HEADER, "Abandoned"]
    path = export_file(
        [["A1", "E", "01/02/2025 10:00", "01/02/2025 10:01", "", "", "", "", "", "Y"]],
        header=header,
    )
    columns = {**MAPPING["columns"], "abandoned": "Abandoned"}
    result = imports.import_force_export(
        ctx, actor=admin, path=path, mapping=_mapping(columns=columns)
    )
    assert result.rows_rejected == 1
    assert read_report(result.report)[0]["reason"] == "an abandoned call has no answer time"


def test_a_failure_part_way_leaves_nothing_of_that_file(
    ctx, admin, neighbourhoods, export_file, monkeypatch
):
    rows = [[f"F{i}", "E", "01/02/2025 10:00", "", "G2", "B1", "", "", ""] for i in range(5)]
    real = imports_repo.add_force_records
    calls = []

    def fail_on_the_second_chunk(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("connection lost")
        return real(**kwargs)

    monkeypatch.setattr(imports_repo, "add_force_records", fail_on_the_second_chunk)
    with pytest.raises(RuntimeError, match="connection lost"):
        imports.import_force_export(
            ctx, actor=admin, path=export_file(rows), mapping=_mapping(), chunk_rows=2
        )
    assert len(calls) == 2
    contacts_, incidents, locations = _stored(ctx)
    assert (contacts_, incidents, locations) == ({}, {}, {})
    with ctx.db.transaction() as session:
        assert list(session.scalars(select(ImportBatchRow))) == []
        assert list(session.scalars(select(AccessLogRow))) == []


def test_contacts_taken_after_an_import_get_fresh_ids(
    ctx, admin, actors, neighbourhoods, export_file
):
    rows = [[f"I{i}", "E", "01/02/2025 10:00", "", "G2", "B1", "", "", ""] for i in range(3)]
    imports.import_force_export(ctx, actor=admin, path=export_file(rows), mapping=_mapping())
    taken = contacts.take_contact(
        ctx,
        actor=actors[Role.CALL_HANDLER],
        new=NewContact(channel=Channel.LIVE_CHAT, summary="after the import"),
    )
    contacts_, _, _ = _stored(ctx)
    assert taken.contact_id not in {c.id for c in contacts_.values() if c.source == "cad"}
    assert len(contacts_) == 4


def test_a_file_without_the_presented_time_column_is_refused_naming_it(
    ctx, admin, neighbourhoods, export_file
):
    path = export_file([["R1", "E"]], header=["Ref", "Chan"])
    with pytest.raises(UnreadableFile, match="Start"):
        imports.import_force_export(ctx, actor=admin, path=path, mapping=_mapping())


def test_a_missing_optional_column_is_reported_once_and_read_as_empty(
    ctx, admin, neighbourhoods, export_file
):
    path = export_file(
        [["R1", "E", "01/02/2025 10:00"], ["R2", "N", "01/02/2025 10:05"]],
        header=["Ref", "Chan", "Start"],
    )
    result = imports.import_force_export(ctx, actor=admin, path=path, mapping=_mapping())
    assert (result.rows_added, result.rows_rejected) == (2, 0)
    with result.report.open(newline="", encoding="utf-8") as handle:
        notes = [r for r in csv.DictReader(handle) if r["column"] == "Answered"]
    assert [(n["row"], n["reason"][:8]) for n in notes] == [("1", "warning:")]


def test_a_mapping_to_a_neighbourhood_we_do_not_have_is_refused_naming_the_key(
    ctx, admin, neighbourhoods, export_file
):
    mapping = _mapping(codes={**MAPPING["codes"], "neighbourhood": {"B7": "nowhere"}})
    with pytest.raises(MappingError) as refused:
        imports.import_force_export(ctx, actor=admin, path=export_file([]), mapping=mapping)
    assert refused.value.key == 'codes.neighbourhood."B7"'


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"source": None}, "source"),
        ({"colums": {}}, "colums"),
        ({"columns": {"channel": "Chan", "presented_at": "Start"}}, "columns.external_ref"),
        ({"columns": {**MAPPING["columns"], "colour": "C"}}, "columns.colour"),
        ({"time_zone": "Europe/Narnia"}, "time_zone"),
        ({"ambiguous_times": "guess"}, "ambiguous_times"),
        ({"formats": {"datetime": "%d/%m/%Y %Q"}}, "formats.datetime"),
        ({"codes": {"grade": {"G9": 9}}}, 'codes.grade."G9"'),
        ({"codes": {"channel": {"T": "telegram"}}}, 'codes.channel."T"'),
        ({"codes": {"boolean": {"Y": "yes"}}}, 'codes.boolean."Y"'),
        ({"defaults": {"settlement": "suburban"}}, "defaults.settlement"),
    ],
)
def test_a_bad_mapping_is_refused_at_the_start_naming_the_key(change, key):
    raw = {k: v for k, v in {**MAPPING, **change}.items() if v is not None}
    with pytest.raises(MappingError) as refused:
        parse_mapping(raw)
    assert refused.value.key == key
    assert str(refused.value).startswith(f"{key}: ")


def test_a_mapping_file_that_is_not_toml_is_refused(tmp_path):
    path = tmp_path / "mapping.toml"
    path.write_text("source = \n", encoding="utf-8")
    with pytest.raises(MappingError, match="not valid TOML"):
        load_mapping(path)


def test_the_importing_user_defaults_to_the_first_administrator(ctx, actors):
    assert (
        imports.importing_actor(ctx, action=Action.IMPORT_DATA).username == Role.ADMINISTRATOR.value
    )
    assert (
        imports.importing_actor(ctx, username="analyst", action=Action.VIEW_MEASURES).role
        is Role.ANALYST
    )
    with pytest.raises(ValidationFailed, match="no active user"):
        imports.importing_actor(ctx, username="nobody", action=Action.IMPORT_DATA)


def test_without_an_administrator_there_is_no_one_to_import_as(ctx):
    with pytest.raises(ValidationFailed, match="no active administrator"):
        imports.importing_actor(ctx, action=Action.IMPORT_DATA)


def test_text_and_attributes_are_stored_exactly_as_read(ctx, admin, neighbourhoods, tmp_path):
    # The good rows go to the store as Arrow columns (COPY of CSV text on PostgreSQL, staged
    # INSERT ... SELECT on SQLite; attributes as JSON built column-wise): quotes, commas, line
    # breaks, backslashes, an empty summary and non-ASCII text must come back unchanged.
    awkward = 'He said "stop", then left\\n\n£ — ünïcode \\ back\tslash'
    path = tmp_path / "awkward.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Ref", "Chan", "Start", "Grade", "Beat", "What", "Note", "Empty"])
        writer.writerow(["Q1", "E", "01/02/2025 10:00", "G2", "B1", awkward, awkward, ""])
        writer.writerow(["Q2", "N", "01/02/2025 10:05", "", "", "", "", ""])
    columns = {
        "external_ref": "Ref",
        "channel": "Chan",
        "presented_at": "Start",
        "grade": "Grade",
        "neighbourhood": "Beat",
        "summary": "What",
    }
    mapping = _mapping(columns=columns, attributes=["Note", "Empty"])
    result = imports.import_force_export(ctx, actor=admin, path=path, mapping=mapping)
    assert (result.rows_added, result.rows_rejected) == (2, 0)
    contacts_, incidents, _ = _stored(ctx)
    assert contacts_["Q1"].summary == awkward
    assert contacts_["Q1"].attributes == {"Note": awkward}
    assert contacts_["Q2"].summary == "" and contacts_["Q2"].attributes is None
    assert contacts_["Q2"].caller_name is None and contacts_["Q2"].location_id is None
    assert incidents[contacts_["Q1"].id].grade == 2 and contacts_["Q2"].id not in incidents
