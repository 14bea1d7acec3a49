"""End to end: a command-and-control export in the shape of a published one goes in without
pre-processing, and the attendance measures equal an independent computation.

The shape follows the weekly exports of a US emergency communications centre's CAD system
as published with its weekly reports (github.com/trdunsworth/DECCreport3, w_report_base.docx.md:
columns Master_Incident_Number, Agency (POLICE, FIRE, EMS), Problem, Priority_Number,
Call_Reception, Call_Taker, Incident_Start_Time, Incident_Queue_Time, Incident_Dispatch_Time,
Incident_Phone_Stop, Incident_Arrival_Time, Incident_First_Close_Time, Call_Reopened,
Final_Closed_Time, Disposition; about 1,350 calls a week, a little over half police). The
rows here are generated (seeded): times are written as local wall times of a UK force
(Europe/London) across the October clock change, with the text NULL where a time is missing.
"""

from __future__ import annotations

import csv
import random
import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from watchhouse.analytics.model import Cut
from watchhouse.db.tables import ContactRow, IncidentRow
from watchhouse.domain.roles import Role
from watchhouse.io.force_export import parse_file
from watchhouse.io.force_mapping import parse_mapping
from watchhouse.services import imports, measures

pytestmark = pytest.mark.integration

LONDON = ZoneInfo("Europe/London")
WALL = "%Y-%m-%d %H:%M:%S"
CHANGE_DAY = date(2025, 10, 26)  # 02:00 BST -> 01:00 GMT: 01:00-01:59 happens twice
RECEPTION = {  # Call_Reception: (weight, is the public)
    "E-911": (40, True),
    "Phone": (30, True),
    "": (3, True),
    "Officer Initiated": (18, False),
    "Radio": (6, False),
    "Transfer": (3, False),
}
# The channel cut of each reception code: the public's channel, or a force-started origin.
CHANNEL_CUT = {
    "E-911": "999",
    "Officer Initiated": "officer_initiated",
    "Radio": "radio",
    "Transfer": "transfer",
}
MAPPING = {
    "source": "decc",
    "time_zone": "Europe/London",
    "null_tokens": ["NULL"],
    "filter": {"Agency": "POLICE"},
    "attributes": ["Disposition", "Call_Taker"],
    "columns": {
        "external_ref": "Master_Incident_Number",
        "channel": "Call_Reception",
        "origin": "Call_Reception",
        "presented_at": "Incident_Start_Time",
        "ended_at": "Incident_Phone_Stop",
        "summary": "Problem",
        "grade": "Priority_Number",
        "incident_created_at": "Incident_Queue_Time",
        "incident_deployed_at": "Incident_Dispatch_Time",
        "incident_arrived_at": "Incident_Arrival_Time",
        "incident_closed_at": ["Incident_First_Close_Time", "Final_Closed_Time"],
    },
    "defaults": {"settlement": "urban", "channel": "101"},
    "codes": {
        "channel": {"E-911": "999", "*": "101"},
        "origin": {
            "Officer Initiated": "officer_initiated",
            "Radio": "radio",
            "Transfer": "transfer",
            "*": "public",
        },
        "grade": {"1": 1, "2": 2, "3": 3, "4": 4, "*": 3},
    },
}
BASE_HEADER = [
    "Master_Incident_Number",
    "Agency",
    "Problem",
    "Priority_Number",
    "Call_Reception",
    "Call_Taker",
    "Incident_Start_Time",
    "Incident_Queue_Time",
    "Incident_Dispatch_Time",
    "Incident_Phone_Stop",
    "Incident_Arrival_Time",
    "Incident_First_Close_Time",
    "Call_Reopened",
    "Final_Closed_Time",
    "Disposition",
]


@dataclass
class Call:
    """One generated CAD record: its true UTC times and how the export writes it."""

    ref: str
    agency: str
    reception: str
    priority: int
    start: datetime
    queued: datetime
    dispatched: datetime
    phone_stop: datetime | None
    arrived: datetime | None
    first_close: datetime
    final_close: datetime
    reopened: bool
    bad_start: bool = False


def _wall(moment: datetime | None) -> str:
    return "NULL" if moment is None else moment.astimezone(LONDON).strftime(WALL)


def _ambiguous(moment: datetime) -> bool:
    local = moment.astimezone(LONDON).replace(tzinfo=None)
    return (
        local.replace(tzinfo=LONDON, fold=0).utcoffset()
        != local.replace(tzinfo=LONDON, fold=1).utcoffset()
    )


def _minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=round(rng.uniform(low, high) * 60))


def _call(rng: random.Random, number: int, start: datetime) -> Call:
    start = start.replace(microsecond=0)
    reception = rng.choices(list(RECEPTION), [w for w, _ in RECEPTION.values()])[0]
    public = RECEPTION[reception][1]
    queued = start + timedelta(seconds=rng.randint(20, 180))
    dispatched = queued + _minutes(rng, 0.5, 25)
    arrived = None if rng.random() < 0.12 else dispatched + _minutes(rng, 2, 40)
    closes = (arrived or dispatched) + _minutes(rng, 10, 120)
    reopened = arrived is not None and rng.random() < 0.04
    return Call(
        ref=f"25-{number:06d}",
        agency=rng.choices(["POLICE", "FIRE", "EMS"], [57, 25, 18])[0],
        reception=reception,
        priority=rng.choices([1, 2, 3, 4], [26, 39, 25, 10])[0],
        start=start,
        queued=queued,
        dispatched=dispatched,
        phone_stop=start + timedelta(seconds=rng.randint(40, 400)) if public else None,
        arrived=arrived,
        # A reopened call: the first closure is before the recorded arrival.
        first_close=(arrived - timedelta(minutes=6)) if reopened and arrived else closes,
        final_close=closes,
        reopened=reopened,
    )


def _generate() -> list[Call]:
    rng = random.Random(14)
    calls: list[Call] = []
    begin = datetime(2025, 10, 12, 23, 0, tzinfo=UTC)  # 00:00 BST, Monday 13 October
    for number in range(1, 1300):
        call = _call(rng, number, begin + timedelta(minutes=rng.uniform(0, 3 * 7 * 24 * 60)))
        times = [call.start, call.queued, call.dispatched, call.first_close, call.final_close]
        if any(_ambiguous(t) for t in [*times, call.arrived or call.start]):
            continue  # kept clear of the repeated hour: the crafted calls below are in it
        calls.append(call)
    # In the repeated hour: created at 01:xx GMT (the second 01:xx) and attended after 02:00,
    # which an importer resolving only against earlier times would store an hour early.
    for minute in (12, 25, 38):
        start = datetime(2025, 10, 26, 1, minute, tzinfo=UTC)
        call = _call(rng, 900_000 + minute, start)
        call.agency, call.priority, call.reopened = "POLICE", 1, False
        call.queued = start + timedelta(minutes=1)
        call.dispatched = call.queued + timedelta(minutes=2)
        call.arrived = datetime(2025, 10, 26, 2, 1, tzinfo=UTC) + timedelta(minutes=minute // 10)
        call.first_close = call.final_close = call.arrived + timedelta(minutes=40)
        calls.append(call)
    # The first 01:50 (BST) call attended at 01:07 GMT: the wrap settles both.
    start = datetime(2025, 10, 26, 0, 50, tzinfo=UTC)
    call = _call(rng, 900_100, start)
    call.agency, call.priority, call.reopened, call.phone_stop = "POLICE", 2, False, None
    call.queued = start + timedelta(minutes=1)
    call.dispatched = call.queued + timedelta(minutes=3)
    call.arrived = datetime(2025, 10, 26, 1, 7, tzinfo=UTC)
    call.first_close = call.final_close = datetime(2025, 10, 26, 3, 0, tzinfo=UTC)
    calls.append(call)
    # Four police rows whose start time is not a date at all: rejected, named.
    for call in rng.sample([c for c in calls if c.agency == "POLICE"], 4):
        call.bad_start = True
    return calls


def _row(call: Call, header: list[str], rng: random.Random) -> list[str]:
    values = {
        "Master_Incident_Number": call.ref,
        "Agency": call.agency,
        "Problem": rng.choice(["DISORDERLY CONDUCT", "TRAFFIC STOP", "ALARM", "THEFT"]),
        "Priority_Number": str(call.priority),
        "Call_Reception": call.reception,
        "Call_Taker": rng.choice(["C2C", "A11", "B07"]),
        "Incident_Start_Time": "2025-10-32 10:00:00" if call.bad_start else _wall(call.start),
        "Incident_Queue_Time": _wall(call.queued),
        "Incident_Dispatch_Time": _wall(call.dispatched),
        "Incident_Phone_Stop": _wall(call.phone_stop),
        "Incident_Arrival_Time": _wall(call.arrived),
        "Incident_First_Close_Time": _wall(call.first_close),
        "Call_Reopened": "Yes" if call.reopened else "No",
        "Final_Closed_Time": _wall(call.final_close),
        "Disposition": rng.choice(["REPORT TAKEN", "ADVISED", "ARREST", "GONE ON ARRIVAL"]),
        "WeekNo": str(call.start.isocalendar().week),
        "DOW": call.start.astimezone(LONDON).strftime("%a").upper(),
    }
    return [values[name] for name in header]


def _write_weeks(calls: list[Call], folder: Path) -> None:
    """Three weekly files: the second has moved and extra columns and names Priority_Number
    twice; the third has no Incident_Phone_Stop column."""
    rng = random.Random(7)
    second = ["WeekNo", "DOW", *BASE_HEADER[::-1], "Priority_Number"]
    third = [h for h in BASE_HEADER if h != "Incident_Phone_Stop"]
    headers = [BASE_HEADER, second, third]
    for week, header in enumerate(headers):
        first_day = datetime(2025, 10, 13, tzinfo=LONDON) + timedelta(days=7 * week)
        chosen = [
            c
            for c in calls
            if first_day <= c.start.astimezone(LONDON) < first_day + timedelta(days=7)
        ]
        with (folder / f"cad-week-{week + 1}.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(_row(c, header, rng) for c in sorted(chosen, key=lambda c: c.start))


def _within(calls: list[Call], grade: int, minutes: int, as_of: datetime) -> float:
    counted = [
        c
        for c in calls
        if c.priority == grade
        and (c.arrived is not None or c.queued + timedelta(minutes=minutes) < as_of)
    ]
    met = [c for c in counted if c.arrived and c.arrived - c.queued <= timedelta(minutes=minutes)]
    return len(met) / len(counted)


def test_a_weekly_cad_export_goes_in_whole_and_its_attendance_measures_are_right(
    ctx, actors, clock, tmp_path
):
    clock.moment = datetime(2025, 12, 1, tzinfo=UTC)
    calls = _generate()
    folder = tmp_path / "cad"
    folder.mkdir()
    _write_weeks(calls, folder)
    mapping = parse_mapping(MAPPING)
    admin = actors[Role.ADMINISTRATOR]

    results = imports.import_force_exports(ctx, actor=admin, paths=[folder], mapping=mapping)

    police = [c for c in calls if c.agency == "POLICE"]
    kept = [c for c in police if not c.bad_start]
    assert sum(r.rows_read for r in results) == len(calls)
    assert sum(r.rows_filtered for r in results) == len(calls) - len(police)
    assert sum(r.rows_added for r in results) == len(kept)
    assert len(kept) >= 0.99 * len(police)
    rejected = []
    notes = []
    for result in results:
        with result.report.open(newline="", encoding="utf-8") as handle:
            for line in csv.DictReader(handle):
                (notes if line["reason"].startswith("warning") else rejected).append(line)
    assert (
        sorted((r["column"], r["value"]) for r in rejected)
        == [("Incident_Start_Time", "2025-10-32 10:00:00")] * 4
    )
    assert all(r["reason"].startswith("not a time in") and int(r["row"]) > 1 for r in rejected)
    assert sorted((n["column"], n["row"]) for n in notes) == [
        ("Incident_Phone_Stop", "1"),
        ("Priority_Number", "1"),
    ]

    with ctx.db.transaction() as session:
        origins = {
            origin: count
            for origin, count in session.execute(
                select(ContactRow.origin, func.count()).group_by(ContactRow.origin)
            )
        }
        stored = {
            ref: (created, arrived, closed)
            for ref, created, arrived, closed in session.execute(
                select(
                    ContactRow.external_ref,
                    IncidentRow.created_at,
                    IncidentRow.arrived_at,
                    IncidentRow.closed_at,
                ).join(IncidentRow, IncidentRow.contact_id == ContactRow.id)
            )
        }
    force_started = [c for c in kept if not RECEPTION[c.reception][1]]
    assert sum(v for k, v in origins.items() if k != "public") == len(force_started)
    for call in kept:  # every time stored as it truly was, the clock change included
        assert stored[call.ref] == (call.queued, call.arrived, call.final_close), call.ref

    as_of = clock.moment
    analyst = actors[Role.ANALYST]
    keys = [
        "attendance.grade_1_urban_within_target",
        "attendance.grade_2_within_target",
        "attendance.median_minutes",
        "contact.demand",
    ]
    values = {
        (v.measure, v.period_label): v.value
        for v in measures.compute_measures(
            ctx, actor=analyst, measures=keys, start=date(2025, 10, 1), end=date(2025, 10, 31)
        )
    }
    october = [c for c in kept if c.queued.astimezone(LONDON).month == 10]
    attended = [
        (c.arrived - c.queued).total_seconds() / 60
        for c in october
        if c.priority in (1, 2) and c.arrived
    ]
    public = [c for c in october if RECEPTION[c.reception][1]]
    month = "2025-10"
    assert values[("attendance.grade_1_urban_within_target", month)] == pytest.approx(
        _within(october, 1, 15, as_of)
    )
    assert values[("attendance.grade_2_within_target", month)] == pytest.approx(
        _within(october, 2, 60, as_of)
    )
    assert values[("attendance.median_minutes", month)] == pytest.approx(
        statistics.median(attended)
    )
    assert values[("contact.demand", month)] == len(
        [c for c in public if c.start.astimezone(LONDON).month == 10]
    )
    # Cut by channel: a record the force started has no channel (no stand-in value), so its
    # incident is cut by its origin, never lumped with the public's 101 calls.
    by_channel = {
        v.cut_value: v.value
        for v in measures.compute_measures(
            ctx,
            actor=analyst,
            measures=["attendance.median_minutes"],
            cut=Cut.CHANNEL,
            start=date(2025, 10, 1),
            end=date(2025, 10, 31),
        )
        if v.period_label == month and v.value is not None
    }
    groups: dict[str, list[float]] = {}
    for c in october:
        if c.priority in (1, 2) and c.arrived:
            minutes = (c.arrived - c.queued).total_seconds() / 60
            groups.setdefault(CHANNEL_CUT.get(c.reception, "101"), []).append(minutes)
    assert {"officer_initiated", "radio"} <= set(groups)
    assert by_channel == pytest.approx({k: statistics.median(v) for k, v in groups.items()})

    again = imports.import_force_exports(ctx, actor=admin, paths=[folder], mapping=mapping)
    assert sum(r.rows_added for r in again) == 0
    assert sum(r.rows_duplicate for r in again) == len(kept)


def test_the_fast_path_reads_the_export_exactly_as_row_by_row_reading(tmp_path):
    # Clean rows are read column by column (io/force_fast.py); every other row, row by row.
    _write_weeks(_generate(), tmp_path)
    mapping = parse_mapping(MAPPING)
    fast_rows = []
    for path in sorted(tmp_path.glob("*.csv")):
        fast = parse_file(path, mapping=mapping, neighbourhoods={}, fast=True)
        slow = parse_file(path, mapping=mapping, neighbourhoods={}, fast=False)
        fast_rows.append(fast.rows_read_fast / len(fast.records))
        assert slow.rows_read_fast == 0
        assert fast.records == slow.records
        assert fast.rejections == slow.rejections
        assert fast.warnings == slow.warnings
        assert (fast.rows_read, fast.rows_filtered) == (slow.rows_read, slow.rows_filtered)
    # The second week names Priority_Number twice, so it is read row by row whole. In the
    # others every kept row is read column by column, the reopened calls too (their first
    # close is before the arrival, so the fallback column is taken, as row by row).
    assert fast_rows[0] == 1 and fast_rows[1] == 0 and fast_rows[2] == 1
