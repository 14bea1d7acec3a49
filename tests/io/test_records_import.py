"""The records-system import (issue 14): a small Niche-style export of crimes, victims and key
events goes in through a mapping; the Victims' Code worklist and the outcome, victim-update
and plan measures equal values worked by hand below; a re-import duplicates nothing and an
export with a changed row updates it. SQLite and PostgreSQL (the `ctx` fixture).

The export is written here in the shape of a Niche occurrence extract (one CSV per entity,
day-first local times, the text NULL for an empty value, the system's own ids)."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from watchhouse.db.investigation_tables import CrimeEventRow, CrimeVictimRow
from watchhouse.db.tables import (
    CrimeRow,
    InvestigationPlanRow,
    SupervisorReviewRow,
    VictimContactRow,
)
from watchhouse.domain.roles import Role
from watchhouse.io.force_mapping import MappingError
from watchhouse.io.records_import import RecordKind, parse_records_mapping
from watchhouse.services import investigations, measures
from watchhouse.services.records_import import import_records

MAPPING = {
    "source": "niche",
    "time_zone": "Europe/London",
    "null_tokens": ["NULL"],
    "formats": {"datetime": "%d/%m/%Y %H:%M", "date": "%d/%m/%Y"},
    "crimes": {
        "columns": {
            "external_ref": "OccurrenceID",
            "recorded_at": "ReportedDate",
            "home_office_code": "HOCode",
            "offence": "OffenceCode",
            "outcome": "Outcome",
            "outcome_at": "OutcomeDate",
            "domestic_abuse": "DAFlag",
            "allocated_at": "AllocatedDate",
            "investigator": "OIC",
        },
        "codes": {
            "offence": {
                "THEFTOTH": "other_theft",
                "RAPE": "rape",
                "ABH": "assault_with_injury",
                "*": "other_theft",
            },
        },
    },
    "victims": {
        "columns": {
            "external_ref": "VictimID",
            "crime_ref": "OccurrenceID",
            "given_name": "Forename",
            "family_name": "Surname",
            "date_of_birth": "DOB",
            "enhanced_grounds": "EnhancedGrounds",
            "wants_updates": "WantsUpdates",
        },
        "codes": {"enhanced_grounds": {"VULN": "vulnerable", "INTIM": "intimidated"}},
    },
    "events": {
        "columns": {
            "external_ref": "EventID",
            "crime_ref": "OccurrenceID",
            "victim_ref": "VictimID",
            "kind": "EventType",
            "occurred_at": "EventDate",
            "adequate": "PlanAdequate",
        },
        "codes": {
            "kind": {
                "ARR": "arrest",
                "BAIL": "bail",
                "VU": "victim_update",
                "NA": "needs_assessment",
                "IP": "investigation_plan",
                "SR": "supervisor_review",
                "*": "ignore",
            }
        },
    },
}

CRIMES = [
    ["OccurrenceID", "ReportedDate", "HOCode", "OffenceCode", "Outcome", "OutcomeDate", "DAFlag",
     "AllocatedDate", "OIC"],
    ["C1", "03/03/2025 09:00", "49/1", "THEFTOTH", "1", "10/03/2025 10:00", "N",
     "03/03/2025 12:00", "investigator"],
    ["C2", "04/03/2025 10:00", "19C", "RAPE", "0", "NULL", "NULL", "04/03/2025 11:00",
     "investigator"],
    ["C3", "05/03/2025 11:00", "8N", "ABH", "18", "12/03/2025 15:00", "Y", "NULL", "NULL"],
    ["C4", "31/02/2025 10:00", "49/1", "THEFTOTH", "0", "NULL", "N", "NULL", "NULL"],
    ["C5", "06/03/2025 08:00", "99/9", "ODDCODE", "0", "NULL", "N", "NULL", "nobody"],
]  # fmt: skip
VICTIMS = [
    ["VictimID", "OccurrenceID", "Forename", "Surname", "DOB", "EnhancedGrounds", "WantsUpdates"],
    ["V1", "C1", "Ann", "Archer", "01/02/1970", "NULL", "Y"],
    ["V2", "C2", "Bea", "Baker", "02/03/1985", "VULN", "Y"],
    ["V3", "C3", "Cal", "Carter", "NULL", "NULL", "Y"],
    ["V4", "C99", "Dee", "Dyer", "NULL", "NULL", "Y"],
]
EVENTS = [
    ["EventID", "OccurrenceID", "VictimID", "EventType", "EventDate", "PlanAdequate"],
    ["E1", "C1", "NULL", "ARR", "04/03/2025 14:00", "NULL"],
    ["E2", "C1", "V1", "VU", "10/03/2025 09:00", "NULL"],
    ["E3", "C2", "NULL", "ARR", "06/03/2025 18:30", "NULL"],
    ["E4", "C2", "V2", "VU", "07/03/2025 16:00", "NULL"],
    ["E5", "C2", "NULL", "BAIL", "19/03/2025 12:00", "NULL"],
    ["E6", "C3", "V3", "VU", "13/03/2025 16:59", "NULL"],
    ["E7", "C1", "NULL", "IP", "05/03/2025 09:00", "Y"],
    ["E8", "C2", "NULL", "IP", "06/03/2025 09:00", "NULL"],
    ["E9", "C2", "NULL", "SR", "12/03/2025 10:00", "NULL"],
    ["E10", "C3", "V3", "NA", "05/03/2025 12:00", "NULL"],
    ["E11", "C3", "NULL", "MISC", "05/03/2025 13:00", "NULL"],
    ["E12", "C2", "V1", "VU", "08/03/2025 10:00", "NULL"],
]
NOW = datetime(2025, 3, 21, 12, 0, tzinfo=UTC)  # a Friday; London is on GMT all month
MARCH = "2025-03"


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _reasons(report: Path) -> list[tuple[str, str, str]]:
    with report.open(newline="", encoding="utf-8") as handle:
        return [(r["row"], r["column"], r["reason"]) for r in csv.DictReader(handle)]


def _import_files(ctx, admin, folder: Path, mapping: dict, files: dict[RecordKind, list]):
    """Each kind's rows written as its own CSV file and imported with the mapping, in order."""
    parsed = parse_records_mapping(mapping)
    return {
        kind: import_records(
            ctx,
            actor=admin,
            kind=kind,
            paths=[_write(folder / f"{kind.value}.csv", rows)],
            mapping=parsed,
        )[0]
        for kind, rows in files.items()
    }


def _import_all(ctx, admin, folder: Path, crimes: list[list[str]] = CRIMES):
    files = {RecordKind.CRIMES: crimes, RecordKind.VICTIMS: VICTIMS, RecordKind.EVENTS: EVENTS}
    return _import_files(ctx, admin, folder, MAPPING, files)


def _march_values(ctx, analyst, keys: list[str]) -> dict[str, float | None]:
    """The measures' values for March 2025."""
    return {
        v.measure: v.value
        for v in measures.compute_measures(
            ctx, actor=analyst, measures=keys, start=date(2025, 3, 1), end=date(2025, 3, 31)
        )
        if v.period_label == MARCH
    }


def _values(ctx, analyst) -> dict[str, float | None]:
    keys = [
        "investigations.charge_rate",
        "investigations.outcome_no_suspect",
        "investigations.victim_updates_on_time",
        "investigations.victim_updates_on_time_enhanced",
        "investigations.plan_adequate",
    ]
    return _march_values(ctx, analyst, keys)


def test_a_records_export_feeds_the_victims_code_worklist_and_the_outcome_measures(
    ctx, actors, clock, tmp_path
):
    clock.moment = NOW
    admin, analyst = actors[Role.ADMINISTRATOR], actors[Role.ANALYST]
    results = _import_all(ctx, admin, tmp_path)

    crimes = results[RecordKind.CRIMES]
    assert (crimes.rows_read, crimes.rows_added, crimes.rows_rejected) == (5, 4, 1)
    assert _reasons(crimes.report) == [
        ("5", "ReportedDate", "not a time in %d/%m/%Y %H:%M"),
        ("6", "OIC", "warning: no watchhouse user 'nobody'; the crime is kept without its "
         "investigator"),
    ]  # fmt: skip
    victims = results[RecordKind.VICTIMS]
    assert (victims.rows_added, victims.rows_rejected) == (3, 1)
    assert _reasons(victims.report) == [
        ("5", "OccurrenceID", "no crime 'C99' from niche: import the crimes first")
    ]
    events = results[RecordKind.EVENTS]
    assert (events.rows_read, events.rows_added, events.rows_filtered) == (12, 10, 1)
    assert _reasons(events.report) == [
        ("13", "VictimID", "no victim 'V1' of crime 'C2' from niche: import the victims first")
    ]

    with ctx.db.transaction() as session:
        stored = {
            ref: (group, ho, outcome)
            for ref, group, ho, outcome in session.execute(
                select(
                    CrimeRow.external_ref,
                    CrimeRow.crime_group,
                    CrimeRow.home_office_code,
                    CrimeRow.outcome_code,
                )
            )
        }
        enhanced = {
            ref: grounds
            for ref, grounds in session.execute(
                select(CrimeVictimRow.external_ref, CrimeVictimRow.enhanced_grounds)
            )
        }
        owed = session.scalar(select(func.count()).select_from(VictimContactRow))
    assert stored == {
        "C1": ("Theft offences", "49/1", 1),
        "C2": ("Sexual offences", "19C", 0),
        "C3": ("Violence against the person", "8N", 18),
        "C5": ("Theft offences", "99/9", 0),  # the catch-all offence
    }
    # V1: not held, a theft gives standard rights; V2: the source's ground; V3: not held,
    # domestic abuse is a most serious crime by the policy.
    assert enhanced == {"V1": [], "V2": ["vulnerable"], "V3": ["most_serious_crime"]}
    # Worked by hand: the updates owed, one per victim per key decision (the outcome too).
    #   C1/V1 arrest Tue 4 Mar 14:00, due Tue 11 Mar 17:00 (5 working days); told Mon 10 Mar.
    #   C1/V1 charge (outcome 1) Mon 10 Mar 10:00, due Mon 17 Mar 17:00; never told: late.
    #   C2/V2 (enhanced) arrest Thu 6 Mar 18:30, after hours so from Fri 7 Mar, due Mon 10 Mar
    #     17:00 (1 working day); told Fri 7 Mar 16:00.
    #   C2/V2 bail Wed 19 Mar 12:00, due Thu 20 Mar 17:00; not told by now (Fri 21): late.
    #   C3/V3 (enhanced) outcome 18 Wed 12 Mar 15:00, due Thu 13 Mar 17:00; told 16:59.
    assert owed == 5
    values = _values(ctx, analyst)
    assert values["investigations.victim_updates_on_time"] == pytest.approx(3 / 5)
    assert values["investigations.victim_updates_on_time_enhanced"] == pytest.approx(2 / 3)
    assert values["investigations.charge_rate"] == pytest.approx(1 / 2)  # C1 of C1, C3
    assert values["investigations.outcome_no_suspect"] == pytest.approx(1 / 2)  # C3
    # C1's plan was checked adequate; C2's quality was not recorded and is left out.
    assert values["investigations.plan_adequate"] == pytest.approx(1.0)

    worklist = investigations.investigator_worklist(ctx, actor=actors[Role.INVESTIGATOR])
    updates = next(s for s in worklist.sections if s.title == "Victim updates due")
    assert (updates.total, updates.overdue) == (2, 2)
    assert [item.crime_id for item in updates.items] == [_id(ctx, "C1"), _id(ctx, "C2")]
    assert [item.due_at for item in updates.items] == [
        datetime(2025, 3, 17, 17, tzinfo=UTC),
        datetime(2025, 3, 20, 17, tzinfo=UTC),
    ]
    with ctx.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(InvestigationPlanRow)) == 2
        assert session.scalar(select(func.count()).select_from(SupervisorReviewRow)) == 1
        assessed = session.scalar(
            select(CrimeVictimRow.assessed_at).where(CrimeVictimRow.external_ref == "V3")
        )
    assert assessed == datetime(2025, 3, 5, 12, tzinfo=UTC)

    # Re-importing the same export adds and changes nothing.
    again = _import_all(ctx, admin, tmp_path)
    assert [r.rows_added for r in again.values()] == [0, 0, 0]
    assert [r.rows_updated for r in again.values()] == [0, 0, 0]
    assert [r.rows_duplicate for r in again.values()] == [4, 3, 10]
    with ctx.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(VictimContactRow)) == 5
        assert session.scalar(select(func.count()).select_from(CrimeEventRow)) == 10
    assert _values(ctx, analyst) == values

    # The next export: C5 was charged on Fri 14 Mar. The row is updated, not added.
    changed = [row[:] for row in CRIMES]
    changed[5][4:6] = ["1", "14/03/2025 09:00"]
    later = _import_all(ctx, admin, tmp_path, crimes=changed)
    assert (later[RecordKind.CRIMES].rows_added, later[RecordKind.CRIMES].rows_updated) == (0, 1)
    with ctx.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(CrimeRow)) == 4
    assert _values(ctx, analyst)["investigations.charge_rate"] == pytest.approx(2 / 3)


def _id(ctx, ref: str) -> int:
    with ctx.db.transaction() as session:
        return int(session.scalar(select(CrimeRow.id).where(CrimeRow.external_ref == ref)))


def test_a_mapping_is_checked_whole_and_names_the_key_at_fault():
    bad = {**MAPPING, "events": {**MAPPING["events"], "codes": {"kind": {"ARR": "arested"}}}}
    with pytest.raises(MappingError, match=r'events\.codes\.kind\."ARR"'):
        parse_records_mapping(bad)
    with pytest.raises(MappingError, match=r"crimes\.columns\.recorded_at: required"):
        parse_records_mapping({"source": "niche", "crimes": {"columns": {"external_ref": "Id"}}})
    with pytest.raises(MappingError, match="time_zone"):
        parse_records_mapping({**MAPPING, "time_zone": "Europe/Londn"})


# --- the supervisor's next review deadline, VPS offers and bureau tasks ----------------------

CASEWORK_MAPPING = {
    **MAPPING,
    "crimes": {
        **MAPPING["crimes"],
        "columns": {
            **MAPPING["crimes"]["columns"],
            "supervisor": "Supervisor",
            "next_review_due_at": "NextReview",
        },
    },
    "victims": {
        **MAPPING["victims"],
        "columns": {
            **MAPPING["victims"]["columns"],
            "vps_offered_at": "VPSOffered",
            "vps_decision": "VPSDecision",
            "vps_made_at": "VPSMade",
        },
        "codes": {
            **MAPPING["victims"]["codes"],
            "vps_decision": {"A": "accepted", "D": "declined"},
        },
    },
    "tasks": {
        "columns": {
            "external_ref": "TaskID",
            "crime_ref": "OccurrenceID",
            "task": "TaskType",
            "requested_at": "Requested",
            "due_at": "Due",
            "done_at": "Completed",
            "detail": "Detail",
        },
        "codes": {"task": {"CCTV": "cctv_request", "FILE": "file_preparation", "*": "other"}},
    },
}
CASEWORK_CRIMES = [
    [*CRIMES[0], "Supervisor", "NextReview"],
    [*CRIMES[1], "supervisor", "14/03/2025 17:00"],  # C1 is charged: no review owed
    [*CRIMES[2], "supervisor", "20/03/2025 17:00"],  # C2: overdue by now
    [*CRIMES[3], "supervisor", "14/03/2025 17:00"],  # C3 has its outcome too
    [*CRIMES[4], "NULL", "NULL"],
    [*CRIMES[5], "supervisor", "28/03/2025 09:00"],  # C5: not yet due
]
CASEWORK_VICTIMS = [
    [*VICTIMS[0], "VPSOffered", "VPSDecision", "VPSMade"],
    [*VICTIMS[1], "07/03/2025 10:00", "A", "10/03/2025 11:00"],  # V1 of C1: offered, made
    [*VICTIMS[2], "NULL", "NULL", "NULL"],  # V2 of C2: not offered, not assessed
    [*VICTIMS[3], "NULL", "NULL", "NULL"],  # V3 of C3: the crime has its outcome
    [*VICTIMS[4], "NULL", "NULL", "NULL"],
]
TASKS = [
    ["TaskID", "OccurrenceID", "TaskType", "Requested", "Due", "Completed", "Detail"],
    ["T1", "C1", "CCTV", "03/03/2025 10:00", "NULL", "05/03/2025 10:00", "Shop camera"],
    ["T2", "C2", "FILE", "04/03/2025 09:00", "06/03/2025 17:00", "07/03/2025 12:00", "NULL"],
    ["T3", "C2", "XYZ", "17/03/2025 09:00", "18/03/2025 17:00", "NULL", "Ring the witness"],
    ["T4", "C99", "CCTV", "17/03/2025 09:00", "NULL", "NULL", "NULL"],
    ["T5", "C1", "CCTV", "17/03/2025 09:00", "NULL", "16/03/2025 09:00", "NULL"],
]


def _import_casework(ctx, admin, folder: Path, tasks: list[list[str]] = TASKS):
    files = {
        RecordKind.CRIMES: CASEWORK_CRIMES,
        RecordKind.VICTIMS: CASEWORK_VICTIMS,
        RecordKind.EVENTS: EVENTS,
        RecordKind.TASKS: tasks,
    }
    return _import_files(ctx, admin, folder, CASEWORK_MAPPING, files)


def test_review_deadlines_vps_offers_and_bureau_tasks_feed_the_worklists_and_measures(
    ctx, actors, clock, tmp_path
):
    clock.moment = NOW
    admin, analyst = actors[Role.ADMINISTRATOR], actors[Role.ANALYST]
    results = _import_casework(ctx, admin, tmp_path)
    tasks = results[RecordKind.TASKS]
    assert (tasks.rows_read, tasks.rows_added, tasks.rows_rejected) == (5, 3, 2)
    assert _reasons(tasks.report) == [
        ("5", "OccurrenceID", "no crime 'C99' from niche: import the crimes first"),
        ("6", "Completed", "done before it was asked"),
    ]

    # The supervisor's reviews: the source's deadlines of the open crimes C2 and C5.
    supervision = investigations.supervisor_worklist(ctx, actor=actors[Role.SUPERVISOR])
    reviews = next(s for s in supervision.sections if s.title == "Reviews due")
    assert (reviews.total, reviews.overdue) == (2, 1)
    assert [(i.crime_id, i.due_at) for i in reviews.items] == [
        (_id(ctx, "C2"), datetime(2025, 3, 20, 17, tzinfo=UTC)),
        (_id(ctx, "C5"), datetime(2025, 3, 28, 9, tzinfo=UTC)),
    ]
    # VPS offers: owed within 5 working days of the needs assessment. V2 (the investigator's
    # open crime C2) was never assessed, so from being recorded (Tue 4 Mar 10:00): due Tue 11
    # Mar 17:00, not offered: late. V1 was offered; the crimes of V1 and V3 are closed.
    mine = investigations.investigator_worklist(ctx, actor=actors[Role.INVESTIGATOR])
    offers = next(s for s in mine.sections if s.title == "Victim Personal Statements to offer")
    assert (offers.total, offers.overdue) == (1, 1)
    assert [(i.crime_id, i.due_at) for i in offers.items] == [
        (_id(ctx, "C2"), datetime(2025, 3, 11, 17, tzinfo=UTC))
    ]
    with ctx.db.transaction() as session:
        v1 = session.scalars(select(CrimeVictimRow).where(CrimeVictimRow.external_ref == "V1"))
        (victim,) = list(v1)
        assert (victim.vps_decision, victim.vps_made_at) == (
            "accepted",
            datetime(2025, 3, 10, 11, tzinfo=UTC),
        )
        # V3 was assessed Wed 5 Mar 12:00: offer due Wed 12 Mar 17:00.
        assert session.scalar(
            select(CrimeVictimRow.vps_due_at).where(CrimeVictimRow.external_ref == "V3")
        ) == datetime(2025, 3, 12, 17, tzinfo=UTC)

    # Bureau: T1 (CCTV) asked Mon 3 Mar 10:00, due 3 working days later (Thu 6 Mar 17:00),
    # done Wed 5 Mar 10:00: on time, 48 h. T2 due Thu 6 Mar 17:00, done Fri 7 Mar 12:00: late,
    # 75 h. T3 ("other") due Tue 18 Mar 17:00, not done by Fri 21 Mar: late, open.
    bureau = investigations.bureau_worklist(ctx, actor=admin)
    assert (bureau.open_total, bureau.overdue_total) == (1, 1)
    assert [(t.task, t.detail) for t in bureau.open_tasks] == [("other", "Ring the witness")]
    values = _bureau_values(ctx, analyst)
    assert values["investigations.bureau_tasks_on_time"] == pytest.approx(1 / 3)
    assert values["investigations.bureau_median_turnaround_hours"] == pytest.approx(61.5)

    # The same export again adds and changes nothing.
    again = _import_casework(ctx, admin, tmp_path)
    assert [(r.rows_added, r.rows_updated) for r in again.values()] == [(0, 0)] * 4
    # The next export: T3 was done on Thu 20 Mar 09:00. The row is updated, not added.
    changed = [row[:] for row in TASKS]
    changed[3][5] = "20/03/2025 09:00"
    later = _import_casework(ctx, admin, tmp_path, tasks=changed)
    assert (later[RecordKind.TASKS].rows_added, later[RecordKind.TASKS].rows_updated) == (0, 1)
    assert investigations.bureau_worklist(ctx, actor=admin).open_total == 0
    # T3: asked Mon 17 Mar 09:00, done Thu 20 Mar 09:00, late (72 h): still 1 of 3 on time;
    # the median of 48, 72 and 75 h is 72 h.
    values = _bureau_values(ctx, analyst)
    assert values["investigations.bureau_tasks_on_time"] == pytest.approx(1 / 3)
    assert values["investigations.bureau_median_turnaround_hours"] == pytest.approx(72)


def _bureau_values(ctx, analyst) -> dict[str, float | None]:
    keys = ["investigations.bureau_tasks_on_time", "investigations.bureau_median_turnaround_hours"]
    return _march_values(ctx, analyst, keys)


def test_the_documented_example_mapping_is_a_valid_mapping_of_every_kind():
    from watchhouse.io.records_import import load_records_mapping

    example = Path(__file__).parents[2] / "docs" / "examples" / "records-mapping.toml"
    mapping = load_records_mapping(example)
    assert set(mapping.kinds) == {
        RecordKind.CRIMES,
        RecordKind.VICTIMS,
        RecordKind.EVENTS,
        RecordKind.TASKS,
    }
    assert mapping.kind(RecordKind.TASKS).codes["task"]["*"] == "other"
