"""Attendance measures on a hand-built force; expected values worked out in the comments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from measure_support import Force, utc
from watchhouse.analytics.catalogue import Cut
from watchhouse.analytics.model import MeasureParams

pytestmark = pytest.mark.unit

MAY = date(2024, 5, 1)
T0 = utc(2024, 5, 10, 12)


def _force() -> Force:
    """Grade 1 urban (target 15 min): arrived at 10 min, at exactly 15 min, at 16 min, never
    (target long passed), and one created 5 minutes before the snapshot, not yet attended.
    Grade 1 rural (target 20 min): arrived at 18 min. Grade 2 (60 min): 30 min (domestic abuse,
    with an assessment) and 90 min."""
    force = Force()
    central = force.neighbourhood("central")
    moor = force.neighbourhood("moor", "rural")
    for minutes in (10, 15, 16, None):
        c = force.contact(T0, wait=3, place=central)
        force.incident(c, grade=1, created=T0, arrived_after_minutes=minutes, body_worn_video=True)
    late = utc(2024, 5, 31, 22, 50)  # 23:50 BST on 31 May
    c = force.contact(late, wait=3, place=central)
    force.incident(c, grade=1, created=late)
    c = force.contact(T0, wait=3, place=moor)
    force.incident(
        c, grade=1, created=T0, arrived_after_minutes=18, settlement="rural", body_worn_video=False
    )
    c = force.contact(T0, channel="101", wait=3, place=central)
    da = force.incident(c, grade=2, created=T0, arrived_after_minutes=30)
    force.assessment(da, T0 + timedelta(hours=1), level="medium")
    c = force.contact(T0, channel="101", wait=3, place=moor)
    force.incident(c, grade=2, created=T0, arrived_after_minutes=90)
    return force


AS_OF = utc(2024, 5, 31, 23)  # midnight BST: the snapshot


def test_incident_never_attended_counts_against_once_its_target_has_passed() -> None:
    # Grade 1 urban: counted are 10, 15 (exactly on target meets), 16 and the never-attended
    # one (its 15 minutes passed long ago): 2 of 4 = 0.5. The incident created at 23:50 BST is
    # not attended and its target (00:05 BST) has not passed at the snapshot (00:00): left out.
    force = _force()
    assert force.value("attendance.grade_1_urban_within_target", MAY, as_of=AS_OF) == pytest.approx(
        0.5
    )
    # An hour later its target has passed: now 2 of 5.
    later = utc(2024, 6, 1, 1)
    assert force.value("attendance.grade_1_urban_within_target", MAY, as_of=later) == pytest.approx(
        0.4
    )


def test_rural_grade_1_and_grade_2_targets() -> None:
    # Rural grade 1: 18 min within 20: 1 of 1. Grade 2: 30 min within 60, 90 min not: 1 of 2.
    # Domestic abuse grade 2: the 30-minute one only: 1 of 1.
    force = _force()
    assert force.value("attendance.grade_1_rural_within_target", MAY, as_of=AS_OF) == 1.0
    assert force.value("attendance.grade_2_within_target", MAY, as_of=AS_OF) == 0.5
    assert force.value("attendance.da_grade_2_within_target", MAY, as_of=AS_OF) == 1.0


def test_median_and_90th_percentile_attendance_by_grade() -> None:
    # Attended grade 1 and 2 times (minutes): 10, 15, 16, 18, 30, 90. Median (16 + 18) / 2 = 17.
    # p90: rank 0.9 * 5 = 4.5 -> 30 + 0.5 * (90 - 30) = 60.
    # By grade: grade 1 is 10, 15, 16, 18 -> median 15.5; grade 2 is 30, 90 -> median 60.
    force = _force()
    assert force.value("attendance.median_minutes", MAY, as_of=AS_OF) == pytest.approx(17.0)
    assert force.value("attendance.p90_minutes", MAY, as_of=AS_OF) == pytest.approx(60.0)
    by_grade = force.values(
        "attendance.median_minutes", start=MAY, end=MAY, cut=Cut.GRADE, as_of=AS_OF
    )
    assert {v.cut_value: v.value for v in by_grade} == {"1": 15.5, "2": 60.0}


def test_body_worn_video_per_attendance() -> None:
    # Attendances: 4 grade 1 urban with video on (10, 15, 16 min; the never-attended one is no
    # attendance) = 3 on, rural 1 off, grade 2 two with nothing recorded (counts as off).
    # 3 of 6 = 0.5.
    force = _force()
    assert force.value("attendance.body_worn_video", MAY, as_of=AS_OF) == pytest.approx(0.5)


def _flagged_force() -> Force:
    """Grade 2 incidents created at T0: two the handler flagged as domestic abuse in THRIVE (no
    risk assessment, no crime: the victim was not seen or declined), one attended at 40 minutes
    and one never attended; and one not domestic abuse, attended at 40 minutes."""
    force = Force()
    central = force.neighbourhood("central")
    for minutes, flagged in ((40, True), (None, True), (40, False)):
        c = force.contact(T0, channel="101", wait=3, place=central)
        force.incident(
            c, grade=2, created=T0, arrived_after_minutes=minutes, domestic_abuse=flagged
        )
    return force


def test_the_handlers_domestic_abuse_flag_counts_an_incident_as_domestic_abuse() -> None:
    # Domestic abuse grade 2 against the grade's 60 minutes: flagged ones are 40 min (within)
    # and never attended (60 minutes long passed): 1 of 2. Without the flag neither would count
    # (no assessment, no crime) and the measure would be empty.
    force = _flagged_force()
    assert force.value("attendance.da_grade_2_within_target", MAY, as_of=AS_OF) == 0.5
    # Completed risk assessments: none of the 2 flagged incidents has one.
    assert force.value("domestic_abuse.dash_completed", MAY, as_of=AS_OF) == 0.0


def test_a_tighter_domestic_abuse_target_from_policy_applies_to_flagged_incidents_only() -> None:
    # Policy: domestic abuse grade 2 within 30 minutes. Flagged: 40 min (now late) and never: 0
    # of 2. All grade 2: the unflagged 40 min keeps the grade's 60 minutes: 1 of 3.
    force = _flagged_force()
    params = MeasureParams(
        as_of_us=int(AS_OF.timestamp() * 1_000_000), domestic_abuse_targets_minutes={2: 30.0}
    )
    assert force.value("attendance.da_grade_2_within_target", MAY, params=params) == 0.0
    assert force.value("attendance.grade_2_within_target", MAY, params=params) == pytest.approx(
        1 / 3
    )
